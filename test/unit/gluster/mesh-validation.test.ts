import { expect } from 'chai';
import { HostMatcher, tableResolver } from '../../../src/gluster/host-identity.js';
import { evaluateMesh } from '../../../src/gluster/mesh-validation.js';
import type { PoolMember } from '../../../src/gluster/peer.js';
import type { PoolView } from '../../../src/gluster/pool-views.js';

const UUID = { n1: 'uuid-1', n2: 'uuid-2', n3: 'uuid-3', x: 'uuid-x' } as const;

function self(node: keyof typeof UUID): PoolMember {
  return {
    uuid: UUID[node],
    hostname: node,
    hostnames: [node],
    isConnected: true,
    state: undefined,
    stateStr: undefined,
    isLocal: true,
  };
}

function aPeer(
  node: keyof typeof UUID,
  options: { connected?: boolean; state?: number; names?: string[] } = {},
): PoolMember {
  const state = options.state ?? 3;
  return {
    uuid: UUID[node],
    hostname: options.names?.[0] ?? node,
    hostnames: options.names ?? [node],
    isConnected: options.connected ?? true,
    state,
    stateStr:
      { 3: 'Peer in Cluster', 6: 'Peer Rejected', 1: 'Probe Sent to Peer' }[state] ?? 'Other',
    isLocal: false,
  };
}

function aView(node: keyof typeof UUID, peers: PoolMember[]): PoolView {
  return { node, ok: true, uuid: UUID[node], members: [...peers, self(node)] };
}

const matcher = () =>
  new HostMatcher(tableResolver({ n1: ['10.0.0.1'], n2: ['10.0.0.2'], n3: ['10.0.0.3'] }));

describe('evaluateMesh', () => {
  const cases: {
    name: string;
    views: PoolView[];
    expected: Record<string, string>;
    isFullMesh: boolean;
    problems?: number;
  }[] = [
    {
      name: 'a healthy pool of three is a full mesh',
      views: [
        aView('n1', [aPeer('n2'), aPeer('n3')]),
        aView('n2', [aPeer('n1'), aPeer('n3')]),
        aView('n3', [aPeer('n1'), aPeer('n2')]),
      ],
      expected: {
        'n1>n2': 'Connected',
        'n1>n3': 'Connected',
        'n2>n1': 'Connected',
        'n2>n3': 'Connected',
        'n3>n1': 'Connected',
        'n3>n2': 'Connected',
      },
      isFullMesh: true,
    },
    {
      name: 'a down member: the others see it disconnected, its own view is unknown',
      views: [
        aView('n1', [aPeer('n2'), aPeer('n3', { connected: false })]),
        aView('n2', [aPeer('n1'), aPeer('n3', { connected: false })]),
        { node: 'n3', ok: false, error: new Error('glusterd down') },
      ],
      expected: {
        'n1>n2': 'Connected',
        'n1>n3': 'Disconnected',
        'n2>n1': 'Connected',
        'n2>n3': 'Disconnected',
        'n3>n1': 'Unknown',
        'n3>n2': 'Unknown',
      },
      isFullMesh: false,
      problems: 3,
    },
    {
      name: 'asymmetric: only one node sees a link down',
      views: [aView('n1', [aPeer('n2', { connected: false })]), aView('n2', [aPeer('n1')])],
      expected: { 'n1>n2': 'Disconnected', 'n2>n1': 'Connected' },
      isFullMesh: false,
      problems: 1,
    },
    {
      name: 'a node missing from one view, rejected and joining states',
      views: [
        aView('n1', [aPeer('n2', { state: 6 })]),
        aView('n2', [aPeer('n1', { state: 1 })]),
        aView('n3', []),
      ],
      expected: {
        'n1>n2': 'Rejected',
        'n1>n3': 'NotInPool',
        'n2>n1': 'Joining',
        'n2>n3': 'NotInPool',
        'n3>n1': 'NotInPool',
        'n3>n2': 'NotInPool',
      },
      isFullMesh: false,
    },
    {
      name: 'peers listed by address or alias are matched to the names asked',
      views: [
        aView('n1', [aPeer('n2', { names: ['10.0.0.2'] })]),
        aView('n2', [aPeer('n1', { names: ['gluster-a', 'n1'] })]),
      ],
      expected: { 'n1>n2': 'Connected', 'n2>n1': 'Connected' },
      isFullMesh: true,
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const report = await evaluateMesh(tc.views, matcher());
      const statuses = Object.fromEntries(
        report.links.map((link) => [`${link.observer}>${link.target}`, link.status]),
      );
      expect(statuses).to.deep.equal(tc.expected);
      expect(report.isFullMesh).to.equal(tc.isFullMesh);
      if (tc.problems !== undefined) expect(report.problems).to.have.length(tc.problems);
    });
  }

  it('names members a node sees that are not among those validated', async () => {
    const report = await evaluateMesh(
      [aView('n1', [aPeer('n2'), aPeer('x')]), aView('n2', [aPeer('n1')])],
      matcher(),
    );
    expect(report.observers.find((o) => o.node === 'n1')?.unexpectedMembers).to.deep.equal([
      { hostname: 'x', uuid: 'uuid-x' },
    ]);
    expect(report.isFullMesh).to.equal(true);
  });
});
