import { expect } from 'chai';
import {
  HostMatcher,
  HostResolutionError,
  convertHostsToIp,
  normalizeHost,
  tableResolver,
} from '../../../src/gluster/host-identity.js';

const resolver = tableResolver({
  'gluster-1': ['10.0.0.1', 'fd42::1'],
  'gluster-1.storage.example': ['10.0.0.1'],
  'gluster-2': ['10.0.0.2'],
  'v6-only': ['FD42:0:0:0::0002'],
});

describe('normalizeHost', () => {
  const cases: [string, string][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['FD42:0000:0000::0011', 'fd42::11'],
    ['fd42:0:0:0:0:0:0:11', 'fd42::11'],
    ['[fd42::11]', 'fd42::11'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:a00:1', '10.0.0.1'],
    ['Gluster-1.Example.', 'gluster-1.example'],
    [' n1 ', 'n1'],
  ];
  for (const [input, expected] of cases) {
    it(`spells ${JSON.stringify(input)} as ${expected}`, () => {
      expect(normalizeHost(input)).to.equal(expected);
    });
  }
});

describe('HostMatcher', () => {
  const peers = [
    { uuid: 'u1', hostnames: ['gluster-1'] },
    { uuid: 'u2', hostnames: ['10.0.0.2', 'gluster-2-alias'] },
    { uuid: 'u3', hostnames: ['fd42::3'] },
  ];
  const cases: {
    name: string;
    target: { host: string; uuid?: string };
    expected: string | undefined;
  }[] = [
    {
      name: 'by UUID, whatever the name',
      target: { host: 'anything', uuid: 'u2' },
      expected: 'u2',
    },
    { name: 'by the name glusterd uses', target: { host: 'gluster-1' }, expected: 'u1' },
    { name: 'by an address the name resolves to', target: { host: '10.0.0.1' }, expected: 'u1' },
    {
      name: 'by another name for the same address',
      target: { host: 'gluster-1.storage.example' },
      expected: 'u1',
    },
    {
      name: 'by an IPv6 address the name resolves to',
      target: { host: 'FD42::0001' },
      expected: 'u1',
    },
    { name: 'by an alias', target: { host: 'gluster-2-alias' }, expected: 'u2' },
    {
      name: 'by a name resolving to a listed address',
      target: { host: 'gluster-2' },
      expected: 'u2',
    },
    {
      name: 'by another spelling of an IPv6 address',
      target: { host: 'fd42:0:0:0:0:0:0:3' },
      expected: 'u3',
    },
    { name: 'no match for an unknown host', target: { host: 'gluster-9' }, expected: undefined },
    {
      name: 'a UUID that matches nobody falls back to names',
      target: { host: 'gluster-1', uuid: 'u9' },
      expected: 'u1',
    },
  ];
  for (const tc of cases) {
    it(`finds a peer ${tc.name}`, async () => {
      const peer = await new HostMatcher(resolver).findPeer(peers, tc.target);
      expect(peer?.uuid).to.equal(tc.expected);
    });
  }

  it('resolves each name once per matcher', async () => {
    let lookups = 0;
    const counting = (host: string) => {
      lookups++;
      return resolver(host);
    };
    const matcher = new HostMatcher(counting);
    for (let i = 0; i < 5; i++) await matcher.findPeer(peers, { host: 'gluster-2' });
    // gluster-2, gluster-1 and 10.0.0.2 once each on the first search; the next four hit the cache.
    expect(lookups).to.equal(3);
  });
});

describe('convertHostsToIp', () => {
  it('maps names to their first address and localhost to the node asked', async () => {
    expect(
      await convertHostsToIp(['gluster-2', 'localhost', '10.9.9.9', 'v6-only'], {
        localNode: 'gluster-1',
        resolver,
      }),
    ).to.deep.equal(['10.0.0.2', '10.0.0.1', '10.9.9.9', 'fd42::2']);
  });

  it('fails with the host named when a name does not resolve', async () => {
    let error: unknown;
    await convertHostsToIp(['gluster-2', 'nowhere'], { resolver }).catch(
      (caught: unknown) => (error = caught),
    );
    expect(error).to.be.instanceOf(HostResolutionError);
    expect((error as HostResolutionError).host).to.equal('nowhere');
  });
});
