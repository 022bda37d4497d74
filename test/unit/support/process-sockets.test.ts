import { expect } from 'chai';
import {
  classifySockets,
  decodeEndpoint,
  formatEndpoint,
  parseProcNetTable,
  type ProcessSocket,
} from '../../support/process-sockets.js';

// Rows captured from this project's test machine (a node process with a listener on 127.0.0.1,
// two connections to it, a UDP socket connected to the resolver, an unconnected UDP6 socket;
// another with a listener on ::1; SSH to testbed nodes).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9A95 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1408560 1 00000000c90716b3 100 0 0 10 0
   1: 0100007F:971E 0100007F:9A95 01 00000000:00000000 00:00000000 00000000     0        0 1408561 2 00000000e4742a14 20 0 0 10 -1
   2: 0100007F:9A95 0100007F:971E 01 00000000:00000000 00:00000000 00000000     0        0 1408562 1 000000005d13c12d 20 0 0 10 -1
   3: 0100FA0A:C3DC 0B00FA0A:0016 06 00000000:00000000 03:000006CB 00000000     0        0 0 3 00000000df336ea5
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:908F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1420350 1 00000000e533a8a6 100 0 0 10 0
   1: 6F6742FD000070000000000001000000:EC70 6F6742FD000070000000000011000000:0016 01 00000000:00000000 03:0000051E 00000000     0        0 1420360 3 00000000ad71834c
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
14125: 020200C0:D93C 35FFFF0A:0035 01 00000000:00000000 00:00000000 00000000     0        0 1408564 2 000000006c833534 0
`;
const UDP6 = `   sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 6329: 00000000000000000000000000000000:BAC8 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1408565 2 000000001087364d 0
`;

const socket = (
  protocol: 'TCP' | 'UDP',
  state: string,
  local: string,
  remote?: string,
): ProcessSocket => {
  const endpoint = (text: string) => {
    const colon = text.lastIndexOf(':');
    return {
      ip: text.slice(0, colon).replace(/^\[|\]$/g, ''),
      port: Number(text.slice(colon + 1)),
    };
  };
  return {
    protocol,
    family: local.startsWith('[') ? 6 : 4,
    state,
    local: endpoint(local),
    remote: remote === undefined ? undefined : endpoint(remote),
    inode: 1,
  };
};

describe('process-sockets', () => {
  describe('decodeEndpoint', () => {
    const cases: [string, string, number][] = [
      ['0100007F:1F90', '127.0.0.1', 8080],
      ['0100FA0A:0016', '10.250.0.1', 22],
      ['35FFFF0A:0035', '10.255.255.53', 53],
      ['00000000:0000', '0.0.0.0', 0],
      ['6F6742FD000070000000000011000000:0016', 'fd42:676f:70::11', 22],
      ['6F6742FD030070000000000012000000:0016', 'fd42:676f:70:3::12', 22],
      ['00000000000000000000000001000000:908F', '::1', 37007],
      ['00000000000000000000000000000000:0000', '::', 0],
      // A dual-stack socket's IPv4 peer: ::ffff:127.0.0.1.
      ['0000000000000000FFFF00000100007F:1F90', '127.0.0.1', 8080],
      ['B80D0120000000000000000001000000:01BB', '2001:db8::1', 443],
    ];
    for (const [text, ip, port] of cases) {
      it(`${text} is ${ip} port ${String(port)}`, () => {
        expect(decodeEndpoint(text)).to.deep.equal({ ip, port });
      });
    }
    for (const text of ['0100007F', '0100007F:1F9', '0100007G:1F90', '0100007F00:1F90']) {
      it(`refuses ${text}`, () => {
        expect(() => decodeEndpoint(text)).to.throw(/Not a \/proc\/net address/);
      });
    }
  });

  describe('parseProcNetTable', () => {
    it('reads TCP rows: state, both ends, inode; no remote for a listener', () => {
      expect(parseProcNetTable(TCP, 'TCP', 4)).to.deep.equal(
        [
          socket('TCP', 'LISTEN', '127.0.0.1:39573'),
          socket('TCP', 'ESTABLISHED', '127.0.0.1:38686', '127.0.0.1:39573'),
          socket('TCP', 'ESTABLISHED', '127.0.0.1:39573', '127.0.0.1:38686'),
          socket('TCP', 'TIME_WAIT', '10.250.0.1:50140', '10.250.0.11:22'),
        ].map((expected, index) => ({
          ...expected,
          inode: [1408560, 1408561, 1408562, 0][index]!,
        })),
      );
    });

    it('reads TCP6 rows', () => {
      const rows = parseProcNetTable(TCP6, 'TCP', 6);
      expect(rows.map((row) => [row.state, row.local, row.remote, row.family])).to.deep.equal([
        ['LISTEN', { ip: '::1', port: 37007 }, undefined, 6],
        [
          'ESTABLISHED',
          { ip: 'fd42:676f:70::1', port: 60528 },
          { ip: 'fd42:676f:70::11', port: 22 },
          6,
        ],
      ]);
    });

    it('reads UDP rows: a connected socket has its peer, an unconnected one none', () => {
      const udp = parseProcNetTable(UDP, 'UDP', 4);
      expect(udp.map((row) => [row.state, row.local, row.remote, row.inode])).to.deep.equal([
        [
          'ESTABLISHED',
          { ip: '192.0.2.2', port: 55612 },
          { ip: '10.255.255.53', port: 53 },
          1408564,
        ],
      ]);
      const udp6 = parseProcNetTable(UDP6, 'UDP', 6);
      expect(udp6.map((row) => [row.state, row.local, row.remote, row.inode])).to.deep.equal([
        ['CLOSE', { ip: '::', port: 47816 }, undefined, 1408565],
      ]);
    });

    it('reads an empty table (the header alone)', () => {
      expect(parseProcNetTable(TCP.split('\n')[0]!, 'TCP', 4)).to.deep.equal([]);
    });

    it('refuses a state it does not know', () => {
      const row = TCP.split('\n').slice(0, 2).join('\n').replace(' 0A ', ' 1F ');
      expect(() => parseProcNetTable(row, 'TCP', 4)).to.throw(/Unknown socket state/);
    });
  });

  describe('classifySockets', () => {
    const cases: {
      name: string;
      sockets: ProcessSocket[];
      listening: string[];
      outbound: string[];
      inbound: string[];
    }[] = [
      {
        name: 'nothing',
        sockets: [],
        listening: [],
        outbound: [],
        inbound: [],
      },
      {
        name: 'a listener, a connection accepted on it, and connections out',
        sockets: [
          socket('TCP', 'LISTEN', '127.0.0.1:8080'),
          socket('TCP', 'ESTABLISHED', '127.0.0.1:8080', '127.0.0.1:50000'),
          socket('TCP', 'ESTABLISHED', '127.0.0.1:50001', '127.0.0.1:6443'),
          socket('TCP', 'SYN_SENT', '10.250.0.1:50002', '10.250.0.11:22'),
          socket('TCP', 'ESTABLISHED', '10.250.0.1:50002', '10.250.0.11:22'),
          socket('TCP', 'ESTABLISHED', '[fd42:676f:70::1]:50003', '[fd42:676f:70::12]:22'),
        ],
        listening: ['TCP 127.0.0.1:8080'],
        outbound: ['TCP 10.250.0.11:22', 'TCP 127.0.0.1:6443', 'TCP [fd42:676f:70::12]:22'],
        inbound: ['TCP 127.0.0.1:50000'],
      },
      {
        name: 'a wildcard listener takes connections on any local address',
        sockets: [
          socket('TCP', 'LISTEN', '[::]:8080'),
          socket('TCP', 'ESTABLISHED', '[fd42:676f:70::1]:8080', '[fd42:676f:70::11]:40000'),
        ],
        listening: ['TCP [::]:8080'],
        outbound: [],
        inbound: ['TCP [fd42:676f:70::11]:40000'],
      },
      {
        name: "the listener's port on another local address is a connection out",
        sockets: [
          socket('TCP', 'LISTEN', '127.0.0.1:8080'),
          socket('TCP', 'ESTABLISHED', '10.250.0.1:8080', '10.250.0.11:22'),
        ],
        listening: ['TCP 127.0.0.1:8080'],
        outbound: ['TCP 10.250.0.11:22'],
        inbound: [],
      },
      {
        name: 'UDP: connected is outbound, unconnected listens',
        sockets: [
          socket('UDP', 'ESTABLISHED', '192.0.2.2:55612', '10.255.255.53:53'),
          socket('UDP', 'CLOSE', '[::]:47816'),
        ],
        listening: ['UDP [::]:47816'],
        outbound: ['UDP 10.255.255.53:53'],
        inbound: [],
      },
      {
        name: "a UDP socket on a TCP listener's port is not inbound TCP",
        sockets: [
          socket('TCP', 'LISTEN', '0.0.0.0:5353'),
          socket('UDP', 'ESTABLISHED', '10.0.0.1:5353', '10.0.0.2:53'),
        ],
        listening: ['TCP 0.0.0.0:5353'],
        outbound: ['UDP 10.0.0.2:53'],
        inbound: [],
      },
      {
        name: 'a TCP socket neither listening nor connected tells nothing',
        sockets: [socket('TCP', 'CLOSE', '0.0.0.0:0')],
        listening: [],
        outbound: [],
        inbound: [],
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const classified = classifySockets(tc.sockets);
        expect(classified.listening.map(formatEndpoint)).to.deep.equal(tc.listening);
        expect(classified.outbound.map(formatEndpoint)).to.deep.equal(tc.outbound);
        expect(classified.inbound.map(formatEndpoint)).to.deep.equal(tc.inbound);
      });
    }
  });
});
