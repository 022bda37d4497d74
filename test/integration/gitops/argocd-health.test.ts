import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type {
  Condition,
  GlusterCluster,
  GlusterClusterStatus,
} from '../../../src/api/gluster-cluster.js';
import type { PassFailure } from '../../../src/core/compute-status.js';
import { computeStatus } from '../../../src/core/compute-status.js';
import type { PlanInput } from '../../../src/core/plan-reconcile.js';
import { planReconcile } from '../../../src/core/plan-reconcile.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import {
  aHealthyPool,
  aMember,
  aNode,
  anObservation,
  anUnreachableNode,
  aPlanInput,
  uuidOf,
} from '../../support/pool-builders.js';
import type { ArgoHealth, HealthStatus } from './argocd-lua-harness.js';
import { HEALTH_STATUSES, LUA, runArgoHealthScript } from './argocd-lua-harness.js';
import type { JsonValue } from './lua-literal.js';

const SCRIPT_FILE = fileURLToPath(
  new URL('../../../deploy/argocd/glustercluster-health.lua', import.meta.url),
);
const GENERATION = 3;
const NOW = '2026-11-22T10:00:00Z';

const lone = (name: string, extra = {}) => aNode(name, [], extra);

/** The status the operator writes after a pass over `input`: the real planner and computeStatus. */
function reportedStatus(input: PlanInput, failure?: PassFailure): GlusterClusterStatus {
  const plan = planReconcile(input);
  return computeStatus({
    specNodes: input.nodes,
    removalPolicy: input.removalPolicy,
    generation: GENERATION,
    plan,
    observation: input.observation,
    failure,
    previous: undefined,
    now: NOW,
  });
}

/** The resource as Argo CD reads it from the API server: spec from `input`, then JSON. */
function aResource(
  input: PlanInput,
  status: GlusterClusterStatus | undefined,
  metadata: { generation?: number; deletionTimestamp?: string } = {},
): JsonValue {
  const resource: GlusterCluster = {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: {
      name: 'pool-a',
      namespace: 'storage',
      uid: '0b5c2f7e-4b8e-4a53-9d1e-3f0a2c1d9e77',
      generation: metadata.generation ?? GENERATION,
      finalizers: ['glusteroperator.io/pool'],
      ...(metadata.deletionTimestamp === undefined
        ? {}
        : { deletionTimestamp: metadata.deletionTimestamp }),
    },
    spec: {
      nodes: input.nodes,
      ssh: { secretRef: { name: 'gluster-ssh' } },
      removalPolicy: input.removalPolicy,
      deletionPolicy: input.deletionPolicy,
      paused: input.paused,
    },
    ...(status === undefined ? {} : { status }),
  };
  return JSON.parse(JSON.stringify(resource)) as JsonValue;
}

function conditionsOf(status: GlusterClusterStatus): Record<string, string> {
  return Object.fromEntries(
    (status.conditions ?? []).map((c: Condition) => [c.type, `${c.status} ${c.reason}`]),
  );
}

interface Sample {
  readonly name: string;
  readonly resource: JsonValue;
  /** What the sample stands for, checked so that a change in computeStatus cannot empty it. */
  readonly conditions?: Record<string, string>;
  readonly expected: HealthStatus;
  /** Text the message must contain. */
  readonly message: string;
}

/** A sample whose status is what computeStatus reports for `input`. */
function reported(
  name: string,
  input: PlanInput,
  expected: HealthStatus,
  message: string,
  options: {
    conditions?: Record<string, string>;
    failure?: PassFailure;
    generation?: number;
    deletionTimestamp?: string;
  } = {},
): Sample {
  const status = reportedStatus(input, options.failure);
  const conditions = conditionsOf(status);
  for (const [type, value] of Object.entries(options.conditions ?? {})) {
    if (conditions[type] !== value) {
      throw new Error(
        `Sample "${name}": computeStatus reports ${type} ${String(conditions[type])}, not ${value}`,
      );
    }
  }
  return {
    name,
    resource: aResource(input, status, options),
    expected,
    message,
  };
}

const healthy = aPlanInput(['n1', 'n2', 'n3'], anObservation(aHealthyPool(['n1', 'n2', 'n3'])));
const glusterdDownOnN2 = anObservation([
  aNode('n1', [aMember('n2', { connected: false })]),
  anUnreachableNode('n2', 'glusterd'),
]);

/** Statuses written by the real computeStatus, one per situation an owner cares about. */
const REPORTED: readonly Sample[] = [
  reported('every node connected', healthy, 'Healthy', 'PoolReady: All 3 nodes are in the pool', {
    conditions: { Ready: 'True PoolReady', Reconciling: 'False Reconciled' },
  }),
  reported(
    'a member not in spec, kept by removalPolicy Retain',
    aPlanInput(['n1'], anObservation([aNode('n1', [aMember('x', { spec: false })])]), {
      removalPolicy: 'Retain',
    }),
    'Healthy',
    'PoolReady',
    { conditions: { Ready: 'True PoolReady' } },
  ),
  reported(
    'nodes to probe',
    aPlanInput(['n1', 'n2'], anObservation([lone('n1'), lone('n2')])),
    'Progressing',
    'ProbingNode: Next: Probing n2 from n1',
    { conditions: { Ready: 'False NodesJoining', Reconciling: 'True ProbingNode' } },
  ),
  reported(
    'a probe still spreading through the pool, a detach waiting for it',
    aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2', { state: 1 }), aMember('n3', { spec: false })]),
        aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
      ]),
    ),
    'Progressing',
    'WaitingForProbe',
    { conditions: { Reconciling: 'True WaitingForProbe' } },
  ),
  reported(
    'glusterd refused to answer on a member for a moment (state Unknown)',
    aPlanInput(
      ['n1', 'n2'],
      anObservation([
        aNode('n1', [aMember('n2')]),
        {
          ...anUnreachableNode('n2'),
          failure: { kind: 'gluster', reason: 'GlusterdBusy', message: 'opRet -22' },
        },
      ]),
    ),
    'Progressing',
    'StateUnknown',
    {
      conditions: {
        Ready: 'False StateUnknown',
        Reconciling: 'False Reconciled',
        Degraded: 'False Healthy',
      },
    },
  ),
  reported(
    'a pass failed and will be retried',
    aPlanInput(['n1', 'n2'], anObservation([lone('n1'), lone('n2')])),
    'Progressing',
    'ProbeTransportFailed: Retrying',
    {
      failure: {
        reason: 'ProbeTransportFailed',
        message: 'Transport endpoint is not connected',
        isTerminal: false,
      },
      conditions: { Reconciling: 'True ProbeTransportFailed' },
    },
  ),
  reported(
    'glusterd down on a member',
    aPlanInput(['n1', 'n2'], glusterdDownOnN2),
    'Degraded',
    'GlusterdDown: n2 is GlusterdDown',
    {
      conditions: {
        Ready: 'False GlusterdDown',
        Degraded: 'True GlusterdDown',
        Stalled: 'False NotStalled',
      },
    },
  ),
  reported(
    'a member unreachable over SSH',
    aPlanInput(
      ['n1', 'n2'],
      anObservation([aNode('n1', [aMember('n2', { connected: false })]), anUnreachableNode('n2')]),
    ),
    'Degraded',
    'NodesUnreachable: n2 is Unreachable',
    { conditions: { Degraded: 'True NodesUnreachable' } },
  ),
  reported(
    'no node answers at all',
    aPlanInput(['n1', 'n2'], anObservation([anUnreachableNode('n1'), anUnreachableNode('n2')])),
    'Degraded',
    'NodesUnreachable',
    { conditions: { Ready: 'False NoReachableNode', Degraded: 'True NodesUnreachable' } },
  ),
  reported(
    'a rejected peer',
    aPlanInput(
      ['n1', 'n2'],
      anObservation([aNode('n1', [aMember('n2', { state: 6 })]), aNode('n2', [aMember('n1')])]),
    ),
    'Degraded',
    'PeerRejected',
    { conditions: { Degraded: 'True PeerRejected' } },
  ),
  reported(
    'a brick host removed from spec waits for a person',
    aPlanInput(
      ['n1'],
      anObservation([aNode('n1', [aMember('n2', { spec: false })])], {
        [uuidOf('n2')]: ['n2:/b1'],
      }),
    ),
    'Degraded',
    'DetachBlockedBricks: n2:',
    { conditions: { Stalled: 'True DetachBlockedBricks', Reconciling: 'False Reconciled' } },
  ),
  reported(
    'a spec node in another pool, without reclaimFromOtherPool',
    aPlanInput(
      ['n1', 'n2'],
      anObservation([lone('n1'), aNode('n2', [aMember('x', { spec: false })])]),
    ),
    'Degraded',
    'NodeInOtherPool',
    { conditions: { Stalled: 'True NodeInOtherPool', Ready: 'False NodeInOtherPool' } },
  ),
  reported(
    'an unusable SSH Secret: Stalled while Degraded stays False',
    aPlanInput(['n1'], anObservation(aHealthyPool(['n1']))),
    'Degraded',
    'InvalidSshSecret: Secret gluster-ssh has no ssh-privatekey',
    {
      failure: {
        reason: 'InvalidSshSecret',
        message: 'Secret gluster-ssh has no ssh-privatekey',
        isTerminal: true,
      },
      conditions: { Stalled: 'True InvalidSshSecret', Degraded: 'False Healthy' },
    },
  ),
  reported(
    'paused with a healthy pool',
    aPlanInput(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])), { paused: true }),
    'Suspended',
    'spec.paused is true',
    { conditions: { Ready: 'True PoolReady', Reconciling: 'False Reconciled' } },
  ),
  reported(
    'paused with a node left to probe',
    aPlanInput(['n1', 'n2'], anObservation([lone('n1'), lone('n2')]), { paused: true }),
    'Suspended',
    'Paused: Paused with 1 change(s) not made',
    { conditions: { Reconciling: 'False Paused' } },
  ),
  reported(
    'paused with a member down: the member still shows',
    aPlanInput(['n1', 'n2'], glusterdDownOnN2, { paused: true }),
    'Degraded',
    'GlusterdDown',
    { conditions: { Degraded: 'True GlusterdDown' } },
  ),
  reported(
    'the spec changed since the last report',
    healthy,
    'Progressing',
    'Waiting for the operator to act on generation 4 (status describes generation 3)',
    { generation: GENERATION + 1, conditions: { Ready: 'True PoolReady' } },
  ),
  reported(
    'being deleted with deletionPolicy Dissolve: detaching while the pool is still Ready',
    aPlanInput(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])), {
      isDeleting: true,
      deletionPolicy: 'Dissolve',
    }),
    'Progressing',
    'DetachingNode: Next: Detaching n2 on n1 (dissolving the pool)',
    {
      deletionTimestamp: '2026-11-22T09:59:00Z',
      conditions: { Ready: 'True PoolReady', Reconciling: 'True DetachingNode' },
    },
  ),
];

const ready = (message: string) => ({
  type: 'Ready',
  status: 'True',
  reason: 'PoolReady',
  message,
  observedGeneration: GENERATION,
  lastTransitionTime: NOW,
});
const base = aResource(healthy, undefined) as { [key: string]: JsonValue };
const withStatus = (status: JsonValue, metadata: JsonValue = base['metadata']!): JsonValue => ({
  ...base,
  metadata,
  status,
});

/** A healthy pool whose inventory source broke (the operator keeps the last good list). */
const healthyStatus = reportedStatus(healthy);
const INVENTORY_BROKEN: Sample = {
  name: 'a Ready pool whose node inventory cannot be read',
  resource: withStatus(
    JSON.parse(
      JSON.stringify({
        ...healthyStatus,
        conditions: [
          ...(healthyStatus.conditions ?? []),
          {
            type: 'InventorySynced',
            status: 'False',
            reason: 'InventoryUnavailable',
            message: 'ConfigMap peers/peers.json: not found. Keeping the last good list of 3 nodes',
            lastTransitionTime: NOW,
          },
        ],
      }),
    ) as JsonValue,
  ),
  expected: 'Degraded',
  message: 'InventoryUnavailable: ConfigMap peers/peers.json: not found',
};

/** Resources the operator never writes, which the script must still answer without an error. */
const EDGES: readonly Sample[] = [
  INVENTORY_BROKEN,
  {
    name: 'no status yet',
    resource: base,
    expected: 'Progressing',
    message: "operator's first report",
  },
  {
    name: 'an empty status',
    resource: withStatus({}),
    expected: 'Progressing',
    message: "operator's first report",
  },
  {
    name: 'observedGeneration but no conditions',
    resource: withStatus({ observedGeneration: GENERATION }),
    expected: 'Progressing',
    message: "report the pool's conditions",
  },
  {
    name: 'conditions that are not a list',
    resource: withStatus({ observedGeneration: GENERATION, conditions: 'Ready' }),
    expected: 'Progressing',
    message: "report the pool's conditions",
  },
  {
    name: 'conditions without a type, or with status "true" in lower case',
    resource: withStatus({
      observedGeneration: GENERATION,
      conditions: [{ status: 'True' }, 'Ready', 7, { type: 'Ready', status: 'true' }],
    }),
    expected: 'Progressing',
    // The Ready entry with status "true" still names the condition.
    message: 'Ready',
  },
  {
    name: 'Ready with status Unknown',
    resource: withStatus({
      observedGeneration: GENERATION,
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Starting', message: 'First pass' }],
    }),
    expected: 'Progressing',
    message: 'Starting: First pass',
  },
  {
    name: 'generations as strings (json.Number reaches Lua as a string)',
    resource: withStatus(
      { observedGeneration: '3', conditions: [ready('All good')] },
      { name: 'pool-a', generation: '3' },
    ),
    expected: 'Healthy',
    message: 'PoolReady: All good',
  },
  {
    name: 'a stale generation given as strings',
    resource: withStatus(
      { observedGeneration: '3', conditions: [ready('All good')] },
      { name: 'pool-a', generation: '12' },
    ),
    expected: 'Progressing',
    message: 'generation 12',
  },
  {
    name: 'no metadata.generation: the status is taken as current',
    resource: withStatus(
      { observedGeneration: GENERATION, conditions: [ready('All good')] },
      { name: 'pool-a' },
    ),
    expected: 'Healthy',
    message: 'All good',
  },
  {
    name: 'observedGeneration that is not a number',
    resource: withStatus({ observedGeneration: { value: 3 }, conditions: [ready('All good')] }),
    expected: 'Progressing',
    message: "operator's first report",
  },
  {
    name: 'Ready without reason or message',
    resource: withStatus({
      observedGeneration: GENERATION,
      conditions: [{ type: 'Ready', status: 'True' }],
    }),
    expected: 'Healthy',
    message: 'Ready',
  },
  {
    name: 'no spec at all',
    resource: {
      apiVersion: 'glusteroperator.io/v1alpha1',
      kind: 'GlusterCluster',
      metadata: { name: 'x', generation: 1 },
      status: { observedGeneration: 1, conditions: [ready('All good')] },
    },
    expected: 'Healthy',
    message: 'All good',
  },
  {
    name: 'a status that is a string',
    resource: withStatus('Ready'),
    expected: 'Progressing',
    message: "operator's first report",
  },
];

describe('deploy/argocd/glustercluster-health.lua on Lua 5.1, as Argo CD runs it', function () {
  this.timeout(30_000);
  let script: string;

  before(async function () {
    script = await readFile(SCRIPT_FILE, 'utf8');
    // Fails (never skips) without lua5.1, saying how to install it.
    const health = await runArgoHealthScript('return { status = "Healthy" }', null);
    expect(health.status, `${LUA} answers`).to.equal('Healthy');
  });

  async function check(sample: Sample): Promise<ArgoHealth> {
    const health = await runArgoHealthScript(script, sample.resource);
    expect(HEALTH_STATUSES, 'a status Argo CD knows').to.include(health.status);
    expect(health, sample.name).to.include({ status: sample.expected });
    expect(health.message).to.include(sample.message);
    return health;
  }

  describe('on statuses written by the real computeStatus', () => {
    for (const sample of REPORTED) it(`${sample.name}: ${sample.expected}`, () => check(sample));
  });

  describe('on resources the operator never writes', () => {
    for (const sample of EDGES) it(`${sample.name}: ${sample.expected}`, () => check(sample));
  });

  it("passes gluster's own text through to the message unchanged", async () => {
    for (const text of [...HOSTILE_STRINGS, ']]', '\\065', '\u0000nul', '日本語 ✓ 🚀', '\u2028']) {
      const resource = withStatus({
        observedGeneration: GENERATION,
        conditions: [
          { type: 'Stalled', status: 'True', reason: 'DetachBlockedBricks', message: text },
        ],
      });
      const health = await runArgoHealthScript(script, resource);
      expect(health, JSON.stringify(text)).to.deep.equal({
        status: 'Degraded',
        message: text === '' ? 'DetachBlockedBricks' : `DetachBlockedBricks: ${text}`,
      });
    }
  });

  it('covers Healthy, Progressing, Degraded and Suspended with the real statuses', () => {
    const covered = new Set(REPORTED.map((sample) => sample.expected));
    expect([...covered].sort()).to.deep.equal(['Degraded', 'Healthy', 'Progressing', 'Suspended']);
  });

  describe('the harness is no more lenient than Argo CD', () => {
    const resource = withStatus({ observedGeneration: GENERATION, conditions: [ready('ok')] });
    const cases: { name: string; script: string; message: RegExp }[] = [
      {
        name: 'no string library',
        script: 'return { status = string.upper("healthy") }',
        message: /string/,
      },
      {
        name: 'no string methods',
        script: 'local s = "Healthy"; return { status = s:sub(1) }',
        message: /index|method|sub/,
      },
      {
        name: 'no math library',
        script: 'return { status = "Healthy", message = math.floor(1.5) }',
        message: /math/,
      },
      { name: 'a Lua error', script: 'return obj.status.nothing.deeper', message: /nil/ },
      { name: 'not a table', script: 'return "Healthy"', message: /not string/ },
      {
        name: 'a status Argo CD does not know',
        script: 'return { status = "Ready" }',
        message: /invalid health status/,
      },
    ];
    for (const tc of cases) {
      it(`${tc.name}: Unknown`, async () => {
        const health = await runArgoHealthScript(tc.script, resource);
        expect(health.status).to.equal('Unknown');
        expect(health.message).to.match(tc.message);
      });
    }
  });
});
