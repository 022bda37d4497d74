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
  readonly remainingChanges?: number;
  readonly blocked?: readonly [string, BlockReason][];
}

const lone = (name: string, extra = {}) => aNode(name, [], extra);

const cases: Case[] = [
  {
    name: 'three lone nodes: probe the second from the first, one more to follow',
    input: aPlanInput(['n1', 'n2', 'n3'], anObservation([lone('n1'), lone('n2'), lone('n3')])),
    commandNode: 'n1',
    states: { n1: 'Connected', n2: 'Pending', n3: 'Pending' },
    action: { kind: 'probe', node: 'n1', target: 'n2' },
    remainingChanges: 1,
    blocked: [],
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
    name: 'a removed member is not detached while another member is down',
    input: aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2', { connected: false }), aMember('n3', { spec: false })]),
        anUnreachableNode('n2', 'glusterd'),
      ]),
    ),
    action: undefined,
    blocked: [['n3', 'DetachBlockedMemberDown']],
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
    name: 'an unreachable node outside the pool is not probed',
    input: aPlanInput(['n1', 'n2'], anObservation([lone('n1'), anUnreachableNode('n2')])),
    action: undefined,
    blocked: [['n2', 'NodeUnreachable']],
  },
  {
    name: 'while a probe is still spreading, the next change waits',
    input: aPlanInput(
      ['n1', 'n2', 'n3'],
      anObservation([
        aNode('n1', [aMember('n2', { state: 1 })]),
        aNode('n2', [aMember('n1')]),
        lone('n3'),
      ]),
    ),
    states: { n1: 'Connected', n2: 'Probing', n3: 'Pending' },
    action: undefined,
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
      if (tc.remainingChanges !== undefined)
        expect(plan.remainingChanges).to.equal(tc.remainingChanges);
      // The action is the first of the changes; the count is the rest of them.
      expect(plan.changes[0]).to.deep.equal(plan.action);
      if (plan.action?.kind !== 'removeFinalizer') {
        expect(plan.changes.length).to.equal(plan.action ? plan.remainingChanges + 1 : 0);
      }
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

  it('gives the views of each observer when they disagree', () => {
    const plan = planReconcile(cases[4]!.input);
    expect(plan.nodes.find((node) => node.address === 'n3')?.views).to.deep.equal([
      { observer: 'n1', status: 'Connected' },
      { observer: 'n2', status: 'Disconnected' },
    ]);
  });
});
