import { expect } from 'chai';
import {
  AuthorizationV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import { FINALIZER, type GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { loadConfig } from '../../src/config.js';
import { startOperator, type RunningOperator } from '../../src/controller/operator.js';
import { createLeaseLock } from '../../src/ha/index.js';
import { createGlusterClusterApi } from '../../src/kube/gluster-cluster-api.js';
import { ForbiddenError } from '../../src/kube/kube-errors.js';
import type { Logger } from '../../src/observability/logger.js';
import type { ControlPlane } from '../support/control-plane.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createOperatorHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

const DEPLOY_DIR = new URL('../../deploy/', import.meta.url).pathname;
const OPERATOR_NAMESPACE = 'gluster-operator';
const SERVICE_ACCOUNT = 'gluster-operator';

interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly meta: Record<string, unknown>;
}

/** A Logger that keeps warnings and errors, so that a refusal by RBAC is seen, not just waited out. */
function recordingLogger(entries: LogEntry[], bound: Record<string, unknown> = {}): Logger {
  const keep =
    (level: string) =>
    (message: string, meta: Record<string, unknown> = {}): void => {
      entries.push({ level, message, meta: { ...bound, ...meta } });
    };
  return {
    error: keep('error'),
    warn: keep('warn'),
    info: () => undefined,
    debug: () => undefined,
    child: (meta) => recordingLogger(entries, { ...bound, ...meta }),
  };
}

/** (apiGroup, resource[names], verb) triples, the unit RBAC grants in. */
function grants(
  rules: readonly {
    apiGroups?: string[];
    resources?: string[];
    verbs: string[];
    resourceNames?: string[];
  }[],
): Set<string> {
  const result = new Set<string>();
  for (const rule of rules) {
    const names = rule.resourceNames?.length ? `[${rule.resourceNames.join(',')}]` : '';
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs) result.add(`${group}/${resource}${names}: ${verb}`);
  }
  return result;
}

/** What `identity` may do in `namespace` (SelfSubjectRulesReview, as `kubectl auth can-i --list`). */
async function rulesOf(
  kubeConfig: KubeConfig,
  namespace: string,
): Promise<{ resources: Set<string>; nonResources: Set<string> }> {
  const review = await kubeConfig
    .makeApiClient(AuthorizationV1Api)
    .createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  expect(review.status?.incomplete, review.status?.evaluationError).to.equal(false);
  const nonResources = new Set<string>();
  for (const rule of review.status?.nonResourceRules ?? [])
    for (const url of rule.nonResourceURLs ?? [])
      for (const verb of rule.verbs) nonResources.add(`${url}: ${verb}`);
  return { resources: grants(review.status?.resourceRules ?? []), nonResources };
}

function difference(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((entry) => !b.has(entry)).sort();
}

const CLUSTER_GRANTS = [
  'glusteroperator.io/glusterclusters: get',
  'glusteroperator.io/glusterclusters: list',
  'glusteroperator.io/glusterclusters: watch',
  'glusteroperator.io/glusterclusters: patch',
  'glusteroperator.io/glusterclusters/status: update',
  // For the GlusterVolume controller (deploy/cluster-role.yaml).
  'glusteroperator.io/glustervolumes: get',
  'glusteroperator.io/glustervolumes: list',
  'glusteroperator.io/glustervolumes: watch',
  'glusteroperator.io/glustervolumes: patch',
  'glusteroperator.io/glustervolumes/status: update',
  '/secrets: get',
  // The SSH Secrets are watched, metadata only (src/kube/secret-watch-api.ts).
  '/secrets: list',
  '/secrets: watch',
  '/configmaps: get',
  '/events: create',
  '/events: patch',
];
/** HTTP_AUTH=kubernetes: who may read /metrics and /status (gluster-operator-metrics-auth). */
const REVIEW_GRANTS = [
  'authentication.k8s.io/tokenreviews: create',
  'authorization.k8s.io/subjectaccessreviews: create',
];
const LEASE_GRANTS = [
  'coordination.k8s.io/leases: get',
  'coordination.k8s.io/leases: create',
  'coordination.k8s.io/leases: patch',
];
/**
 * glusterd's events (deploy/events-key-role.yaml): the key Secret, made when missing and read by
 * name; the events Service's EndpointSlice, which the leader keeps pointing at itself.
 */
const EVENTS_GRANTS = [
  '/secrets: create',
  '/secrets[gluster-operator-events]: get',
  'discovery.k8s.io/endpointslices: create',
  'discovery.k8s.io/endpointslices[gluster-operator-events-leader]: get',
  'discovery.k8s.io/endpointslices[gluster-operator-events-leader]: update',
];

describe("the operator with only its service account's permissions (deploy/ RBAC)", function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('rbac', 3);
  let cp: ControlPlane;
  let harness: OperatorHarness;
  let operatorKubeConfig: KubeConfig;
  let operatorKubeconfigPath: string;
  let admin: CoreV1Api;
  let operator: RunningOperator | undefined;
  const log: LogEntry[] = [];
  const n = (index: number) => pool().node(index);
  const specOf = (secretName: string): GlusterClusterSpec => ({
    nodes: [0, 1, 2].map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: secretName } },
    // Dissolve: the finalizer is added and removed (patch), the members detached on deletion.
    deletionPolicy: 'Dissolve',
    resyncInterval: '10s',
  });
  const eventsOf = async (name: string): Promise<CoreV1Event[]> =>
    (
      await admin.listNamespacedEvent({
        namespace: harness.namespace,
        fieldSelector: `involvedObject.name=${name}`,
      })
    ).items;

  before(async function () {
    this.timeout(300_000);
    cp = await getControlPlane();
    const applied = await cp.kubectl(['apply', '-k', DEPLOY_DIR]);
    expect(applied.exitCode, applied.stderr).to.equal(0);
    operatorKubeconfigPath = await cp.serviceAccountKubeconfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT);
    operatorKubeConfig = loadKubeConfig(operatorKubeconfigPath);
    // The test drives and reads as admin; only the operator runs as the service account.
    const adminConfig = loadKubeConfig(cp.kubeconfigPath);
    admin = adminConfig.makeApiClient(CoreV1Api);
    const namespace = await createTestNamespace(adminConfig, 'rbac');
    harness = await createOperatorHarness({
      kubeConfig: adminConfig,
      namespace,
      pool: pool().pool,
      resolver: pool().resolver,
    });
    operator = startOperator({
      kubeConfig: operatorKubeConfig,
      config: loadConfig({
        WATCH_NAMESPACE: namespace,
        PROGRESS_REQUEUE_MS: '500',
        GLUSTER_TIMEOUT_SECONDS: '10',
        SSH_CONNECT_TIMEOUT_MS: '3000',
        COMMAND_TIMEOUT_MS: '30000',
      }),
      logger: recordingLogger(log),
      resolver: pool().resolver,
    });
  });
  after(async () => {
    await operator?.stop();
  });

  it('reads the Secret a resource names, reports it missing, and counts the repeated Event', async () => {
    await harness.apply('pool', specOf('absent-ssh'));
    const stalled = await harness.waitFor(
      'pool',
      'be Stalled for want of its Secret, with the finalizer',
      (cluster) =>
        condition(cluster, 'Stalled') === 'True SshSecretNotFound' &&
        (cluster.metadata.finalizers ?? []).includes(FINALIZER),
    );
    expect(stalled.status?.observedGeneration).to.equal(stalled.metadata.generation);
    // The same Warning again one resync later: the Event's count goes up (a patch), no new Event.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const events = (await eventsOf('pool')).filter(
        (event) => event.reason === 'SshSecretNotFound',
      );
      expect(events).to.have.length.at.most(1);
      if ((events[0]?.count ?? 0) >= 2) break;
      if (Date.now() > deadline) throw new Error(`no repeated Event: ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  it('lists and watches GlusterClusters in every namespace, as deployed', async () => {
    const api = createGlusterClusterApi(operatorKubeConfig);
    const list = await api.list();
    expect(list.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`)).to.include(
      `${harness.namespace}/pool`,
    );
    const stop = new AbortController();
    const session = await api.watch(list.resourceVersion, () => undefined, stop.signal);
    stop.abort();
    expect(await session.ended).to.equal('aborted');
  });

  it('forms a real three-node pool to Ready, writing status and Events', async () => {
    await harness.apply('pool', specOf('gluster-ssh'));
    const ready = await harness.waitFor('pool', 'be Ready with 3 members', (cluster) =>
      isReadyAt(cluster, 3),
    );
    expect(ready.status?.nodes?.map((node) => node.state)).to.deep.equal([
      'Connected',
      'Connected',
      'Connected',
    ]);
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([3, 3, 3]);
    const probed = (await eventsOf('pool')).filter((event) => event.reason === 'Probed');
    expect(probed).to.have.length(2);
    expect(probed.map((event) => event.reportingComponent)).to.deep.equal([
      'glusteroperator.io/gluster-operator',
      'glusteroperator.io/gluster-operator',
    ]);
  });

  it('reads the inventory ConfigMap a resource names (configmaps get)', async () => {
    await admin.createNamespacedConfigMap({
      namespace: harness.namespace,
      body: {
        metadata: { name: 'peers' },
        data: {
          'peers.json': JSON.stringify({
            replicas: [0, 1, 2].map((index) => ({
              pid: index + 1,
              name: n(index).name,
              ip_address: n(index).ipv4,
              port: 24007,
            })),
          }),
        },
      },
    });
    // The same three nodes, listed by an inventory; Retain, so deleting it leaves the pool.
    await harness.apply('listed', {
      inventory: { configMapRef: { name: 'peers' } },
      ssh: { secretRef: { name: 'gluster-ssh' } },
    });
    const listed = await harness.waitFor('listed', 'be Ready from its inventory', (cluster) =>
      isReadyAt(cluster, 3),
    );
    expect(condition(listed, 'InventorySynced')).to.equal('True Synced');
    await harness.deleteAndWait('listed');
  });

  it('dissolves the pool when the resource is deleted, then removes its finalizer', async () => {
    await harness.deleteAndWait('pool');
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([1, 1, 1]);
    expect((await eventsOf('pool')).filter((event) => event.reason === 'Detached')).to.have.length(
      2,
    );
  });

  it('was never refused by the API server along the way', () => {
    const refusals = log.filter((entry) =>
      /forbidden|\b403\b/i.test(`${entry.message} ${JSON.stringify(entry.meta)}`),
    );
    expect(refusals).to.deep.equal([]);
  });

  it('takes, renews and heartbeats its Lease in the operator namespace, and nowhere else', async () => {
    const key = { namespace: OPERATOR_NAMESPACE, name: `rbac-check-${harness.namespace}` };
    const lock = createLeaseLock(operatorKubeConfig, key);
    const signal = new AbortController().signal;
    const now = new Date();
    const record = {
      holderIdentity: 'replica-a',
      leaseDurationSeconds: 15,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    expect(await lock.get(signal)).to.equal(undefined);
    const created = await lock.create(record, { 'replica-a': now.toISOString() }, signal);
    const renewed = await lock.update(
      created.resourceVersion,
      { record: { ...record, renewTime: new Date(now.getTime() + 2_000) } },
      signal,
    );
    const beat = await lock.update(
      renewed.resourceVersion,
      { replicas: { 'replica-a': now.toISOString(), 'replica-b': now.toISOString() } },
      signal,
    );
    expect((await lock.get(signal))?.resourceVersion).to.equal(beat.resourceVersion);
    const elsewhere = createLeaseLock(operatorKubeConfig, { ...key, namespace: harness.namespace });
    const refused = await elsewhere.create(record, {}, signal).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).to.be.instanceOf(ForbiddenError);
    await cp.kubectl(['delete', 'lease', '-n', key.namespace, key.name]);
  });

  it('can do nothing beyond the ClusterRole and the Role (rules review)', async () => {
    // What deploy/ adds to the account: its rules minus those of an account with no binding.
    const baseline = loadKubeConfig(
      await cp.serviceAccountKubeconfig(OPERATOR_NAMESPACE, 'no-bindings'),
    );
    for (const [namespace, expected] of [
      [
        OPERATOR_NAMESPACE,
        [...CLUSTER_GRANTS, ...REVIEW_GRANTS, ...LEASE_GRANTS, ...EVENTS_GRANTS],
      ],
      [harness.namespace, [...CLUSTER_GRANTS, ...REVIEW_GRANTS]],
    ] as const) {
      const granted = await rulesOf(operatorKubeConfig, namespace);
      const everyone = await rulesOf(baseline, namespace);
      expect(difference(granted.resources, everyone.resources), namespace).to.deep.equal(
        [...expected].sort(),
      );
      expect(difference(granted.nonResources, everyone.nonResources), namespace).to.deep.equal([]);
    }
  });

  describe('kubectl auth can-i as the service account', () => {
    const glc = 'glusterclusters.glusteroperator.io';
    const leases = 'leases.coordination.k8s.io';
    // [answer, args]; `NS` stands for the test namespace, `OP` for the operator's.
    const cases: [boolean, string][] = [
      [true, `list ${glc} --all-namespaces`],
      [true, `watch ${glc} --all-namespaces`],
      [true, `get ${glc} -n NS`],
      [true, `patch ${glc} -n NS`],
      [true, `update ${glc} --subresource=status -n NS`],
      [true, 'get secrets -n NS'],
      [true, 'list secrets -n NS'],
      [true, 'watch secrets --all-namespaces'],
      [true, 'create tokenreviews.authentication.k8s.io'],
      [true, 'create subjectaccessreviews.authorization.k8s.io'],
      [true, 'get configmaps -n NS'],
      [true, 'create events -n NS'],
      [true, 'patch events -n NS'],
      [true, `get ${leases} -n OP`],
      [true, `create ${leases} -n OP`],
      [true, `patch ${leases} -n OP`],
      [true, 'create secrets -n OP'],
      [true, 'create endpointslices.discovery.k8s.io -n OP'],
      [true, 'update endpointslices.discovery.k8s.io/gluster-operator-events-leader -n OP'],
      [false, 'update endpointslices.discovery.k8s.io/other -n OP'],
      [false, 'delete endpointslices.discovery.k8s.io/gluster-operator-events-leader -n OP'],
      [false, 'create endpointslices.discovery.k8s.io -n NS'],
      [false, 'update secrets/gluster-operator-events -n OP'],
      // The spec is never written: finalizers go through patch, status through /status.
      [false, `update ${glc} -n NS`],
      [false, `create ${glc} -n NS`],
      [false, `delete ${glc} -n NS`],
      [false, `patch ${glc} --subresource=status -n NS`],
      [false, `update ${glc} --subresource=finalizers -n NS`],
      // Secrets are read by name and watched (metadata only), never changed.
      [false, 'create secrets -n NS'],
      [false, 'delete secrets -n NS'],
      [false, 'patch secrets -n NS'],
      [false, 'update secrets -n NS'],
      // Inventory ConfigMaps too: read by name only.
      [false, 'list configmaps -n NS'],
      [false, 'watch configmaps -n NS'],
      [false, 'update configmaps -n NS'],
      [false, 'update events -n NS'],
      [false, 'delete events -n NS'],
      [false, 'list events -n NS'],
      // Leases: no replace, no listing, no deleting, and not outside the operator's namespace.
      [false, `update ${leases} -n OP`],
      [false, `list ${leases} -n OP`],
      [false, `watch ${leases} -n OP`],
      [false, `delete ${leases} -n OP`],
      [false, `get ${leases} -n NS`],
      [false, `create ${leases} -n NS`],
      [false, `patch ${leases} -n NS`],
      // Nothing else at all.
      [false, 'get pods -n NS'],
      [false, 'list pods --all-namespaces'],
      [false, 'create pods -n OP'],
      [false, 'list configmaps --all-namespaces'],
      [false, 'get nodes'],
      [false, 'create serviceaccounts/token -n OP'],
      [false, 'impersonate serviceaccounts -n OP'],
      [false, 'update customresourcedefinitions.apiextensions.k8s.io'],
      [false, 'create clusterrolebindings.rbac.authorization.k8s.io'],
      [false, 'escalate clusterroles.rbac.authorization.k8s.io'],
      [false, 'update deployments.apps -n OP'],
    ];
    for (const [allowed, args] of cases) {
      it(`${allowed ? 'can' : 'cannot'} ${args.replace('NS', '<test>').replace('OP', OPERATOR_NAMESPACE)}`, async () => {
        const argv = args
          .split(' ')
          .map((word) =>
            word === 'NS' ? harness.namespace : word === 'OP' ? OPERATOR_NAMESPACE : word,
          );
        const result = await cp.kubectl(['auth', 'can-i', ...argv], {
          kubeconfigPath: operatorKubeconfigPath,
        });
        expect(result.stdout.trim(), result.stderr).to.equal(allowed ? 'yes' : 'no');
        expect(result.exitCode).to.equal(allowed ? 0 : 1);
      });
    }
  });
});
