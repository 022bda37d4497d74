import { expect } from 'chai';
import type { GlusterVolumeStatus, VolumeCondition } from '../../../../src/api/gluster-volume.js';
import type { PassFailure } from '../../../../src/core/compute-status.js';
import { computeVolumeStatus } from '../../../../src/core/volume/compute-volume-status.js';
import type { PlanVolumeInput } from '../../../../src/core/volume/plan-volume.js';
import { planVolume } from '../../../../src/core/volume/plan-volume.js';
import type {
  ObservedVolume,
  VolumeObservation,
} from '../../../../src/core/volume/volume-observation.js';
import type { VolumePlan } from '../../../../src/core/volume/volume-plan-types.js';
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

const NOW = '2026-11-22T10:00:00Z';
const LATER = '2026-11-22T10:05:00Z';
const LATEST = '2026-11-22T10:10:00Z';
const GENERATION = 4;
const b = (node: string): string => `${node}:/bricks/v`;
const six = nodes(6).map((node) => aMember(node));
const healthy = anObservedVolume();
const twoSets = anObservedVolume({
  onBricks: bricksOn(nodes(6)),
  typeStr: 'Distributed-Replicate',
});

function pass(
  input: PlanVolumeInput,
  options: { failure?: PassFailure; now?: string } = {},
): { plan: VolumePlan; status: GlusterVolumeStatus } {
  const plan = planVolume(input);
  const status = computeVolumeStatus({
    spec: input.spec,
    generation: GENERATION,
    observation: input.observation,
    plan,
    failure: options.failure,
    previous: input.previous,
    now: options.now ?? NOW,
  });
  return { plan, status };
}

function managed(
  volume: ObservedVolume,
  observation: Partial<VolumeObservation> = {},
  spec = aVolumeSpec(),
  previous: Overrides<GlusterVolumeStatus> = {},
): PlanVolumeInput {
  return aPlanInput(spec, anObservation({ volume, ...observation }), {
    previous: aPreviousStatus(volume, previous),
  });
}

function conditions(status: GlusterVolumeStatus): Record<string, string> {
  return Object.fromEntries(
    (status.conditions ?? []).map((condition: VolumeCondition) => [
      condition.type,
      `${condition.status} ${condition.reason}`,
    ]),
  );
}

function condition(status: GlusterVolumeStatus, type: string): VolumeCondition {
  const found = status.conditions?.find((candidate) => candidate.type === type);
  if (!found) throw new Error(`no ${type} condition`);
  return found;
}

const ALL_WELL = {
  Ready: 'True VolumeReady',
  Reconciling: 'False Reconciled',
  Stalled: 'False NotStalled',
  Degraded: 'False Healthy',
  RebalancePending: 'False NotPending',
};

describe('computeVolumeStatus', () => {
  const cases: {
    name: string;
    input: PlanVolumeInput;
    failure?: PassFailure;
    expected: Record<string, string>;
    /** Matched against the message of each condition named. */
    says?: Record<string, RegExp>;
  }[] = [
    {
      name: 'a started volume, every brick online, nothing to heal: Ready, nothing else',
      input: managed(healthy),
      expected: ALL_WELL,
      says: { Ready: /^Volume v is Started with all 3 bricks online and nothing to heal$/ },
    },
    {
      name: 'a volume stopped as spec asks: Ready; no brick is expected to run',
      input: managed(anObservedVolume({ state: 'Stopped' }), {}, aVolumeSpec({ state: 'Stopped' })),
      expected: { ...ALL_WELL, Degraded: 'False NotStarted' },
    },
    {
      name: 'a brick offline: Degraded naming it, not Ready',
      input: managed(healthy, {
        members: [aMember('n1'), aMember('n2'), aMember('n3', 'Disconnected')],
        brickStatus: brickStatusOf(healthy, [b('n3')]),
      }),
      expected: { ...ALL_WELL, Ready: 'False BrickOffline', Degraded: 'True BrickOffline' },
      says: { Degraded: /^1 of 3 bricks offline: n3:\/bricks\/v \(set 0\)$/ },
    },
    {
      name: 'entries pending heal: Degraded HealPending, with the count per brick',
      input: managed(healthy, {
        heal: healOf(healthy, { [b('n1')]: aHeal(7), [b('n2')]: aHeal(5) }),
      }),
      expected: { ...ALL_WELL, Ready: 'False HealPending', Degraded: 'True HealPending' },
      says: { Degraded: /^12 entries pending heal \(n1:\/bricks\/v: 7, n2:\/bricks\/v: 5\)$/ },
    },
    {
      name: 'split-brain comes before heal pending, and both are said',
      input: managed(healthy, { heal: healOf(healthy, { [b('n1')]: aHeal(4, 2) }) }),
      expected: { ...ALL_WELL, Ready: 'False SplitBrain', Degraded: 'True SplitBrain' },
      says: {
        Degraded:
          /^2 entries in split-brain \(n1:\/bricks\/v: 2\): a person must choose the good copy.*; 4 entries pending heal/,
      },
    },
    {
      name: 'an absent volume to create: Reconciling Creating',
      input: aPlanInput(aVolumeSpec(), anObservation()),
      expected: {
        ...ALL_WELL,
        Ready: 'False Creating',
        Reconciling: 'True Creating',
        Degraded: 'False VolumeAbsent',
      },
      says: {
        Reconciling:
          /^Next: Creating v \(replica 3, tcp\) on n1:\/bricks\/v n2:\/bricks\/v n3:\/bricks\/v; Starting v$/,
      },
    },
    {
      name: 'glusterd refused the create (terminal): Stalled with its error, not Reconciling',
      input: aPlanInput(aVolumeSpec(), anObservation()),
      failure: {
        reason: 'CreateRefused',
        message: 'volume create: v: failed: /bricks/v is already part of a volume',
        isTerminal: true,
      },
      expected: {
        ...ALL_WELL,
        Ready: 'False CreateRefused',
        Reconciling: 'False CreateRefused',
        Stalled: 'True CreateRefused',
        Degraded: 'False VolumeAbsent',
      },
      says: { Stalled: /already part of a volume/ },
    },
    {
      name: 'a change that failed and will be retried: Reconciling with its reason',
      input: managed(healthy, {}, aVolumeSpec({ options: { 'a.one': '1' } })),
      failure: {
        reason: 'GlusterdBusy',
        message: 'Another transaction is in progress',
        isTerminal: false,
      },
      expected: { ...ALL_WELL, Ready: 'False GlusterdBusy', Reconciling: 'True GlusterdBusy' },
      says: { Reconciling: /^Retrying: Another transaction is in progress$/ },
    },
    {
      name: 'options to set: Reconciling SettingOptions',
      input: managed(healthy, {}, aVolumeSpec({ options: { 'a.one': '1' } })),
      expected: { ...ALL_WELL, Ready: 'False SettingOptions', Reconciling: 'True SettingOptions' },
    },
    {
      name: 'a layout that differs from spec: Stalled for a person, still healthy',
      input: managed(anObservedVolume({ replicaCount: 2, onBricks: bricksOn(['n1', 'n2']) })),
      expected: { ...ALL_WELL, Ready: 'False LayoutMismatch', Stalled: 'True LayoutMismatch' },
    },
    {
      name: 'two bricks differ: Stalled BrickMismatch',
      input: managed(
        healthy,
        { members: six },
        aVolumeSpec({ bricks: bricksOn(['n1', 'n5', 'n4']) }),
      ),
      expected: { ...ALL_WELL, Ready: 'False BrickMismatch', Stalled: 'True BrickMismatch' },
    },
    {
      name: 'an invalid spec: Stalled InvalidSpec',
      input: managed(healthy, {}, aVolumeSpec({ bricks: bricksOn(['n1', 'n2']) })),
      expected: { ...ALL_WELL, Ready: 'False InvalidSpec', Stalled: 'True InvalidSpec' },
    },
    {
      name: 'a volume recreated by someone: Stalled VolumeIdChanged',
      input: aPlanInput(
        aVolumeSpec(),
        anObservation({ volume: anObservedVolume({ id: 'id-2' }) }),
        {
          previous: aPreviousStatus(healthy),
        },
      ),
      expected: { ...ALL_WELL, Ready: 'False VolumeIdChanged', Stalled: 'True VolumeIdChanged' },
    },
    {
      name: 'a failed remove-brick: Stalled RemoveBrickFailed',
      input: managed(twoSets, {
        members: six,
        removeBrick: aRemoveBrick('failed', [b('n4'), b('n5'), b('n6')]),
      }),
      expected: {
        ...ALL_WELL,
        Ready: 'False RemoveBrickFailed',
        Stalled: 'True RemoveBrickFailed',
      },
    },
    {
      name: 'paused with changes not made: not Reconciling, not Ready, says so',
      input: managed(healthy, {}, aVolumeSpec({ paused: true, options: { 'a.one': '1' } })),
      expected: { ...ALL_WELL, Ready: 'False Paused', Reconciling: 'False Paused' },
      says: { Reconciling: /^Paused with 1 change\(s\) not made: Setting a\.one=1$/ },
    },
    {
      name: 'a remove-brick in progress: Reconciling RemovingBricks with its progress',
      input: managed(twoSets, {
        members: six,
        removeBrick: aRemoveBrick('in progress', [b('n4'), b('n5'), b('n6')], {
          filesMoved: 120,
          bytesMoved: 3 * 1024 ** 3,
          filesScanned: 500,
          runtimeSeconds: 42,
        }),
      }),
      expected: { ...ALL_WELL, Ready: 'False RemovingBricks', Reconciling: 'True RemovingBricks' },
      says: {
        Reconciling:
          /^Removing n4:\/bricks\/v n5:\/bricks\/v n6:\/bricks\/v: in progress, 120 files \(3\.0 GiB\) moved of 500 scanned, 0 failures, 0 skipped, 42 s$/,
      },
    },
    {
      name: 'a replacement waiting for heal: Reconciling with the blocked reason, Degraded',
      input: managed(
        healthy,
        { members: six, heal: healOf(healthy, { [b('n3')]: aHeal(3) }) },
        aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n4']) }),
      ),
      expected: {
        ...ALL_WELL,
        Ready: 'False ReplaceBlockedHealPending',
        Reconciling: 'True ReplaceBlockedHealPending',
        Degraded: 'True HealPending',
      },
    },
    {
      name: 'the volume could not be read: not Ready, Reconciling waits, Degraded unknown',
      input: aPlanInput(aVolumeSpec(), anObservation({ volume: undefined }), {
        previous: aPreviousStatus(healthy),
      }),
      expected: {
        ...ALL_WELL,
        Ready: 'False IncompleteObservation',
        Reconciling: 'True IncompleteObservation',
        Degraded: 'Unknown IncompleteObservation',
      },
    },
    {
      name: 'the brick status of a started volume was not read: Degraded unknown',
      input: managed(healthy, { brickStatus: undefined }),
      expected: {
        ...ALL_WELL,
        Ready: 'False IncompleteObservation',
        Degraded: 'Unknown IncompleteObservation',
      },
    },
    {
      name: 'a rebalance owed and started this pass: Reconciling Rebalancing, the debt paid',
      input: managed(twoSets, { members: six }, aVolumeSpec({ bricks: bricksOn(nodes(6)) }), {
        bricks: aPreviousStatus(healthy).bricks,
      }),
      expected: { ...ALL_WELL, Ready: 'False Rebalancing', Reconciling: 'True Rebalancing' },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const { status } = pass(tc.input, tc.failure ? { failure: tc.failure } : {});
      expect(conditions(status)).to.deep.equal(tc.expected);
      for (const [type, pattern] of Object.entries(tc.says ?? {})) {
        expect(condition(status, type).message).to.match(pattern);
      }
      expect(status.observedGeneration).to.equal(GENERATION);
      for (const each of status.conditions ?? []) {
        expect(each.observedGeneration).to.equal(GENERATION);
        expect(each.lastTransitionTime).to.equal(NOW);
      }
    });
  }

  it('reports each brick: its node by UUID, set, arbiter, process, space and heal; sums for the columns', () => {
    const volume = anObservedVolume({
      typeStr: 'Replicate',
      arbiterCount: 1,
      bricks: [
        anObservedBrick({ node: 'n1', path: '/bricks/v' }, { host: 'n1.example' }),
        anObservedBrick({ node: 'n2', path: '/bricks/v' }),
        anObservedBrick({ node: 'n3', path: '/bricks/v' }, { isArbiter: true }),
      ],
    });
    const { status } = pass(
      managed(
        volume,
        {
          brickStatus: brickStatusOf(volume, [b('n2')]),
          heal: healOf(volume, {
            'n1.example:/bricks/v': aHeal(2, 1),
            [b('n2')]: aHeal(0, 0, false),
          }),
        },
        aVolumeSpec({ layout: { type: 'Replicate', replica: 3, arbiter: 1 } }),
      ),
    );
    expect(status).to.include({
      volumeName: 'v',
      volumeId: 'id-1',
      state: 'Started',
      type: 'Replicate',
      commandNode: 'n1',
      bricksOnline: '2/3',
      healPending: 2,
      splitBrainEntries: 1,
    });
    expect(status.bricks).to.deep.equal([
      {
        name: 'n1.example:/bricks/v',
        node: 'n1',
        path: '/bricks/v',
        hostUuid: 'uuid-n1',
        index: 0,
        set: 0,
        isArbiter: false,
        online: true,
        port: 49152,
        pid: 4242,
        freeBytes: 9e9,
        totalBytes: 1e10,
        heal: { pending: 2, splitBrain: 1, possiblyHealing: 0 },
      },
      {
        name: b('n2'),
        node: 'n2',
        path: '/bricks/v',
        hostUuid: 'uuid-n2',
        index: 1,
        set: 0,
        isArbiter: false,
        online: false,
      },
      {
        name: b('n3'),
        node: 'n3',
        path: '/bricks/v',
        hostUuid: 'uuid-n3',
        index: 2,
        set: 0,
        isArbiter: true,
        online: true,
        port: 49152,
        pid: 4242,
        freeBytes: 9e9,
        totalBytes: 1e10,
        heal: { pending: 0, splitBrain: 0, possiblyHealing: 0 },
      },
    ]);
    expect(conditions(status)['Degraded']).to.equal('True BrickOffline');
  });

  it('numbers the sets of a distributed volume and shows a rebalance only once one ran', () => {
    const fresh = pass(
      managed(twoSets, { members: six }, aVolumeSpec({ bricks: bricksOn(nodes(6)) })),
    );
    expect(fresh.status.bricks?.map((brick) => brick.set)).to.deep.equal([0, 0, 0, 1, 1, 1]);
    expect(fresh.status.rebalance).to.equal(undefined);
    expect(fresh.status.removeBrick).to.equal(undefined);
    const ran = pass(
      managed(
        twoSets,
        { members: six, rebalance: aTask('completed', { filesMoved: 10 }) },
        aVolumeSpec({ bricks: bricksOn(nodes(6)) }),
      ),
    );
    expect(ran.status.rebalance).to.deep.equal(aTask('completed', { filesMoved: 10 }));
  });

  it('counts heal down while it drains, keeping the transition time, then is Ready', () => {
    const withPending = (pending: number) =>
      anObservation({ volume: healthy, heal: healOf(healthy, { [b('n1')]: aHeal(pending) }) });
    const first = pass(
      aPlanInput(aVolumeSpec(), withPending(12), { previous: aPreviousStatus(healthy) }),
    );
    expect(first.status.healPending).to.equal(12);
    expect(condition(first.status, 'Degraded')).to.include({
      status: 'True',
      lastTransitionTime: NOW,
    });

    const second = pass(aPlanInput(aVolumeSpec(), withPending(5), { previous: first.status }), {
      now: LATER,
    });
    expect(second.status.healPending).to.equal(5);
    expect(condition(second.status, 'Degraded')).to.include({
      status: 'True',
      reason: 'HealPending',
      lastTransitionTime: NOW,
    });
    expect(condition(second.status, 'Degraded').message).to.match(/^5 entries pending heal/);

    const third = pass(aPlanInput(aVolumeSpec(), withPending(0), { previous: second.status }), {
      now: LATEST,
    });
    expect(third.status.healPending).to.equal(0);
    expect(condition(third.status, 'Degraded')).to.include({
      status: 'False',
      lastTransitionTime: LATEST,
    });
    expect(condition(third.status, 'Ready')).to.include({
      status: 'True',
      lastTransitionTime: LATEST,
    });
    expect(condition(third.status, 'Stalled').lastTransitionTime).to.equal(NOW);
  });

  it("records spec's options in force and this resource's options awaiting reset, never a person's", () => {
    const volume = anObservedVolume({
      options: { 'a.one': 'x', 'b.mine': '1', 'person.own': 'y' },
    });
    const spec = aVolumeSpec({ options: { 'a.one': 'x', 'c.new': 'z' } });
    const { plan, status } = pass(
      managed(volume, {}, spec, { options: { 'a.one': 'x', 'b.mine': '1' } }),
    );
    expect(plan.batch).to.deep.equal([
      { kind: 'setOptions', options: [['c.new', 'z']] },
      { kind: 'resetOption', key: 'b.mine' },
    ]);
    // c.new is not in force yet; b.mine stays recorded until it is gone.
    expect(status.options).to.deep.equal({ 'a.one': 'x', 'b.mine': '1' });

    const after = anObservedVolume({ options: { 'a.one': 'x', 'c.new': 'z', 'person.own': 'y' } });
    const next = pass(aPlanInput(spec, anObservation({ volume: after }), { previous: status }));
    expect(next.plan.batch).to.deep.equal([]);
    expect(next.status.options).to.deep.equal({ 'a.one': 'x', 'c.new': 'z' });
  });

  it('keeps what it knew while the volume cannot be read, saying the state is Unknown', () => {
    const before = pass(managed(healthy, {}, aVolumeSpec({ options: { 'a.one': 'x' } }), {}));
    const known = { ...before.status, options: { 'a.one': 'x' } };
    const { status } = pass(
      aPlanInput(aVolumeSpec({ options: { 'a.one': 'x' } }), anObservation({ volume: undefined }), {
        previous: known,
      }),
    );
    expect(status).to.include({ state: 'Unknown', volumeId: 'id-1', type: 'Replicate' });
    expect(status.bricks).to.deep.equal(known.bricks);
    expect(status.options).to.deep.equal({ 'a.one': 'x' });
    expect(status.bricksOnline).to.equal(undefined);
  });

  it('keeps the volume ID it managed when a recreated volume holds the name', () => {
    const { status } = pass(
      aPlanInput(aVolumeSpec(), anObservation({ volume: anObservedVolume({ id: 'id-2' }) }), {
        previous: aPreviousStatus(healthy),
      }),
    );
    expect(status.volumeId).to.equal('id-1');
  });

  it('says a volume was adopted, and records it from then on', () => {
    const { status } = pass(aPlanInput(aVolumeSpec(), anObservation({ volume: healthy })));
    expect(status.volumeId).to.equal('id-1');
    expect(condition(status, 'Ready').message).to.match(/adopted: it existed and matches spec/);
    const next = pass(
      aPlanInput(aVolumeSpec(), anObservation({ volume: healthy }), { previous: status }),
    );
    expect(next.plan.ownership).to.equal('Managed');
  });

  it('carries an owed rebalance over a failed start, and drops it once one started', () => {
    const spec = aVolumeSpec({ bricks: bricksOn(nodes(6)) });
    const observation = anObservation({ volume: twoSets, members: six });
    // The add-brick pass wrote what it read: one set.
    const afterAdd = aPreviousStatus(healthy, {
      conditions: [aCondition('RebalancePending', 'False', 'NotPending')],
    });
    const failed = pass(aPlanInput(spec, observation, { previous: afterAdd }), {
      failure: {
        reason: 'GlusterdBusy',
        message: 'Another transaction is in progress',
        isTerminal: false,
      },
    });
    expect(failed.plan.batch).to.deep.equal([{ kind: 'rebalanceStart' }]);
    expect(condition(failed.status, 'RebalancePending')).to.include({
      status: 'True',
      reason: 'BricksAdded',
    });
    expect(failed.status.bricks).to.have.length(6);

    const retried = pass(aPlanInput(spec, observation, { previous: failed.status }), {
      now: LATER,
    });
    expect(retried.plan.batch).to.deep.equal([{ kind: 'rebalanceStart' }]);
    expect(condition(retried.status, 'RebalancePending')).to.include({
      status: 'False',
      lastTransitionTime: LATER,
    });

    const done = pass(
      aPlanInput(
        spec,
        { ...observation, rebalance: aTask('completed') },
        { previous: retried.status },
      ),
      { now: LATEST },
    );
    expect(done.plan.batch).to.deep.equal([]);
    expect(conditions(done.status)).to.deep.equal(ALL_WELL);
  });

  it('a start whose answer timed out but which glusterd ran: its new task ID pays the debt, and an unread rebalance keeps the recorded one', () => {
    const spec = aVolumeSpec({ bricks: bricksOn(nodes(6)) });
    const oldTask = aTask('completed', { taskId: 'aaaaaaaa-0000-4000-8000-000000000001' });
    const newTask = aTask('completed', { taskId: 'aaaaaaaa-0000-4000-8000-000000000002' });
    const observation = anObservation({ volume: twoSets, members: six, rebalance: oldTask });
    const afterAdd = aPreviousStatus(healthy, { rebalance: oldTask });
    const timedOut = pass(aPlanInput(spec, observation, { previous: afterAdd }), {
      failure: { reason: 'Timeout', message: 'gluster did not answer in 30 s', isTerminal: false },
    });
    expect(timedOut.plan.batch).to.deep.equal([{ kind: 'rebalanceStart' }]);
    expect(condition(timedOut.status, 'RebalancePending')).to.include({ status: 'True' });
    expect(timedOut.status.rebalance).to.deep.equal(oldTask);

    // The rebalance status could not be read: the recorded task stays, and so does the debt.
    const unread = pass(
      aPlanInput(spec, { ...observation, rebalance: undefined }, { previous: timedOut.status }),
      { now: LATER },
    );
    expect(unread.status.rebalance).to.deep.equal(oldTask);
    expect(condition(unread.status, 'RebalancePending')).to.include({ status: 'True' });

    const seen = pass(
      aPlanInput(spec, { ...observation, rebalance: newTask }, { previous: unread.status }),
      { now: LATEST },
    );
    expect(seen.plan.batch).to.deep.equal([]);
    expect(seen.status.rebalance).to.deep.equal(newTask);
    expect(conditions(seen.status)).to.deep.equal(ALL_WELL);
  });

  it('keeps a pending rebalance while paused', () => {
    const { status } = pass(
      managed(
        twoSets,
        { members: six },
        aVolumeSpec({ bricks: bricksOn(nodes(6)), paused: true }),
        {
          bricks: aPreviousStatus(healthy).bricks,
        },
      ),
    );
    expect(condition(status, 'RebalancePending')).to.include({
      status: 'True',
      reason: 'BricksAdded',
    });
    expect(condition(status, 'RebalancePending').message).to.match(/\(paused\)$/);
  });
});
