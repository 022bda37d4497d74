import { readdir, readFile, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { formatIp } from './ip-cidr.js';

/**
 * The sockets a process holds, read from /proc the way `ss -p` finds them: the socket inodes
 * among /proc/<pid>/fd, looked up in /proc/<pid>/net/{tcp,tcp6,udp,udp6} (its network
 * namespace's tables). No privilege is needed for a process of the same user.
 *
 * sampleProcessSockets() reads them every `intervalMs` and keeps every socket seen, for tests
 * that want every endpoint a process talked to. A sample sees what is open at that instant: a
 * socket opened and closed between two samples is missed (and a closed TCP socket in TIME_WAIT
 * belongs to no process any more).
 */

export type SocketProtocol = 'TCP' | 'UDP';

export interface SocketEndpoint {
  /** Dotted quad or canonical IPv6; IPv4-mapped IPv6 (a dual-stack socket's IPv4 peer) as IPv4. */
  readonly ip: string;
  readonly port: number;
}

export interface ProcessSocket {
  readonly protocol: SocketProtocol;
  /** The socket's family (an IPv6 socket may carry IPv4-mapped addresses). */
  readonly family: 4 | 6;
  /** The kernel's TCP state name (`ESTABLISHED`, `LISTEN` ...); UDP: `ESTABLISHED` when connected, else `CLOSE`. */
  readonly state: string;
  readonly local: SocketEndpoint;
  /** Undefined while it has none: a listening TCP socket, an unconnected UDP socket. */
  readonly remote: SocketEndpoint | undefined;
  readonly inode: number;
}

/** One endpoint with its protocol, as the tests compare them. */
export interface ProtocolEndpoint extends SocketEndpoint {
  readonly protocol: SocketProtocol;
}

/** Sockets sorted by what they tell about the process. */
export interface SocketClassification {
  /** TCP sockets in LISTEN, and UDP sockets without a peer (they receive from anyone). */
  readonly listening: readonly ProtocolEndpoint[];
  /** The remote ends of connections the process opened (TCP, including attempts; connected UDP). */
  readonly outbound: readonly ProtocolEndpoint[];
  /** The remote ends of connections accepted on one of its listening TCP sockets. */
  readonly inbound: readonly ProtocolEndpoint[];
}

/** include/net/tcp_states.h */
const TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
};

const TABLES = [
  { file: 'tcp', protocol: 'TCP', family: 4 },
  { file: 'tcp6', protocol: 'TCP', family: 6 },
  { file: 'udp', protocol: 'UDP', family: 4 },
  { file: 'udp6', protocol: 'UDP', family: 6 },
] as const;

/**
 * The rows of one /proc/net/{tcp,tcp6,udp,udp6} table (header skipped). Addresses there are the
 * kernel's in-memory words printed as hex, so their byte order is the machine's: this supports
 * little-endian machines only, and says so on others.
 */
export function parseProcNetTable(
  text: string,
  protocol: SocketProtocol,
  family: 4 | 6,
): ProcessSocket[] {
  if (endianness() !== 'LE') throw new Error('/proc/net decoding supports little-endian only');
  const sockets: ProcessSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [, local, remote, state, , , , , , inode] = fields;
    const stateCode = parseInt(state ?? '', 16);
    const stateName = TCP_STATES[stateCode];
    if (stateName === undefined) throw new Error(`Unknown socket state in: ${line}`);
    const remoteEndpoint = decodeEndpoint(remote ?? '');
    sockets.push({
      protocol,
      family,
      state: stateName,
      local: decodeEndpoint(local ?? ''),
      remote:
        remoteEndpoint.port === 0 && isUnspecified(remoteEndpoint.ip) ? undefined : remoteEndpoint,
      inode: Number(inode),
    });
  }
  return sockets;
}

/** `0100007F:1F90` → 127.0.0.1:8080; 32 hex digits are IPv6 (four words, each in machine order). */
export function decodeEndpoint(text: string): SocketEndpoint {
  const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!match) throw new Error(`Not a /proc/net address: ${text}`);
  const [, hex = '', portHex = ''] = match;
  let value = 0n;
  for (let word = 0; word < hex.length / 8; word++) {
    // Each 32-bit word is printed as a number: its bytes in reverse of memory (network) order.
    const bytes = hex.slice(word * 8, word * 8 + 8).match(/../g) ?? [];
    for (const byte of bytes.reverse()) value = (value << 8n) | BigInt(parseInt(byte, 16));
  }
  const family = hex.length === 8 ? 4 : 6;
  const unmapped = family === 6 && value >> 32n === 0xffffn;
  return {
    ip: formatIp(unmapped ? { family: 4, value: value & 0xffffffffn } : { family, value }),
    port: parseInt(portHex, 16),
  };
}

/** The process's sockets now; an empty list once it has ended. */
export async function readProcessSockets(pid: number): Promise<ProcessSocket[]> {
  const inodes = await socketInodes(pid);
  if (inodes.size === 0) return [];
  const tables = await Promise.all(
    TABLES.map(async ({ file, protocol, family }) => {
      const text = await readFile(`/proc/${String(pid)}/net/${file}`, 'utf8').catch(ifGone(''));
      return parseProcNetTable(text, protocol, family);
    }),
  );
  return tables.flat().filter((socket) => inodes.has(socket.inode));
}

async function socketInodes(pid: number): Promise<Set<number>> {
  const dir = `/proc/${String(pid)}/fd`;
  const fds = await readdir(dir).catch(ifGone<string[]>([]));
  const links = await Promise.all(
    fds.map((fd) => readlink(`${dir}/${fd}`).catch(ifGone(''))), // closed meanwhile
  );
  const inodes = new Set<number>();
  for (const link of links) {
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined) inodes.add(Number(inode));
  }
  return inodes;
}

/** Sorts sockets (of one process, from any number of samples) into listening, outbound, inbound. */
export function classifySockets(sockets: Iterable<ProcessSocket>): SocketClassification {
  const all = [...sockets];
  const listeners = all.filter(
    (socket) =>
      (socket.protocol === 'TCP' && socket.state === 'LISTEN') ||
      (socket.protocol === 'UDP' && socket.remote === undefined),
  );
  const acceptedOn = (socket: ProcessSocket): boolean =>
    socket.protocol === 'TCP' &&
    listeners.some(
      (listener) =>
        listener.protocol === 'TCP' &&
        listener.local.port === socket.local.port &&
        (isUnspecified(listener.local.ip) || listener.local.ip === socket.local.ip),
    );
  const outbound: ProtocolEndpoint[] = [];
  const inbound: ProtocolEndpoint[] = [];
  for (const socket of all) {
    if (socket.remote === undefined) continue;
    (acceptedOn(socket) ? inbound : outbound).push({ protocol: socket.protocol, ...socket.remote });
  }
  return {
    listening: unique(listeners.map((socket) => ({ protocol: socket.protocol, ...socket.local }))),
    outbound: unique(outbound),
    inbound: unique(inbound),
  };
}

/** `TCP 10.250.0.11:22`, `UDP [fd42::11]:53`. */
export function formatEndpoint(endpoint: ProtocolEndpoint): string {
  const host = endpoint.ip.includes(':') ? `[${endpoint.ip}]` : endpoint.ip;
  return `${endpoint.protocol} ${host}:${String(endpoint.port)}`;
}

export interface SocketSamples {
  /** Every distinct socket seen (by protocol, local and remote end and state). */
  readonly sockets: readonly ProcessSocket[];
  /** How many samples were taken. */
  readonly samples: number;
  /** The longest time between the starts of two samples: what a short-lived socket could hide in. */
  readonly longestGapMs: number;
}

export interface SocketSampler {
  /** Takes one last sample, stops, and returns everything seen. */
  stop(): Promise<SocketSamples>;
}

/** Samples the process's sockets every `intervalMs` (default 100) until stopped. */
export function sampleProcessSockets(
  pid: number,
  options: { readonly intervalMs?: number } = {},
): SocketSampler {
  const intervalMs = options.intervalMs ?? 100;
  const seen = new Map<string, ProcessSocket>();
  let samples = 0;
  let lastStartMs: number | undefined;
  let longestGapMs = 0;
  const stopping = new AbortController();
  let failure: unknown;
  const sampleOnce = async (): Promise<void> => {
    const startMs = performance.now();
    if (lastStartMs !== undefined) longestGapMs = Math.max(longestGapMs, startMs - lastStartMs);
    lastStartMs = startMs;
    for (const socket of await readProcessSockets(pid)) {
      const key = [
        socket.protocol,
        socket.state,
        formatEndpoint({ protocol: socket.protocol, ...socket.local }),
        socket.remote === undefined
          ? '-'
          : formatEndpoint({ protocol: socket.protocol, ...socket.remote }),
      ].join(' ');
      if (!seen.has(key)) seen.set(key, socket);
    }
    samples++;
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await sampleOnce();
      } catch (error) {
        failure = error;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      if (failure !== undefined) throw new Error('Sampling sockets failed', { cause: failure });
      await sampleOnce();
      return { sockets: [...seen.values()], samples, longestGapMs: Math.round(longestGapMs) };
    },
  };
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

function unique(endpoints: readonly ProtocolEndpoint[]): ProtocolEndpoint[] {
  const byKey = new Map(endpoints.map((endpoint) => [formatEndpoint(endpoint), endpoint]));
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, endpoint]) => endpoint);
}

/** For a read under /proc: the process (or the fd) is gone, so there is nothing to read. */
function ifGone<T>(empty: T): (error: unknown) => T {
  return (error) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return empty;
    throw error;
  };
}
