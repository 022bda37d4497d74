import { expect } from 'chai';
import type { Condition, GlusterClusterStatus } from '../../../src/api/gluster-cluster.js';
import type { PassFailure } from '../../../src/core/compute-status.js';
import { computeStatus } from '../../../src/core/compute-status.js';
import type { PlanInput } from '../../../src/core/plan-reconcile.js';
import { planReconcile } from '../../../src/core/plan-reconcile.js';
import {
  aHealthyPool,
  aMember,
  aNode,
  anObservation,
  anUnreachableNode,
  aPlanInput,
  uuidOf,
} from '../../support/pool-builders.js';

const NOW = '2026-11-22T10:00:00Z';
const LATER = '2026-11-22T10:05:00Z';

function statusFor(
  input: PlanInput,
  options: { failure?: PassFailure; previous?: GlusterClusterStatus; now?: string } = {},
): GlusterClusterStatus {
  const plan = planReconcile(input);
  return computeStatus({
    specNodes: input.nodes,
    removalPolicy: input.removalPolicy,
    generation: 3,
    plan,
    observation: input.observation,
    failure: options.failure,
    previous: options.previous,
    now: options.now ?? NOW,
  });
}

function conditions(status: GlusterClusterStatus): Record<string, string> {
  return Object.fromEntries(
    (status.conditions ?? []).map((condition: Condition) => [
      condition.type,
      `${condition.status} ${condition.reason}`,
    ]),
  );
}

describe('computeStatus', () => {
  const cases: {
    name: string;
    input: PlanInput;
    failure?: PassFailure;
    expected: Record<string, string>;
  }[] = [
    {
      name: 'a healthy pool is Ready, not Reconciling, not Stalled, not Degraded',
      input: aPlanInput(['n1', 'n2', 'n3'], anObservation(aHealthyPool(['n1', 'n2', 'n3']))),
      expected: {
        Ready: 'True PoolReady',
        Reconciling: 'False Reconciled',
        Stalled: 'False NotStalled',
        Degraded: 'False Healthy',
      },
    },
    {
      name: 'nodes to probe: not Ready, Reconciling',
      input: aPlanInput(['n1', 'n2'], anObservation([aNode('n1', []), aNode('n2', [])])),
      expected: {
        Ready: 'False NodesJoining',
        Reconciling: 'True ProbingNode',
        Stalled: 'False NotStalled',
        Degraded: 'False Healthy',
      },
    },
    {
      name: 'glusterd down on a member: not Ready, Degraded, nothing to reconcile',
      input: aPlanInput(
        ['n1', 'n2'],
        anObservation([
          aNode('n1', [aMember('n2', { connected: false })]),
          anUnreachableNode('n2', 'glusterd'),
        ]),
      ),
      expected: {
        Ready: 'False GlusterdDown',
        Reconciling: 'False Reconciled',
        Stalled: 'False NotStalled',
        Degraded: 'True GlusterdDown',
      },
    },
    {
      name: "a member's host key no longer matches known_hosts: not Ready, Degraded and Stalled with its own reason, not the generic Unreachable",
      input: aPlanInput(
        ['n1', 'n2'],
        anObservation([
          aNode('n1', [aMember('n2')]),
          { ...anUnreachableNode('n2', 'host-key'), rememberedUuid: uuidOf('n2') },
        ]),
      ),
      expected: {
        Ready: 'False HostKeyMismatch',
        Reconciling: 'False Reconciled',
        Stalled: 'True HostKeyMismatch',
        Degraded: 'True HostKeyMismatch',
      },
    },
    {
      name: 'a brick host removed from spec: Stalled until a person moves the bricks',
      input: aPlanInput(
        ['n1'],
        anObservation([aNode('n1', [aMember('n2', { spec: false })])], {
          [uuidOf('n2')]: ['n2:/b1'],
        }),
      ),
      expected: {
        Ready: 'False UnmanagedMembers',
        Reconciling: 'False Reconciled',
        Stalled: 'True DetachBlockedBricks',
        Degraded: 'True DetachBlockedBricks',
      },
    },
    {
      name: 'a failed change is retried: Reconciling with the reason',
      input: aPlanInput(['n1', 'n2'], anObservation([aNode('n1', []), aNode('n2', [])])),
      failure: {
        reason: 'ProbeTransportFailed',
        message: 'Probe returned with Transport endpoint is not connected',
        isTerminal: false,
      },
      expected: {
        Ready: 'False NodesJoining',
        Reconciling: 'True ProbeTransportFailed',
        Stalled: 'False NotStalled',
        Degraded: 'False Healthy',
      },
    },
    {
      name: 'a terminal failure is Stalled',
      input: aPlanInput(['n1'], anObservation(aHealthyPool(['n1']))),
      failure: {
        reason: 'InvalidSshSecret',
        message: 'Secret gluster-ssh has no ssh-privatekey',
        isTerminal: true,
      },
      expected: {
        Ready: 'False InvalidSshSecret',
        Reconciling: 'False Reconciled',
        Stalled: 'True InvalidSshSecret',
        Degraded: 'False Healthy',
      },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const status = statusFor(tc.input, tc.failure ? { failure: tc.failure } : {});
      expect(conditions(status)).to.deep.equal(tc.expected);
      expect(status.observedGeneration).to.equal(3);
      for (const condition of status.conditions ?? [])
        expect(condition.observedGeneration).to.equal(3);
    });
  }

  it('counts members and connected nodes for the printer columns', () => {
    const status = statusFor(
      aPlanInput(
        ['n1', 'n2', 'n3'],
        anObservation([
          aNode('n1', [
            aMember('n2'),
            aMember('n3', { connected: false }),
            aMember('x', { spec: false }),
          ]),
          aNode('n2', [
            aMember('n1'),
            aMember('n3', { connected: false }),
            aMember('x', { spec: false }),
          ]),
          anUnreachableNode('n3', 'glusterd'),
        ]),
        { removalPolicy: 'Retain' },
      ),
    );
    expect(status).to.include({ members: 3, connected: 2, commandNode: 'n1', opVersion: 100000 });
    expect(status.unmanagedMembers).to.deep.equal([
      { hostname: 'x', uuid: uuidOf('x'), connected: true },
    ]);
    expect(
      status.nodes?.map((node) => [
        node.address,
        node.state,
        node.sshReachable,
        node.glusterdRunning,
      ]),
    ).to.deep.equal([
      ['n1', 'Connected', true, true],
      ['n2', 'Connected', true, true],
      ['n3', 'GlusterdDown', true, false],
    ]);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and lastSeen of a node that went away', () => {
    const healthy = aPlanInput(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])));
    const first = statusFor(healthy);
    const again = statusFor(healthy, { previous: first, now: LATER });
    expect(again.conditions?.map((condition) => condition.lastTransitionTime)).to.deep.equal([
      NOW,
      NOW,
      NOW,
      NOW,
    ]);
    expect(again.nodes?.[1]?.lastSeen).to.equal(LATER);

    const n2Gone = aPlanInput(
      ['n1', 'n2'],
      anObservation([aNode('n1', [aMember('n2', { connected: false })]), anUnreachableNode('n2')]),
    );
    const after = statusFor(n2Gone, { previous: again, now: '2026-11-22T10:10:00Z' });
    const ready = after.conditions?.find((condition) => condition.type === 'Ready');
    expect(ready).to.include({
      status: 'False',
      reason: 'NodesUnreachable',
      lastTransitionTime: '2026-11-22T10:10:00Z',
    });
    expect(after.nodes?.[1]).to.include({
      state: 'Unreachable',
      sshReachable: false,
      lastSeen: LATER,
    });
  });

  it('keeps condition messages within what the API server accepts', () => {
    const names = Array.from(
      { length: 64 },
      (_, index) => `node-${index}.${'x'.repeat(200)}.example`,
    );
    const status = statusFor(
      aPlanInput(names, anObservation(names.map((name) => anUnreachableNode(name)))),
    );
    for (const condition of status.conditions ?? [])
      expect(condition.message.length).to.be.at.most(4096);
    expect(status.conditions?.find((condition) => condition.type === 'Degraded')?.message).to.match(
      /\.\.\.$/,
    );
  });

  it('is equal for equal inputs, so an unchanged pool writes no status', () => {
    const input = aPlanInput(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])));
    const first = statusFor(input);
    expect(statusFor(input, { previous: first })).to.deep.equal(first);
  });
});
