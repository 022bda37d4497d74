import { expect } from 'chai';
import {
  canonicalIpv6,
  clientNetnsPattern,
  clientVethPattern,
  layoutClient,
  layoutPool,
  MAX_CLIENT_COUNT,
  MAX_NODE_COUNT,
  renderHostsFile,
  validatePoolName,
} from '../../testbed/pool-layout.js';

describe('testbed pool layout', function () {
  it('derives names and addresses from the pool name and index', function () {
    const layout = layoutPool('peers', 7, 2);
    expect(layout.bridge).to.equal('gopb7');
    expect(layout.hostIpv4).to.equal('10.250.7.1');
    expect(layout.hostIpv6).to.equal('fd42:676f:70:7::1');
    expect(layout.nodes).to.deep.equal([
      {
        name: 'n1',
        hostname: 'peers-n1',
        netns: 'gop-peers-n1',
        hostVeth: 'gopv7n1',
        ipv4: '10.250.7.11',
        ipv6: 'fd42:676f:70:7::11',
      },
      {
        name: 'n2',
        hostname: 'peers-n2',
        netns: 'gop-peers-n2',
        hostVeth: 'gopv7n2',
        ipv4: '10.250.7.12',
        ipv6: 'fd42:676f:70:7::12',
      },
    ]);
  });

  it('keeps interface names within the 15 characters Linux allows', function () {
    const layout = layoutPool('a-sixteen-chars1', 255, 64);
    for (const name of [layout.bridge, ...layout.nodes.map((n) => n.hostVeth)]) {
      expect(name.length, name).to.be.at.most(15);
    }
  });

  it('writes IPv6 addresses in canonical form (pool 0 has a zero group)', function () {
    expect(layoutPool('p', 0, 1).nodes[0]?.ipv6).to.equal('fd42:676f:70::11');
    expect(layoutPool('p', 200, 1).nodes[0]?.ipv6).to.equal('fd42:676f:70:c8::11');
    expect(canonicalIpv6('FD42:0:0:0::1')).to.equal('fd42::1');
  });

  const badNames = [
    '',
    'Upper',
    '1starts-with-digit',
    'ends-with-',
    'a;rm -rf /',
    '../escape',
    'x'.repeat(17),
    'sp ace',
    '$(id)',
  ];
  for (const name of badNames) {
    it(`rejects the pool name ${JSON.stringify(name)}`, function () {
      expect(() => {
        validatePoolName(name);
      }).to.throw(/Invalid pool name/);
    });
  }

  it('rejects node counts outside 1..64 and indexes outside 0..255', function () {
    expect(() => layoutPool('p', 0, 0)).to.throw(/node count/);
    expect(() => layoutPool('p', 0, 65)).to.throw(/node count/);
    expect(() => layoutPool('p', 256, 1)).to.throw(/pool index/);
  });

  it('puts clients on the pool subnet above every node, with names of their own', function () {
    const layout = layoutPool('peers', 7, MAX_NODE_COUNT);
    expect(layoutClient(layout, 1)).to.deep.equal({
      name: 'c1',
      hostname: 'peers-c1',
      netns: 'gopc-peers-c1',
      hostVeth: 'gopv7c1',
      ipv4: '10.250.7.201',
      ipv6: 'fd42:676f:70:7::201',
    });
    const last = layoutClient(layoutPool('a-sixteen-chars1', 255, 1), MAX_CLIENT_COUNT);
    expect(last.ipv4).to.equal('10.250.255.250');
    expect(last.hostVeth.length).to.be.at.most(15);
    const nodeAddresses = new Set(layout.nodes.flatMap((n) => [n.ipv4, n.ipv6]));
    for (let i = 1; i <= MAX_CLIENT_COUNT; i++) {
      const client = layoutClient(layout, i);
      expect(nodeAddresses.has(client.ipv4) || nodeAddresses.has(client.ipv6)).to.equal(false);
    }
    expect(() => layoutClient(layout, 0)).to.throw(/client index/);
    expect(() => layoutClient(layout, MAX_CLIENT_COUNT + 1)).to.throw(/client index/);
  });

  it("tells a pool's clients from its nodes and from other pools' clients", function () {
    const pattern = clientNetnsPattern('peers');
    expect(pattern.test('gopc-peers-c12')).to.equal(true);
    expect(pattern.test('gop-peers-n1')).to.equal(false);
    expect(pattern.test('gopc-peers-x-c1')).to.equal(false);
    expect(pattern.test('gopc-peersx-c1')).to.equal(false);
    expect(clientVethPattern(7).test('gopv7c3')).to.equal(true);
    expect(clientVethPattern(7).test('gopv7n3')).to.equal(false);
    expect(clientVethPattern(7).test('gopv77c3')).to.equal(false);
  });

  it('lists every node under both addresses in the hosts file', function () {
    const text = renderHostsFile(layoutPool('hf', 3, 2));
    expect(text).to.contain('10.250.3.11 hf-n1\n');
    expect(text).to.contain('fd42:676f:70:3::12 hf-n2\n');
    expect(text).to.contain('127.0.0.1 localhost\n');
  });
});
