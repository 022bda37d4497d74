import { expect } from 'chai';
import type { NodeState } from '../../../src/api/gluster-cluster.js';
import type { PlanInput } from '../../../src/core/plan-reconcile.js';
import { planReconcile } from '../../../src/core/plan-reconcile.js';
import type { Action, BlockReason } from '../../../src/core/plan-types.js';
import {
  aHealthyPool,
  aMember,
  aNode,
  anObservation,
  anUnreachableNode,
  aPlanInput,
  uuidOf,
} from '../../support/pool-builders.js';

interface Case {
  readonly name: string;
  readonly input: PlanInput;
  readonly commandNode?: string | undefined;
  readonly states?: Record<string, NodeState>;
  readonly action?: Action | undefined;
  /** This pass's changes, when more than the first matters. */
  readonly batch?: readonly Action[];
  readonly remainingChanges?: number;
  readonly blocked?: readonly [string, BlockReason][];
}

const lone = (name: string, extra = {}) => aNode(name, [], extra);

const cases: Case[] = [
  {
    name: 'three lone nodes: both others probed from the first in one pass',
    input: aPlanInput(['n1', 'n2', 'n3'], anObservation([lone('n1'), lone('n2'), lone('n3')])),
    commandNode: 'n1',
    states: { n1: 'Connected', n2: 'Pending', n3: 'Pending' },
    batch: [
      { kind: 'probe', node: 'n1', target: 'n2' },
      { kind: 'probe', node: 'n1', target: 'n3' },
    ],
    remainingChanges: 0,
    blocked: [],
  },
  {
    name: 'probes go first and alone: a detach that is also needed waits for them to land',
    input: aPlanInput(
      ['n1', 'n2', 'n4'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3', { spec: false })]),
        aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
        lone('n4'),
      ]),
    ),
    batch: [{ kind: 'probe', node: 'n1', target: 'n4' }],
    remainingChanges: 0,
    blocked: [['n3', 'WaitingForProbe']],
  },
  {
    name: 'a healthy pool: nothing to do',
    input: aPlanInput(['n1', 'n2', 'n3'], anObservation(aHealthyPool(['n1', 'n2', 'n3']))),
    commandNode: 'n1',
    states: { n1: 'Connected', n2: 'Connected', n3: 'Connected' },
    action: undefined,
    blocked: [],
  },
  {
    name: 'the preferred command node is unreachable: fail over to the next member, detach nothing',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        anUnreachableNode('n1'),
        aNode('n2', [aMember('n1', { connected: false }), aMember('n3')]),
        aNode('n3', [aMember('n1', { connected: false }), aMember('n2')]),
      ]),
    ),
    commandNode: 'n2',
    states: { n1: 'Unreachable', n2: 'Connected', n3: 'Connected' },
    action: undefined,
    blocked: [],
  },
  {
    name: 'glusterd down on a member: reported, nothing detached',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3', { connected: false })]),
        aNode('n2', [aMember('n1'), aMember('n3', { connected: false })]),
        anUnreachableNode('n3', 'glusterd'),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Connected', n3: 'GlusterdDown' },
    action: undefined,
    blocked: [],
  },
  {
    name: 'members disagree: one sees a node disconnected',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3')]),
        aNode('n2', [aMember('n1'), aMember('n3', { connected: false })]),
        aNode('n3', [aMember('n1'), aMember('n2', { connected: false })]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Disconnected', n3: 'Disconnected' },
    action: undefined,
  },
  {
    name: 'a member removed from spec is detached',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3', { spec: false })]),
        aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Connected' },
    action: {
      kind: 'detach',
      node: 'n1',
      target: 'n3',
      uuid: uuidOf('n3'),
      why: 'RemovedFromSpec',
    },
    blocked: [],
  },
  {
    name: 'a removed member that hosts bricks is not detached',
    input: aPlanInput(
      ['n1'],
      anObservation([aNode('n1', [aMember('n3', { spec: false })])], {
        [uuidOf('n3')]: ['n3:/bricks/b1'],
      }),
    ),
    action: undefined,
    blocked: [['n3', 'DetachBlockedBricks']],
  },
  {
    name: 'a removed member is not detached while a spec node whose UUID is unknown is down: it may be that node',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2', { connected: false }), aMember('n3', { spec: false })]),
        anUnreachableNode('n2', 'glusterd'),
      ]),
    ),
    action: undefined,
    blocked: [['n3', 'IncompleteObservation']],
  },
  {
    name: 'a removed member is not detached while another member is down',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2', { connected: false }), aMember('n3', { spec: false })]),
        { ...anUnreachableNode('n2', 'glusterd'), rememberedUuid: uuidOf('n2') },
      ]),
    ),
    action: undefined,
    blocked: [['n3', 'DetachBlockedMemberDown']],
  },
  {
    name: 'a spec node known by another name, unreachable over SSH, is the member with its remembered UUID: nothing detached',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        // n1 knows n2 by a host name; gather matched it by n2's remembered UUID.
        aNode('n1', [{ ...aMember('n2'), hostname: 'n2.example' }, aMember('n3')]),
        { ...anUnreachableNode('n2'), rememberedUuid: uuidOf('n2') },
        aNode('n3', [{ ...aMember('n2'), hostname: 'n2.example' }, aMember('n1')]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Unreachable', n3: 'Connected' },
    batch: [],
    blocked: [],
  },
  {
    name: 'the same member with no UUID remembered looks unmanaged, and still is not detached',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [{ ...aMember('n2', { spec: false }), hostname: 'n2.example' }, aMember('n3')]),
        anUnreachableNode('n2'),
        aNode('n3', [{ ...aMember('n2', { spec: false }), hostname: 'n2.example' }, aMember('n1')]),
      ]),
    ),
    batch: [],
    blocked: [
      ['n2', 'NodeUnreachable'],
      ['n2.example', 'IncompleteObservation'],
    ],
  },
  {
    name: 'a spec node known by UUID not to be the target may be down: the removed member is detached',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3', { spec: false })]),
        { ...anUnreachableNode('n2'), rememberedUuid: uuidOf('n2') },
      ]),
    ),
    action: {
      kind: 'detach',
      node: 'n1',
      target: 'n3',
      uuid: uuidOf('n3'),
      why: 'RemovedFromSpec',
    },
    blocked: [],
  },
  {
    name: 'members whose views list different members: no detach',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [
          aMember('n2'),
          aMember('n3', { spec: false }),
          aMember('n4', { spec: false }),
        ]),
        aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
      ]),
    ),
    batch: [],
    blocked: [
      ['n3', 'IncompleteObservation'],
      ['n4', 'IncompleteObservation'],
    ],
  },
  {
    name: 'a detach waits for the bricks to be read: the plan asks for them',
    input: aPlanInput(['n1'], {
      ...anObservation([aNode('n1', [aMember('n3', { spec: false })])]),
      bricksByUuid: undefined,
    }),
    batch: [],
    blocked: [],
  },
  {
    name: 'a node whose view lists members that do not list it has a stale view, never leads, and waits for a person',
    input: aPlanInput(
      ['n3', 'n1', 'n2'],
      anObservation([
        aNode('n3', [aMember('n1', { connected: false }), aMember('n2', { connected: false })]),
        aNode('n1', [aMember('n2')]),
        aNode('n2', [aMember('n1')]),
      ]),
    ),
    commandNode: 'n1',
    states: { n3: 'StaleView', n1: 'Connected', n2: 'Connected' },
    batch: [],
    blocked: [['n3', 'StaleView']],
  },
  {
    name: 'one member sees every other disconnected while they see it connected: it alone is blamed',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3')]),
        aNode('n2', [aMember('n1', { connected: false }), aMember('n3', { connected: false })]),
        aNode('n3', [aMember('n1'), aMember('n2')]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Disconnected', n3: 'Connected' },
    batch: [],
  },
  {
    name: 'removalPolicy Retain keeps members that are not in spec',
    input: aPlanInput(['n1'], anObservation([aNode('n1', [aMember('n3', { spec: false })])]), {
      removalPolicy: 'Retain',
    }),
    action: undefined,
    blocked: [],
  },
  {
    name: 'a node in another pool is left alone without the opt-in',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([lone('n1'), aNode('n2', [aMember('x', { spec: false })])]),
    ),
    states: { n1: 'Connected', n2: 'InOtherPool' },
    action: undefined,
    blocked: [['n2', 'NodeInOtherPool']],
  },
  {
    name: 'a node in another pool is released with the opt-in',
    input: aPlanInput(
      ['n1', { address: 'n2', reclaimFromOtherPool: true }],
      anObservation([
        lone('n1'),
        aNode('n2', [aMember('x', { spec: false })], { bricksInOwnPool: [] }),
      ]),
    ),
    action: { kind: 'release', target: 'n2' },
    blocked: [],
  },
  {
    name: 'never released from a pool where it hosts bricks',
    input: aPlanInput(
      ['n1', { address: 'n2', reclaimFromOtherPool: true }],
      anObservation([
        lone('n1'),
        aNode('n2', [aMember('x', { spec: false })], { bricksInOwnPool: ['n2:/b'] }),
      ]),
    ),
    action: undefined,
    blocked: [['n2', 'ReclaimBlockedBricks']],
  },
  {
    name: 'a lone node with volumes of its own cannot be probed',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([lone('n1'), lone('n2', { volumesInOwnPool: ['v1'] })]),
    ),
    action: undefined,
    blocked: [['n2', 'NodeHasVolumes']],
  },
  {
    name: 'a member whose host key no longer matches known_hosts is HostKeyMismatch, waits for a person, and is never detached',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2'), aMember('n3')]),
        { ...anUnreachableNode('n2', 'host-key'), rememberedUuid: uuidOf('n2') },
        aNode('n3', [aMember('n1'), aMember('n2')]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'HostKeyMismatch', n3: 'Connected' },
    batch: [],
    blocked: [['n2', 'HostKeyMismatch']],
  },
  {
    name: 'a lone node whose host key does not match is not probed',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([lone('n1'), anUnreachableNode('n2', 'host-key')]),
    ),
    states: { n1: 'Connected', n2: 'HostKeyMismatch' },
    action: undefined,
    blocked: [['n2', 'HostKeyMismatch']],
  },
  {
    name: 'an unreachable node outside the pool is not probed',
    input: aPlanInput(['n1', 'n2'], anObservation([lone('n1'), anUnreachableNode('n2')])),
    action: undefined,
    blocked: [['n2', 'NodeUnreachable']],
  },
  {
    name: 'while a probe is still spreading, another lone node is probed at once',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2', { state: 1 })]),
        aNode('n2', [aMember('n1')]),
        lone('n3'),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Probing', n3: 'Pending' },
    batch: [{ kind: 'probe', node: 'n1', target: 'n3' }],
    blocked: [],
  },
  {
    name: 'a handshake that has not finished for minutes is stuck: it waits for a person',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([aNode('n1', [aMember('n2', { state: 1 })]), aNode('n2', [aMember('n1')])]),
      { stuckProbing: new Set(['n2']) },
    ),
    states: { n1: 'Connected', n2: 'Probing' },
    batch: [],
    blocked: [['n2', 'ProbeStuck']],
  },
  {
    name: 'while a probe is still spreading, a detach waits',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2', { state: 1 }), aMember('n3', { spec: false })]),
        aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Probing' },
    batch: [],
    blocked: [['n3', 'WaitingForProbe']],
  },
  {
    name: 'a rejected peer is reported as such',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([aNode('n1', [aMember('n2', { state: 6 })]), aNode('n2', [aMember('n1')])]),
    ),
    states: { n1: 'Connected', n2: 'Rejected' },
  },
  {
    name: 'paused: changes are reported as blocked, none made',
    input: aPlanInput(['n1', 'n2'], anObservation([lone('n1'), lone('n2')]), { paused: true }),
    action: undefined,
    blocked: [['n2', 'Paused']],
  },
  {
    name: 'no node answers: nothing can be done',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([anUnreachableNode('n1'), anUnreachableNode('n2')]),
    ),
    commandNode: undefined,
    states: { n1: 'Unreachable', n2: 'Unreachable' },
    action: undefined,
    blocked: [['n1', 'NoReachableNode']],
  },
  {
    name: 'the largest pool wins the command node, and the lone first node joins it',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([lone('n1'), ...aHealthyPool(['n2', 'n3'])]),
    ),
    commandNode: 'n2',
    states: { n1: 'Pending', n2: 'Connected', n3: 'Connected' },
    action: { kind: 'probe', node: 'n2', target: 'n1' },
  },
  {
    name: 'a cloned node (same glusterd UUID as another spec node) is rejected, not mistaken for it',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([lone('n1'), lone('n2', { uuid: uuidOf('n1') }), lone('n3')]),
    ),
    states: { n1: 'Connected', n2: 'Rejected', n3: 'Pending' },
    action: { kind: 'probe', node: 'n1', target: 'n3' },
    blocked: [['n2', 'DuplicateUuid']],
  },
  {
    name: 'deleted with Retain: let it go at once',
    input: aPlanInput(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])), {
      isDeleting: true,
    }),
    action: { kind: 'removeFinalizer' },
  },
  {
    name: 'deleted with Dissolve: detach the other members one by one',
    input: aPlanInput(['n1', 'n2', 'n3'], anObservation(aHealthyPool(['n1', 'n2', 'n3'])), {
      isDeleting: true,
      deletionPolicy: 'Dissolve',
    }),
    action: { kind: 'detach', node: 'n1', target: 'n2', uuid: uuidOf('n2'), why: 'Dissolving' },
    remainingChanges: 1,
  },
  {
    name: 'deleted with Dissolve and nothing left to detach: let it go',
    input: aPlanInput(['n1', 'n2'], anObservation([lone('n1'), lone('n2')]), {
      isDeleting: true,
      deletionPolicy: 'Dissolve',
    }),
    action: { kind: 'removeFinalizer' },
  },
  {
    name: 'deleted with Dissolve, a member hosts bricks: it stays, and says why',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation(aHealthyPool(['n1', 'n2']), { [uuidOf('n2')]: ['n2:/b'] }),
      {
        isDeleting: true,
        deletionPolicy: 'Dissolve',
      },
    ),
    action: undefined,
    blocked: [['n2', 'DetachBlockedBricks']],
  },
  {
    name: 'paused and deleted with Retain: the finalizer still goes',
    input: aPlanInput(['n1'], anObservation([lone('n1')]), { isDeleting: true, paused: true }),
    action: { kind: 'removeFinalizer' },
  },
];

describe('planReconcile', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const plan = planReconcile(tc.input);
      if ('commandNode' in tc) expect(plan.commandNode).to.equal(tc.commandNode);
      if (tc.states) {
        expect(
          Object.fromEntries(plan.nodes.map((node) => [node.address, node.state])),
        ).to.deep.equal(tc.states);
      }
      if ('action' in tc) expect(plan.action).to.deep.equal(tc.action);
      if (tc.batch) expect(plan.batch).to.deep.equal(tc.batch);
      if (tc.remainingChanges !== undefined)
        expect(plan.remainingChanges).to.equal(tc.remainingChanges);
      // The batch starts the changes; the count is the rest of them.
      expect(plan.action).to.deep.equal(plan.batch[0]);
      expect(plan.changes.slice(0, plan.batch.length)).to.deep.equal(plan.batch);
      if (!tc.input.paused) {
        expect(plan.changes.length).to.equal(plan.batch.length + plan.remainingChanges);
      }
      // Additive changes are batched; a destructive one always goes alone.
      const kinds = new Set(plan.batch.map((change) => change.kind));
      if (kinds.has('detach') || kinds.has('release')) expect(plan.batch).to.have.length(1);
      if (tc.blocked) {
        expect(plan.blocked.map((blocked) => [blocked.target, blocked.reason])).to.deep.equal(
          tc.blocked,
        );
      }
    });
  }

  it('never acts on a node only because it is down or unreachable', () => {
    const downEverywhere = aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2', { connected: false }), aMember('n3', { connected: false })]),
        anUnreachableNode('n2'),
        anUnreachableNode('n3', 'glusterd'),
      ]),
    );
    expect(planReconcile(downEverywhere).action).to.equal(undefined);
  });

  it("asks for the bricks before it decides a detach, and for a release candidate's volumes", () => {
    const bricksUnknown = aPlanInput(['n1'], {
      ...anObservation([aNode('n1', [aMember('n3', { spec: false })])]),
      bricksByUuid: undefined,
    });
    expect(planReconcile(bricksUnknown).needs).to.deep.equal({ bricks: true, volumesOf: [] });
    const reclaim = aPlanInput(
      ['n1', { address: 'n2', reclaimFromOtherPool: true }],
      anObservation([lone('n1'), aNode('n2', [aMember('x', { spec: false })])]),
    );
    const plan = planReconcile(reclaim);
    expect(plan.needs).to.deep.equal({ bricks: false, volumesOf: ['n2'] });
    expect(plan.batch).to.deep.equal([]);
  });

  it('says which member is not in every view', () => {
    const plan = planReconcile(
      aPlanInput(
        ['n1', 'n2'],
        anObservation([
          aNode('n1', [aMember('n2'), aMember('n4', { spec: false })]),
          aNode('n2', [aMember('n1')]),
        ]),
      ),
    );
    expect(plan.disagreements).to.deep.equal(['n4 is listed by n1 but not by n2']);
  });

  it('blames the observer that alone sees the others down, and says so', () => {
    const plan = planReconcile(
      aPlanInput(
        ['n1', 'n2', 'n3'],
        anObservation([
          aNode('n1', [aMember('n2'), aMember('n3')]),
          aNode('n2', [aMember('n1', { connected: false }), aMember('n3', { connected: false })]),
          aNode('n3', [aMember('n1'), aMember('n2')]),
        ]),
      ),
    );
    const n2 = plan.nodes.find((node) => node.address === 'n2');
    expect(n2?.message).to.match(/sees n1, n3 disconnected while the others see them connected/);
    expect(plan.nodes.find((node) => node.address === 'n1')?.message).to.match(
      /only n2 see it disconnected/,
    );
  });

  it('gives the views of each observer when they disagree', () => {
    const plan = planReconcile(
      cases.find((tc) => tc.name === 'members disagree: one sees a node disconnected')!.input,
    );
    expect(plan.nodes.find((node) => node.address === 'n3')?.views).to.deep.equal([
      { observer: 'n1', status: 'Connected' },
      { observer: 'n2', status: 'Disconnected' },
    ]);
  });
});
