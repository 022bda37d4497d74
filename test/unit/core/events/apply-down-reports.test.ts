import { expect } from 'chai';
import type {
  Condition,
  GlusterClusterStatus,
  NodeState,
  NodeStatus,
} from '../../../../src/api/gluster-cluster.js';
import type {
  BrickStatus,
  GlusterVolumeStatus,
  VolumeCondition,
} from '../../../../src/api/gluster-volume.js';
import {
  applyBrickDownReports,
  applyPeerDownReports,
  formatEpochSeconds,
} from '../../../../src/core/events/apply-down-reports.js';
import type { DownReport } from '../../../../src/core/events/event-ledger.js';
import { aBrickReport, aPeerReport, uuidOf } from './event-builders.js';

const NOW = '2026-12-06T22:30:00Z';
const EARLIER = '2026-12-01T08:00:00Z';
/** formatEpochSeconds(TS) */
const TS_TIME = '2025-12-06T05:46:40Z';

function aNode(address: string, state: NodeState = 'Connected'): NodeStatus {
  return {
    address,
    uuid: uuidOf(address),
    state,
    sshReachable: state !== 'Unreachable',
    glusterdRunning: state !== 'GlusterdDown' && state !== 'Unreachable',
  };
}

function aCondition(
  type: Condition['type'],
  status: Condition['status'],
  reason: string,
  lastTransitionTime = EARLIER,
): Condition {
  return {
    type,
    status,
    reason,
    message: `${reason} message`,
    lastTransitionTime,
    observedGeneration: 4,
  };
}

const HEALTHY_CONDITIONS: readonly Condition[] = [
  aCondition('Ready', 'True', 'PoolReady'),
  aCondition('Degraded', 'False', 'AllConnected'),
  aCondition('Reconciling', 'False', 'Idle'),
];

/** A pool status as a clean pass writes it, every node as given. */
function aClusterStatus(
  nodes: readonly NodeStatus[],
  conditions: readonly Condition[] = HEALTHY_CONDITIONS,
): GlusterClusterStatus {
  return {
    observedGeneration: 4,
    conditions,
    commandNode: 'n1',
    members: nodes.length,
    connected: nodes.filter((node) => node.state === 'Connected').length,
    nodes,
  };
}

const conditionOf = (
  status: { conditions?: readonly (Condition | VolumeCondition)[] },
  type: string,
): Condition | VolumeCondition | undefined => status.conditions?.find((c) => c.type === type);

describe('applyPeerDownReports', () => {
  const cases: {
    name: string;
    status: GlusterClusterStatus;
    reports: DownReport[];
    expectNodes: [string, NodeState][];
    expectConnected: number;
  }[] = [
    {
      name: 'makes a Connected member Disconnected and recounts connected',
      status: aClusterStatus([aNode('n1'), aNode('n2'), aNode('n3')]),
      reports: [aPeerReport('n2')],
      expectNodes: [
        ['n1', 'Connected'],
        ['n2', 'Disconnected'],
        ['n3', 'Connected'],
      ],
      expectConnected: 2,
    },
    {
      name: 'makes a Probing member Disconnected',
      status: aClusterStatus([aNode('n1'), aNode('n2', 'Probing')]),
      reports: [aPeerReport('n2')],
      expectNodes: [
        ['n1', 'Connected'],
        ['n2', 'Disconnected'],
      ],
      expectConnected: 1,
    },
    {
      name: 'reports on several members at once',
      status: aClusterStatus([aNode('n1'), aNode('n2'), aNode('n3')]),
      reports: [aPeerReport('n2'), aPeerReport('n3')],
      expectNodes: [
        ['n1', 'Connected'],
        ['n2', 'Disconnected'],
        ['n3', 'Disconnected'],
      ],
      expectConnected: 1,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const result = applyPeerDownReports(tc.status, tc.reports, NOW);
      expect(result.nodes?.map((node) => [node.address, node.state])).to.deep.equal(tc.expectNodes);
      expect(result.connected).to.equal(tc.expectConnected);
      expect(result.members).to.equal(tc.status.members);
    });
  }

  it('says who reported the member down, and when', () => {
    const report = aPeerReport('n3', { reporters: ['n1', 'n2'] });
    const result = applyPeerDownReports(
      aClusterStatus([aNode('n1'), aNode('n2'), aNode('n3')]),
      [report],
      NOW,
    );
    const node = result.nodes?.[2];
    expect(node?.reportedDown).to.deep.equal({
      event: 'PEER_DISCONNECT',
      reporters: ['n1', 'n2'],
      time: TS_TIME,
    });
    expect(node?.message).to.equal(
      `glusterd on n1 and n2 reported it disconnected at ${TS_TIME} (PEER_DISCONNECT); a look at the pool follows`,
    );
    expect(node?.sshReachable).to.equal(true);
  });

  const unchanged: { name: string; status: GlusterClusterStatus; reports: DownReport[] }[] = [
    {
      name: 'leaves a GlusterdDown member as the look saw it',
      status: aClusterStatus([aNode('n1'), aNode('n2', 'GlusterdDown')]),
      reports: [aPeerReport('n2')],
    },
    {
      name: 'leaves an Unreachable member as the look saw it',
      status: aClusterStatus([aNode('n1'), aNode('n2', 'Unreachable')]),
      reports: [aPeerReport('n2')],
    },
    {
      name: 'leaves an already Disconnected member alone',
      status: aClusterStatus([aNode('n1'), aNode('n2', 'Disconnected')]),
      reports: [aPeerReport('n2')],
    },
    {
      name: 'changes nothing for a UUID no node has',
      status: aClusterStatus([aNode('n1'), aNode('n2')]),
      reports: [aPeerReport('n9')],
    },
    {
      name: 'ignores brick reports',
      status: aClusterStatus([aNode('n1'), aNode('n2')]),
      reports: [aBrickReport(`n2:/bricks/b`, 'gv0', { subject: uuidOf('n2') })],
    },
    {
      name: 'changes nothing without reports',
      status: aClusterStatus([aNode('n1')]),
      reports: [],
    },
  ];
  for (const tc of unchanged) {
    it(`${tc.name} (the same object back)`, () => {
      expect(applyPeerDownReports(tc.status, tc.reports, NOW)).to.equal(tc.status);
    });
  }

  const conditionCases: {
    name: string;
    conditions: readonly Condition[];
    expected: Partial<Record<'Ready' | 'Degraded', Partial<Condition>>>;
  }[] = [
    {
      name: 'makes Ready False and Degraded True, stamped now with the generation kept',
      conditions: HEALTHY_CONDITIONS,
      expected: {
        Ready: {
          status: 'False',
          reason: 'PeersDisconnected',
          lastTransitionTime: NOW,
          observedGeneration: 4,
        },
        Degraded: {
          status: 'True',
          reason: 'PeersDisconnected',
          lastTransitionTime: NOW,
          observedGeneration: 4,
        },
      },
    },
    {
      name: 'keeps a Ready already False with its reason and time',
      conditions: [
        aCondition('Ready', 'False', 'QuorumLost'),
        aCondition('Degraded', 'False', 'AllConnected'),
      ],
      expected: {
        Ready: { status: 'False', reason: 'QuorumLost', lastTransitionTime: EARLIER },
        Degraded: { status: 'True', reason: 'PeersDisconnected', lastTransitionTime: NOW },
      },
    },
    {
      name: 'keeps a Degraded already True with its reason and time',
      conditions: [
        aCondition('Ready', 'True', 'PoolReady'),
        aCondition('Degraded', 'True', 'NodesUnreachable'),
      ],
      expected: {
        Ready: { status: 'False', reason: 'PeersDisconnected', lastTransitionTime: NOW },
        Degraded: { status: 'True', reason: 'NodesUnreachable', lastTransitionTime: EARLIER },
      },
    },
  ];
  for (const tc of conditionCases) {
    it(tc.name, () => {
      const result = applyPeerDownReports(
        aClusterStatus([aNode('n1'), aNode('n2')], tc.conditions),
        [aPeerReport('n2')],
        NOW,
      );
      for (const [type, expected] of Object.entries(tc.expected)) {
        expect(conditionOf(result, type), type).to.include(expected);
      }
      // Other conditions are not touched.
      expect(result.conditions?.length).to.equal(tc.conditions.length);
      const reconciling = tc.conditions.find((c) => c.type === 'Reconciling');
      if (reconciling) expect(conditionOf(result, 'Reconciling')).to.equal(reconciling);
    });
  }

  it('names the disconnected member in the Ready message', () => {
    const result = applyPeerDownReports(
      aClusterStatus([aNode('n1'), aNode('n2')]),
      [aPeerReport('n2')],
      NOW,
    );
    expect(conditionOf(result, 'Ready')?.message).to.match(/^n2 is Disconnected: glusterd on n1 /);
  });

  it('writes no conditions into a status that had none', () => {
    const status: GlusterClusterStatus = { nodes: [aNode('n1'), aNode('n2')] };
    const result = applyPeerDownReports(status, [aPeerReport('n2')], NOW);
    expect(result.conditions).to.equal(undefined);
    expect(result.nodes?.[1]?.state).to.equal('Disconnected');
  });
});

const VOLUME = 'gv0';

function aBrick(host: string, set: number, online = true): BrickStatus {
  return {
    name: `${host}:/bricks/${VOLUME}`,
    node: host,
    path: `/bricks/${VOLUME}`,
    index: set,
    set,
    online,
  };
}

function aVolumeCondition(
  type: string,
  status: VolumeCondition['status'],
  reason: string,
  lastTransitionTime = EARLIER,
): VolumeCondition {
  return {
    type,
    status,
    reason,
    message: `${reason} message`,
    lastTransitionTime,
    observedGeneration: 2,
  };
}

function aVolumeStatus(
  bricks: readonly BrickStatus[],
  conditions: readonly VolumeCondition[] = [
    aVolumeCondition('Ready', 'True', 'VolumeStarted'),
    aVolumeCondition('Degraded', 'False', 'AllBricksOnline'),
  ],
): GlusterVolumeStatus {
  return {
    observedGeneration: 2,
    volumeName: VOLUME,
    state: 'Started',
    bricks,
    bricksOnline: `${bricks.filter((brick) => brick.online).length}/${bricks.length}`,
    conditions,
  };
}

describe('applyBrickDownReports', () => {
  it('takes the named brick offline, recounts and worsens the conditions', () => {
    const status = aVolumeStatus([aBrick('n1', 0), aBrick('n2', 0), aBrick('n3', 1)]);
    const result = applyBrickDownReports(
      status,
      [aBrickReport(`n2:/bricks/${VOLUME}`, VOLUME)],
      NOW,
    );
    expect(result.bricks?.map((brick) => brick.online)).to.deep.equal([true, false, true]);
    expect(result.bricksOnline).to.equal('2/3');
    expect(conditionOf(result, 'Ready')).to.deep.equal({
      type: 'Ready',
      status: 'False',
      reason: 'BrickOffline',
      message: `1 of 3 bricks reported offline by glusterd (BRICK_DISCONNECTED): n2:/bricks/${VOLUME} (set 0) at ${TS_TIME}; a look at the volume follows`,
      lastTransitionTime: NOW,
      observedGeneration: 2,
    });
    expect(conditionOf(result, 'Degraded')).to.include({
      status: 'True',
      reason: 'BrickOffline',
      lastTransitionTime: NOW,
    });
  });

  it('keeps a Ready already False with its reason and time', () => {
    const ready = aVolumeCondition('Ready', 'False', 'VolumeStopped');
    const status = aVolumeStatus(
      [aBrick('n1', 0), aBrick('n2', 0)],
      [ready, aVolumeCondition('Degraded', 'False', 'AllBricksOnline')],
    );
    const result = applyBrickDownReports(
      status,
      [aBrickReport(`n1:/bricks/${VOLUME}`, VOLUME)],
      NOW,
    );
    expect(conditionOf(result, 'Ready')).to.equal(ready);
    expect(conditionOf(result, 'Degraded')).to.include({ status: 'True', reason: 'BrickOffline' });
  });

  const unchanged: { name: string; status: GlusterVolumeStatus; reports: DownReport[] }[] = [
    {
      name: 'a report for another volume',
      status: aVolumeStatus([aBrick('n1', 0), aBrick('n2', 0)]),
      reports: [aBrickReport(`n2:/bricks/${VOLUME}`, 'gv1')],
    },
    {
      name: 'a brick already offline',
      status: aVolumeStatus([aBrick('n1', 0), aBrick('n2', 0, false)]),
      reports: [aBrickReport(`n2:/bricks/${VOLUME}`, VOLUME)],
    },
    {
      name: 'a brick the volume does not have',
      status: aVolumeStatus([aBrick('n1', 0)]),
      reports: [aBrickReport('n9:/bricks/gv0', VOLUME)],
    },
    {
      name: 'a peer report',
      status: aVolumeStatus([aBrick('n1', 0)]),
      reports: [aPeerReport('n1', { subject: `n1:/bricks/${VOLUME}`, volume: VOLUME })],
    },
  ];
  for (const tc of unchanged) {
    it(`changes nothing for ${tc.name} (the same object back)`, () => {
      expect(applyBrickDownReports(tc.status, tc.reports, NOW)).to.equal(tc.status);
    });
  }
});

describe('formatEpochSeconds', () => {
  const cases: { seconds: number; expected: string }[] = [
    { seconds: 0, expected: '1970-01-01T00:00:00Z' },
    { seconds: 951_782_400, expected: '2000-02-29T00:00:00Z' },
    { seconds: 951_868_799, expected: '2000-02-29T23:59:59Z' },
    { seconds: 1_709_164_800, expected: '2024-02-29T00:00:00Z' },
    { seconds: 1_709_251_200, expected: '2024-03-01T00:00:00Z' },
    { seconds: 1_765_000_000, expected: '2025-12-06T05:46:40Z' },
    { seconds: 4_107_456_000, expected: '2100-02-28T00:00:00Z' },
    { seconds: 4_107_542_400, expected: '2100-03-01T00:00:00Z' },
    { seconds: 4_133_980_799, expected: '2100-12-31T23:59:59Z' },
    { seconds: 9_999_999_999, expected: '2286-11-20T17:46:39Z' },
  ];
  for (const tc of cases) {
    it(`${tc.seconds} is ${tc.expected}`, () => {
      expect(formatEpochSeconds(tc.seconds)).to.equal(tc.expected);
      // The same as the platform's own formatting.
      expect(formatEpochSeconds(tc.seconds)).to.equal(
        new Date(tc.seconds * 1000).toISOString().replace('.000Z', 'Z'),
      );
    });
  }
});
