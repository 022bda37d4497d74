import { expect } from 'chai';
import type { GlusterVolumeSpec, GlusterVolumeStatus } from '../../../../src/api/gluster-volume.js';
import type { PlanVolumeInput } from '../../../../src/core/volume/plan-volume.js';
import { planVolume } from '../../../../src/core/volume/plan-volume.js';
import type {
  ObservedVolume,
  VolumeObservation,
} from '../../../../src/core/volume/volume-observation.js';
import type {
  VolumeAction,
  VolumeBlockReason,
  VolumeChange,
  VolumeOwnership,
  VolumePlan,
} from '../../../../src/core/volume/volume-plan-types.js';
import { isDestructiveVolumeAction } from '../../../../src/core/volume/volume-plan-types.js';
import {
  aCondition,
  aHeal,
  aMember,
  anObservation,
  anObservedBrick,
  anObservedVolume,
  aPlanInput,
  aPreviousStatus,
  aRemoveBrick,
  aTask,
  aVolumeSpec,
  brickStatusOf,
  bricksOn,
  healOf,
  nodes,
} from './volume-builders.js';
import type { Overrides } from './volume-builders.js';

/** `node:/bricks/v`, as gluster names the bricks the builders make. */
const OLD_TASK = '0c1d2e3f-0000-4000-8000-000000000001';
const NEW_TASK = '0c1d2e3f-0000-4000-8000-000000000002';
const b = (node: string, path = '/bricks/v'): string => `${node}:${path}`;
const REPLICA_3 = { type: 'Replicate', replica: 3, arbiter: 0 } as const;
const six = nodes(6).map((node) => aMember(node));

/** A volume this resource manages (status recorded its ID), seen as `volume`. */
function managed(
  spec: GlusterVolumeSpec,
  volume: ObservedVolume,
  observation: Partial<VolumeObservation> = {},
  previous: Overrides<GlusterVolumeStatus> = {},
): PlanVolumeInput {
  return aPlanInput(spec, anObservation({ volume, ...observation }), {
    previous: aPreviousStatus(volume, previous),
  });
}

const twoSets = anObservedVolume({
  onBricks: bricksOn(nodes(6)),
  typeStr: 'Distributed-Replicate',
});
const oneSetOfSix = anObservedVolume();

interface Case {
  readonly name: string;
  readonly input: PlanVolumeInput;
  readonly batch?: readonly VolumeAction[];
  readonly changes?: readonly VolumeAction[];
  /** [change, reason] of every blocked change, in order. */
  readonly blocked?: readonly (readonly [VolumeChange, VolumeBlockReason])[];
  /** Matched against the blocked messages. */
  readonly says?: RegExp;
  readonly ownership?: VolumeOwnership;
  readonly inFlight?: VolumePlan['inFlight'];
  readonly rebalanceOwed?: boolean;
}

const cases: Case[] = [
  // Create.
  {
    name: 'an absent replica 3 volume: created and started in one batch',
    input: aPlanInput(aVolumeSpec(), anObservation()),
    ownership: 'Absent',
    batch: [
      {
        kind: 'create',
        bricks: [b('n1'), b('n2'), b('n3')],
        layout: REPLICA_3,
        transport: 'tcp',
        force: false,
      },
      { kind: 'start' },
    ],
    blocked: [],
  },
  {
    name: 'replica 3 arbiter 1 (2 + 1): created with the arbiter count',
    input: aPlanInput(
      aVolumeSpec({ layout: { type: 'Replicate', replica: 3, arbiter: 1 } }),
      anObservation(),
    ),
    batch: [
      {
        kind: 'create',
        bricks: [b('n1'), b('n2'), b('n3')],
        layout: { type: 'Replicate', replica: 3, arbiter: 1 },
        transport: 'tcp',
        force: false,
      },
      { kind: 'start' },
    ],
  },
  {
    name: 'disperse 3 redundancy 1 (2 + 1): created with its counts',
    input: aPlanInput(
      aVolumeSpec({ layout: { type: 'Disperse', disperse: 3, redundancy: 1 } }),
      anObservation(),
    ),
    batch: [
      {
        kind: 'create',
        bricks: [b('n1'), b('n2'), b('n3')],
        layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
        transport: 'tcp',
        force: false,
      },
      { kind: 'start' },
    ],
  },
  {
    name: 'distribute over two bricks, with force allowed, rdma, options and desired Stopped: created and its options set, not started',
    input: aPlanInput(
      aVolumeSpec({
        layout: { type: 'Distribute' },
        bricks: bricksOn(['n1', 'n2'], '/data/v/'),
        transport: 'rdma',
        allowForce: true,
        state: 'Stopped',
        options: { 'performance.cache-size': '256MB', 'nfs.disable': 'on' },
      }),
      anObservation(),
    ),
    batch: [
      {
        kind: 'create',
        bricks: ['n1:/data/v', 'n2:/data/v'],
        layout: { type: 'Distribute' },
        transport: 'rdma',
        force: true,
      },
      {
        kind: 'setOptions',
        options: [
          ['performance.cache-size', '256MB'],
          ['nfs.disable', 'on'],
        ],
      },
    ],
  },
  {
    name: 'a brick host that is not a connected member: nothing created',
    input: aPlanInput(
      aVolumeSpec(),
      anObservation({ members: [aMember('n1'), aMember('n2'), aMember('n3', 'Pending')] }),
    ),
    batch: [],
    blocked: [['create', 'BrickHostNotConnected']],
    says: /n3 \(Pending\) is not a connected member of GlusterCluster pool/,
  },

  // Options.
  {
    name: 'options that differ or are missing are set in one call; an equal one is left',
    input: managed(
      aVolumeSpec({ options: { 'a.one': 'new', 'b.two': 'on', 'c.three': 'same' } }),
      anObservedVolume({ options: { 'a.one': 'old', 'c.three': 'same' } }),
    ),
    batch: [
      {
        kind: 'setOptions',
        options: [
          ['a.one', 'new'],
          ['b.two', 'on'],
        ],
      },
    ],
    blocked: [],
  },
  {
    name: "a key this resource set that spec dropped is reset; a person's own key is left alone",
    input: managed(
      aVolumeSpec({ options: { 'a.one': 'x' } }),
      anObservedVolume({ options: { 'a.one': 'x', 'b.mine': '1', 'person.own': 'y' } }),
      {},
      { options: { 'a.one': 'x', 'b.mine': '1' } },
    ),
    batch: [{ kind: 'resetOption', key: 'b.mine' }],
  },
  {
    name: 'a key named like an Object property is compared as a key',
    input: managed(aVolumeSpec({ options: { constructor: 'on' } }), anObservedVolume()),
    batch: [{ kind: 'setOptions', options: [['constructor', 'on']] }],
  },

  // Start and stop.
  {
    name: 'a stopped volume is started',
    input: managed(aVolumeSpec(), anObservedVolume({ state: 'Stopped' })),
    batch: [{ kind: 'start' }],
  },
  {
    name: 'a created, never started volume is started after its options',
    input: managed(
      aVolumeSpec({ options: { 'a.one': '1' } }),
      anObservedVolume({ state: 'Created' }),
    ),
    batch: [{ kind: 'setOptions', options: [['a.one', '1']] }, { kind: 'start' }],
  },
  {
    name: 'desired Stopped: the options go first, the stop alone in a later pass',
    input: managed(
      aVolumeSpec({ state: 'Stopped', options: { 'a.one': '1' } }),
      anObservedVolume(),
    ),
    batch: [{ kind: 'setOptions', options: [['a.one', '1']] }],
    changes: [{ kind: 'setOptions', options: [['a.one', '1']] }, { kind: 'stop' }],
  },
  {
    name: 'desired Stopped and nothing else: stopped, alone',
    input: managed(aVolumeSpec({ state: 'Stopped' }), anObservedVolume()),
    batch: [{ kind: 'stop' }],
  },
  {
    name: 'a volume stopped as spec asks: nothing to do',
    input: managed(aVolumeSpec({ state: 'Stopped' }), anObservedVolume({ state: 'Stopped' })),
    batch: [],
    blocked: [],
  },
  {
    name: 'not stopped while a rebalance runs',
    input: managed(aVolumeSpec({ state: 'Stopped' }), anObservedVolume(), {
      rebalance: aTask('in progress'),
    }),
    batch: [],
    blocked: [['stop', 'WaitingForTask']],
    inFlight: 'Rebalancing',
  },

  // Expand, then rebalance.
  {
    name: 'a second set appended in spec: all its bricks added in one add-brick',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), oneSetOfSix, { members: six }),
    batch: [
      { kind: 'addBricks', bricks: [b('n4'), b('n5'), b('n6')], layout: REPLICA_3, force: false },
    ],
    blocked: [],
    rebalanceOwed: false,
  },
  {
    name: 'two sets appended at once: all six bricks in one add-brick, with options first',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(9)), options: { 'a.one': '1' } }),
      oneSetOfSix,
      { members: nodes(9).map((node) => aMember(node)) },
    ),
    batch: [
      { kind: 'setOptions', options: [['a.one', '1']] },
      {
        kind: 'addBricks',
        bricks: nodes(9)
          .slice(3)
          .map((node) => b(node)),
        layout: REPLICA_3,
        force: false,
      },
    ],
  },
  {
    name: 'the next pass sees the new set in, and the last status listed one set: rebalance started',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six },
      {
        bricks: aPreviousStatus(oneSetOfSix).bricks,
      },
    ),
    batch: [{ kind: 'rebalanceStart' }],
    rebalanceOwed: true,
  },
  {
    name: 'a rebalance still owed (its start failed last pass) is started again',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six },
      {
        conditions: [aCondition('RebalancePending', 'True', 'BricksAdded')],
      },
    ),
    batch: [{ kind: 'rebalanceStart' }],
    rebalanceOwed: true,
  },
  {
    name: 'still owed, and the task the last status recorded is the one seen: started again',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six, rebalance: aTask('completed', { taskId: OLD_TASK }) },
      {
        rebalance: aTask('completed', { taskId: OLD_TASK }),
        conditions: [aCondition('RebalancePending', 'True', 'BricksAdded')],
      },
    ),
    batch: [{ kind: 'rebalanceStart' }],
    rebalanceOwed: true,
  },
  {
    name: 'still owed, but a rebalance with a new task ID ran since (a start whose answer timed out): paid, not started twice',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six, rebalance: aTask('completed', { taskId: NEW_TASK }) },
      {
        rebalance: aTask('completed', { taskId: OLD_TASK }),
        conditions: [aCondition('RebalancePending', 'True', 'BricksAdded')],
      },
    ),
    batch: [],
    rebalanceOwed: false,
  },
  {
    name: 'still owed, no rebalance recorded before and one seen now: paid',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six, rebalance: aTask('failed', { taskId: NEW_TASK }) },
      { conditions: [aCondition('RebalancePending', 'True', 'BricksAdded')] },
    ),
    batch: [],
    rebalanceOwed: false,
  },
  {
    name: 'still owed, and the last status recorded a rebalance without an ID (older operator): cannot tell, started again',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six, rebalance: aTask('completed', { taskId: NEW_TASK }) },
      {
        rebalance: aTask('completed'),
        conditions: [aCondition('RebalancePending', 'True', 'BricksAdded')],
      },
    ),
    batch: [{ kind: 'rebalanceStart' }],
    rebalanceOwed: true,
  },
  {
    name: 'sets grew since the last status: owed even though that status recorded an older task than the one seen',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      { members: six, rebalance: aTask('completed', { taskId: NEW_TASK }) },
      {
        bricks: aPreviousStatus(oneSetOfSix).bricks,
        rebalance: aTask('completed', { taskId: OLD_TASK }),
      },
    ),
    batch: [{ kind: 'rebalanceStart' }],
    rebalanceOwed: true,
  },
  {
    name: 'once started, a completed rebalance is not run again',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      {
        members: six,
        rebalance: aTask('completed'),
      },
      { conditions: [aCondition('RebalancePending', 'False', 'NotPending')] },
    ),
    batch: [],
    rebalanceOwed: false,
  },
  {
    name: 'a rebalance running pays the debt: nothing started, in flight',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      twoSets,
      {
        members: six,
        rebalance: aTask('in progress'),
      },
      { bricks: aPreviousStatus(oneSetOfSix).bricks },
    ),
    batch: [],
    inFlight: 'Rebalancing',
    rebalanceOwed: false,
  },
  {
    name: 'a rebalance owed on a volume spec wants stopped waits',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(nodes(6)), state: 'Stopped' }),
      twoSets,
      {
        members: six,
      },
      { bricks: aPreviousStatus(oneSetOfSix).bricks },
    ),
    batch: [{ kind: 'stop' }],
    rebalanceOwed: true,
  },
  {
    name: 'a volume seen for the first time after its own create owes no rebalance',
    input: aPlanInput(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      anObservation({ volume: twoSets, members: six }),
      {
        previous: { state: 'Absent', conditions: [aCondition('Reconciling', 'True', 'Creating')] },
      },
    ),
    ownership: 'Created',
    batch: [],
    rebalanceOwed: false,
  },
  {
    name: 'a new set on a node that is not connected: not added',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), oneSetOfSix, {
      members: [...six.slice(0, 5), aMember('n6', 'Disconnected')],
    }),
    batch: [],
    blocked: [['addBricks', 'BrickHostNotConnected']],
  },
  {
    name: 'a new set waits for a running rebalance to end',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), oneSetOfSix, {
      members: six,
      rebalance: aTask('in progress'),
    }),
    batch: [],
    blocked: [['addBricks', 'WaitingForTask']],
  },
  {
    name: 'a new set waits while the rebalance status could not be read (it may be running)',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), oneSetOfSix, {
      members: six,
      rebalance: undefined,
    }),
    batch: [],
    blocked: [['addBricks', 'WaitingForTask']],
  },
  {
    name: 'a new set waits while the remove-brick status could not be read',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), oneSetOfSix, {
      members: six,
      removeBrick: undefined,
    }),
    batch: [],
    blocked: [['addBricks', 'WaitingForTask']],
  },

  // Replace one brick.
  {
    name: 'one brick moved to another node, the set healthy: replaced, alone',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']), options: {} }),
      oneSetOfSix,
      { members: six },
    ),
    batch: [{ kind: 'replaceBrick', from: b('n3'), to: b('n4') }],
    blocked: [],
  },
  {
    name: 'a path changed in place: replaced',
    input: managed(
      aVolumeSpec({ bricks: [...bricksOn(['n1', 'n2']), { node: 'n3', path: '/new/v' }] }),
      oneSetOfSix,
    ),
    batch: [{ kind: 'replaceBrick', from: b('n3'), to: 'n3:/new/v' }],
  },
  {
    name: 'replace refused without quorum: another brick of the set is offline',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: six,
      brickStatus: brickStatusOf(oneSetOfSix, [b('n2')]),
    }),
    batch: [],
    blocked: [['replaceBrick', 'ReplaceBlockedNoQuorum']],
    says: /n3:\/bricks\/v \(set 0\) is not replaced: 1 of the set's other 2 bricks are online and 2 are needed/,
  },
  {
    name: 'replace refused while the old brick is a heal source',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: six,
      heal: healOf(oneSetOfSix, { [b('n3')]: aHeal(7) }),
    }),
    batch: [],
    blocked: [['replaceBrick', 'ReplaceBlockedHealPending']],
    says: /while it is a heal source: 7 entries pending heal that the rest of set 0 lacks/,
  },
  {
    name: 'replace refused while the old brick has split-brain entries',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: six,
      heal: healOf(oneSetOfSix, { [b('n3')]: aHeal(0, 2) }),
    }),
    blocked: [['replaceBrick', 'ReplaceBlockedHealPending']],
    says: /2 in split-brain/,
  },
  {
    name: 'the old brick is offline on a node that is down, the others online and heal read: replaced',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: [aMember('n1'), aMember('n2'), aMember('n3', 'Disconnected'), aMember('n4')],
      brickStatus: brickStatusOf(oneSetOfSix, [b('n3')]),
      heal: {
        ...healOf(oneSetOfSix, { [b('n1')]: aHeal(40), [b('n2')]: aHeal(40) }),
        [b('n3')]: aHeal(0, 0, false),
      },
    }),
    batch: [{ kind: 'replaceBrick', from: b('n3'), to: b('n4') }],
  },
  {
    name: "the old brick is offline and the others' heal info was not read: waits",
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: six,
      brickStatus: brickStatusOf(oneSetOfSix, [b('n3')]),
      heal: undefined,
    }),
    batch: [],
    blocked: [['replaceBrick', 'IncompleteObservation']],
  },
  {
    name: 'an online old brick whose heal info was not read: waits',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: six,
      heal: undefined,
    }),
    blocked: [['replaceBrick', 'IncompleteObservation']],
  },
  {
    name: 'replica 2: the one other brick online is quorum enough',
    input: managed(
      aVolumeSpec({ layout: { type: 'Replicate', replica: 2 }, bricks: bricksOn(['n1', 'n3']) }),
      anObservedVolume({ replicaCount: 2, onBricks: bricksOn(['n1', 'n2']) }),
    ),
    batch: [{ kind: 'replaceBrick', from: b('n2'), to: b('n3') }],
  },
  {
    name: 'disperse 3 redundancy 1: with another brick offline, no quorum (2 others needed)',
    input: managed(
      aVolumeSpec({
        layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
        bricks: bricksOn(['n1', 'n2', 'n4']),
      }),
      anObservedVolume({
        typeStr: 'Disperse',
        replicaCount: 1,
        disperseCount: 3,
        redundancyCount: 1,
      }),
      {
        members: six,
        brickStatus: brickStatusOf(oneSetOfSix, [b('n1')]),
      },
    ),
    blocked: [['replaceBrick', 'ReplaceBlockedNoQuorum']],
  },
  {
    name: "the replacement's node is not connected: not replaced",
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }), oneSetOfSix, {
      members: [...nodes(3).map((node) => aMember(node)), aMember('n4', 'Probing')],
    }),
    blocked: [['replaceBrick', 'BrickHostNotConnected']],
  },
  {
    name: 'a stopped volume: no set can rebuild a brick',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }),
      anObservedVolume({ state: 'Stopped' }),
      {
        members: six,
        brickStatus: undefined,
        heal: undefined,
      },
    ),
    batch: [{ kind: 'start' }],
    blocked: [['replaceBrick', 'ReplaceBlockedNoQuorum']],
  },
  {
    name: 'two bricks differ: not guessed, one replacement at a time',
    input: managed(aVolumeSpec({ bricks: bricksOn(['n1', 'n5', 'n4']) }), oneSetOfSix, {
      members: six,
    }),
    batch: [],
    blocked: [['reshape', 'BrickMismatch']],
    says: /2 bricks differ from spec \(\[1\] n2:\/bricks\/v → n5:\/bricks\/v, \[2\] n3:\/bricks\/v → n4:\/bricks\/v\)\. The operator replaces one brick at a time/,
  },
  {
    name: 'a brick differs and a set is added at once: not guessed',
    input: managed(
      aVolumeSpec({ bricks: [...bricksOn(['n1', 'n2', 'n6']), ...bricksOn(['n4', 'n5', 'n3'])] }),
      oneSetOfSix,
      { members: six },
    ),
    blocked: [['reshape', 'BrickMismatch']],
    says: /change one thing at a time/i,
  },
  {
    name: 'a Distribute brick that differs cannot be replaced',
    input: managed(
      aVolumeSpec({ layout: { type: 'Distribute' }, bricks: bricksOn(['n1', 'n3']) }),
      anObservedVolume({
        typeStr: 'Distribute',
        replicaCount: 1,
        onBricks: bricksOn(['n1', 'n2']),
      }),
    ),
    blocked: [['reshape', 'BrickMismatch']],
  },

  // Shrink.
  {
    name: 'the last set dropped from spec: its removal started, alone',
    input: managed(aVolumeSpec(), twoSets, { members: six }),
    batch: [{ kind: 'removeBricksStart', bricks: [b('n4'), b('n5'), b('n6')] }],
    blocked: [],
  },
  {
    name: 'the removal in progress: nothing but waiting',
    input: managed(aVolumeSpec(), twoSets, {
      members: six,
      removeBrick: aRemoveBrick('in progress', [b('n4'), b('n5'), b('n6')]),
    }),
    batch: [],
    blocked: [],
    inFlight: 'RemovingBricks',
  },
  {
    name: 'the removal completed: committed, alone',
    input: managed(aVolumeSpec(), twoSets, {
      members: six,
      removeBrick: aRemoveBrick('completed', [b('n6'), b('n5'), b('n4')]),
    }),
    batch: [{ kind: 'removeBricksCommit', bricks: [b('n4'), b('n5'), b('n6')] }],
  },
  {
    name: 'the removal failed: never committed, a person decides',
    input: managed(aVolumeSpec(), twoSets, {
      members: six,
      removeBrick: aRemoveBrick('failed', [b('n4'), b('n5'), b('n6')], { failures: 3 }),
    }),
    batch: [],
    blocked: [['removeBricksCommit', 'RemoveBrickFailed']],
    says: /ended failed after moving 0 files with 3 failures; it is not committed/,
  },
  {
    name: 'the removal stopped: never committed',
    input: managed(aVolumeSpec(), twoSets, {
      members: six,
      removeBrick: aRemoveBrick('stopped', [b('n4'), b('n5'), b('n6')]),
    }),
    blocked: [['removeBricksCommit', 'RemoveBrickFailed']],
  },
  {
    name: 'the remove-brick status not read: nothing started on a guess',
    input: managed(aVolumeSpec(), twoSets, { members: six, removeBrick: undefined }),
    batch: [],
    blocked: [['removeBricksStart', 'IncompleteObservation']],
  },
  {
    name: 'a removal with spec asking for a stopped volume: a person decides',
    input: managed(aVolumeSpec({ state: 'Stopped' }), twoSets, { members: six }),
    batch: [{ kind: 'stop' }],
    blocked: [['removeBricksStart', 'VolumeNotStarted']],
  },
  {
    name: 'a removal whose bricks host is down: waits',
    input: managed(aVolumeSpec(), twoSets, {
      members: [...six.slice(0, 5), aMember('n6', 'GlusterdDown')],
    }),
    blocked: [['removeBricksStart', 'BrickHostNotConnected']],
  },
  {
    name: 'a remove-brick of bricks spec keeps: reported for a person',
    input: managed(aVolumeSpec({ bricks: bricksOn(nodes(6)) }), twoSets, {
      members: six,
      removeBrick: aRemoveBrick('in progress', [b('n4'), b('n5'), b('n6')]),
    }),
    batch: [],
    blocked: [['removeBricksStart', 'RemoveBrickNotInSpec']],
    inFlight: 'RemovingBricks',
  },
  {
    name: "a removal of other bricks than spec's is under way: not started",
    input: managed(aVolumeSpec(), anObservedVolume({ onBricks: bricksOn(nodes(9)) }), {
      members: nodes(9).map((node) => aMember(node)),
      removeBrick: aRemoveBrick('completed', [b('n7'), b('n8'), b('n9')]),
    }),
    blocked: [['removeBricksStart', 'RemoveBrickNotInSpec']],
  },

  // Deletion.
  {
    name: 'deleted with Retain: only the finalizer, even unread',
    input: aPlanInput(aVolumeSpec(), anObservation({ volume: undefined, commandNode: undefined }), {
      isDeleting: true,
    }),
    batch: [{ kind: 'removeFinalizer' }],
    blocked: [],
  },
  {
    name: 'deleted with Delete, volume started: stopped first, alone',
    input: aPlanInput(
      aVolumeSpec({ deletionPolicy: 'Delete' }),
      anObservation({ volume: oneSetOfSix }),
      {
        isDeleting: true,
        previous: aPreviousStatus(oneSetOfSix),
      },
    ),
    batch: [{ kind: 'stop' }],
  },
  {
    name: 'deleted with Delete, volume stopped: its definition deleted',
    input: aPlanInput(
      aVolumeSpec({ deletionPolicy: 'Delete' }),
      anObservation({ volume: anObservedVolume({ state: 'Stopped' }) }),
      { isDeleting: true, previous: aPreviousStatus(oneSetOfSix) },
    ),
    batch: [{ kind: 'delete' }],
  },
  {
    name: 'deleted with Delete, volume gone: the finalizer removed',
    input: aPlanInput(aVolumeSpec({ deletionPolicy: 'Delete' }), anObservation(), {
      isDeleting: true,
      previous: aPreviousStatus(oneSetOfSix),
    }),
    batch: [{ kind: 'removeFinalizer' }],
  },
  {
    name: 'deleted with Delete, volume unread: the finalizer kept',
    input: aPlanInput(
      aVolumeSpec({ deletionPolicy: 'Delete' }),
      anObservation({ volume: undefined }),
      {
        isDeleting: true,
        previous: aPreviousStatus(oneSetOfSix),
      },
    ),
    batch: [],
    blocked: [['delete', 'IncompleteObservation']],
  },
  {
    name: 'deleted with Delete, a volume someone recreated under the name: not deleted, let go',
    input: aPlanInput(
      aVolumeSpec({ deletionPolicy: 'Delete' }),
      anObservation({ volume: anObservedVolume({ id: 'id-2' }) }),
      { isDeleting: true, previous: aPreviousStatus(oneSetOfSix) },
    ),
    batch: [{ kind: 'removeFinalizer' }],
    blocked: [['delete', 'VolumeIdChanged']],
  },
  {
    name: 'deleted with Delete while paused: nothing, the finalizer stays',
    input: aPlanInput(
      aVolumeSpec({ deletionPolicy: 'Delete', paused: true }),
      anObservation({ volume: oneSetOfSix }),
      { isDeleting: true, previous: aPreviousStatus(oneSetOfSix) },
    ),
    batch: [],
    blocked: [['stop', 'Paused']],
  },
  {
    name: 'deleted with Retain while paused: the finalizer removed',
    input: aPlanInput(aVolumeSpec({ paused: true }), anObservation({ volume: oneSetOfSix }), {
      isDeleting: true,
    }),
    batch: [{ kind: 'removeFinalizer' }],
    blocked: [],
  },

  // Paused, incomplete observation.
  {
    name: 'paused: an absent volume is not created; what would be done is reported',
    input: aPlanInput(aVolumeSpec({ paused: true, options: { 'a.one': '1' } }), anObservation()),
    batch: [],
    changes: [],
    blocked: [
      ['create', 'Paused'],
      ['setOptions', 'Paused'],
      ['start', 'Paused'],
    ],
    says: /spec\.paused is true: reported, not made: Creating v \(replica 3, tcp\) on n1:\/bricks\/v/,
  },
  {
    name: 'paused: a destructive change is reported too',
    input: managed(
      aVolumeSpec({ paused: true, bricks: bricksOn(['n1', 'n2', 'n4']) }),
      oneSetOfSix,
      {
        members: six,
      },
    ),
    batch: [],
    blocked: [['replaceBrick', 'Paused']],
  },
  {
    name: 'the volume could not be read: nothing at all',
    input: aPlanInput(
      aVolumeSpec({ options: { 'a.one': '1' } }),
      anObservation({ volume: undefined }),
      {
        previous: aPreviousStatus(oneSetOfSix),
      },
    ),
    ownership: 'Unknown',
    batch: [],
    blocked: [['all', 'IncompleteObservation']],
    says: /could not be read on n1/,
  },
  {
    name: 'no connected member to ask: nothing at all',
    input: aPlanInput(aVolumeSpec(), anObservation({ volume: undefined, commandNode: undefined })),
    batch: [],
    blocked: [['all', 'IncompleteObservation']],
    says: /No member of GlusterCluster pool is connected/,
  },

  // Mismatches, ownership.
  {
    name: 'the layout differs from spec: not reshaped, options still set',
    input: managed(
      aVolumeSpec({ options: { 'a.one': '1' } }),
      anObservedVolume({ replicaCount: 2, onBricks: bricksOn(['n1', 'n2']) }),
    ),
    batch: [{ kind: 'setOptions', options: [['a.one', '1']] }],
    blocked: [['reshape', 'LayoutMismatch']],
    says: /is replica 2 \(Replicate, 2 bricks\) where spec asks for replica 3/,
  },
  {
    name: 'the volume has another ID than the one recorded: recreated by someone, left alone',
    input: aPlanInput(
      aVolumeSpec({ options: { 'a.one': '1' } }),
      anObservation({ volume: anObservedVolume({ id: 'id-2', state: 'Stopped' }) }),
      { previous: aPreviousStatus(oneSetOfSix) },
    ),
    ownership: 'Replaced',
    batch: [],
    blocked: [['all', 'VolumeIdChanged']],
    says: /now has ID id-2, but this resource managed ID id-1/,
  },
  {
    name: 'the managed volume is gone: not created again on a guess',
    input: aPlanInput(aVolumeSpec(), anObservation(), { previous: aPreviousStatus(oneSetOfSix) }),
    ownership: 'Missing',
    batch: [],
    blocked: [['create', 'VolumeDeleted']],
  },
  {
    name: 'an existing volume that matches spec exactly: adopted, its options set and started',
    input: aPlanInput(
      aVolumeSpec({ options: { 'a.one': '1' } }),
      anObservation({
        volume: anObservedVolume({ state: 'Stopped', options: { 'x.person': 'y' } }),
      }),
    ),
    ownership: 'Adopted',
    batch: [{ kind: 'setOptions', options: [['a.one', '1']] }, { kind: 'start' }],
  },
  {
    name: 'an existing volume that differs from spec: not adopted, nothing changed',
    input: aPlanInput(
      aVolumeSpec({ options: { 'a.one': '1' }, transport: 'tcp' }),
      anObservation({
        volume: anObservedVolume({ transport: 'rdma', onBricks: bricksOn(['n1', 'n2', 'n4']) }),
        members: six,
      }),
    ),
    ownership: 'NotAdopted',
    batch: [],
    blocked: [['adopt', 'NotAdopted']],
    says: /its transport is rdma where spec asks for tcp; its bricks are n1:\/bricks\/v n2:\/bricks\/v n4:\/bricks\/v where spec asks for/,
  },
  {
    name: 'our own create, seen the next pass after a spec change: ours, and the change is made',
    input: aPlanInput(
      aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      anObservation({ volume: oneSetOfSix, members: six }),
      {
        previous: { state: 'Absent', conditions: [aCondition('Reconciling', 'True', 'Creating')] },
      },
    ),
    ownership: 'Created',
    batch: [
      { kind: 'addBricks', bricks: [b('n4'), b('n5'), b('n6')], layout: REPLICA_3, force: false },
    ],
  },
  {
    name: 'an invalid spec: nothing changed, the errors reported',
    input: managed(
      aVolumeSpec({ bricks: bricksOn(['n1', 'n2']), options: { 'a.one': '1' } }),
      oneSetOfSix,
    ),
    batch: [],
    blocked: [['all', 'InvalidSpec']],
    says: /not a whole number of sets of 3/,
  },
  {
    name: 'bricks are matched by host UUID: gluster calling a host by another name is no change',
    input: managed(
      aVolumeSpec(),
      anObservedVolume({
        bricks: nodes(3).map((node) =>
          anObservedBrick({ node, path: '/bricks/v/' }, { host: `${node}.example` }),
        ),
      }),
    ),
    batch: [],
    blocked: [],
  },
  {
    name: 'a brick host down is no reason to hold back options',
    input: managed(aVolumeSpec({ options: { 'a.one': '1' } }), oneSetOfSix, {
      members: [aMember('n1'), aMember('n2'), aMember('n3', 'Disconnected')],
      brickStatus: brickStatusOf(oneSetOfSix, [b('n3')]),
    }),
    batch: [{ kind: 'setOptions', options: [['a.one', '1']] }],
    blocked: [],
  },
];

describe('planVolume', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const plan = planVolume(tc.input);
      if (tc.batch) expect(plan.batch).to.deep.equal(tc.batch);
      if (tc.changes) expect(plan.changes).to.deep.equal(tc.changes);
      if (tc.blocked) {
        expect(plan.blocked.map((blocked) => [blocked.change, blocked.reason])).to.deep.equal(
          tc.blocked,
        );
      }
      if (tc.says)
        expect(plan.blocked.map((blocked) => blocked.message).join('\n')).to.match(tc.says);
      if (tc.ownership) expect(plan.ownership).to.equal(tc.ownership);
      if ('inFlight' in tc) expect(plan.inFlight).to.equal(tc.inFlight);
      if (tc.rebalanceOwed !== undefined) expect(plan.rebalanceOwed).to.equal(tc.rebalanceOwed);

      // The batch starts the changes; the count is the rest of them.
      expect(plan.changes.slice(0, plan.batch.length)).to.deep.equal(plan.batch);
      expect(plan.changes.length).to.equal(plan.batch.length + plan.remainingChanges);
      // A destructive change, or letting go, always goes alone.
      if (
        plan.batch.some(
          (action) => isDestructiveVolumeAction(action) || action.kind === 'removeFinalizer',
        )
      ) {
        expect(plan.batch).to.have.length(1);
      }
      // Paused: nothing but letting go.
      if (tc.input.spec.paused) {
        expect(plan.batch.every((action) => action.kind === 'removeFinalizer')).to.equal(true);
      }
    });
  }

  it('records the observed volume ID once the volume is ours, and keeps the recorded one otherwise', () => {
    const adopted = planVolume(aPlanInput(aVolumeSpec(), anObservation({ volume: oneSetOfSix })));
    expect([adopted.ownership, adopted.volumeId]).to.deep.equal(['Adopted', 'id-1']);
    const replaced = planVolume(
      aPlanInput(aVolumeSpec(), anObservation({ volume: anObservedVolume({ id: 'id-2' }) }), {
        previous: aPreviousStatus(oneSetOfSix),
      }),
    );
    expect(replaced.volumeId).to.equal('id-1');
    const notAdopted = planVolume(
      aPlanInput(
        aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }),
        anObservation({ volume: oneSetOfSix, members: six }),
      ),
    );
    expect(notAdopted.volumeId).to.equal(undefined);
    const unread = planVolume(
      aPlanInput(aVolumeSpec(), anObservation({ volume: undefined }), {
        previous: aPreviousStatus(oneSetOfSix),
      }),
    );
    expect(unread.volumeId).to.equal('id-1');
  });

  it('walks a shrink through start, progress and commit, never committing early', () => {
    const spec = aVolumeSpec();
    const removed = [b('n4'), b('n5'), b('n6')];
    const pass = (state: string) =>
      planVolume(
        managed(spec, twoSets, {
          members: six,
          removeBrick: aRemoveBrick(state, state === 'not started' ? [] : removed),
        }),
      ).batch.map((action) => action.kind);
    expect(pass('not started')).to.deep.equal(['removeBricksStart']);
    expect(pass('in progress')).to.deep.equal([]);
    expect(pass('fix-layout in progress')).to.deep.equal([]);
    expect(pass('completed')).to.deep.equal(['removeBricksCommit']);
    expect(pass('failed')).to.deep.equal([]);
    expect(pass('something new')).to.deep.equal([]);
  });

  it('walks a deletion with Delete through stop, delete and letting go, one step per pass', () => {
    const spec = aVolumeSpec({ deletionPolicy: 'Delete' });
    const previous = aPreviousStatus(oneSetOfSix);
    const pass = (volume: ObservedVolume | null) =>
      planVolume(aPlanInput(spec, anObservation({ volume }), { isDeleting: true, previous })).batch;
    expect(pass(oneSetOfSix)).to.deep.equal([{ kind: 'stop' }]);
    expect(pass(anObservedVolume({ state: 'Stopped' }))).to.deep.equal([{ kind: 'delete' }]);
    expect(pass(null)).to.deep.equal([{ kind: 'removeFinalizer' }]);
  });
});
