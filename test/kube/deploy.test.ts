import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  loadAllYaml,
  loadYaml,
  type V1Pod,
  type V1PolicyRule,
  type V1Secret,
} from '@kubernetes/client-node';
import { loadConfig } from '../../src/config.js';
import { loadLeaderElectionConfig } from '../../src/ha/index.js';
import { KNOWN_HOSTS_KEY, PRIVATE_KEY_KEY } from '../../src/kube/ssh-credentials.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import {
  apiErrorMessage,
  apiErrorStatus,
  createTestNamespace,
  loadKubeConfig,
} from '../support/kube-test-helpers.js';
import { operatorContainer, plainEnv } from '../support/operator-container.js';

const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));
const CRD_NAMES = ['glusterclusters.glusteroperator.io', 'glustervolumes.glusteroperator.io'];
const crdFile = (name: string): string =>
  fileURLToPath(new URL(`../../crds/${name}.yaml`, import.meta.url));
const NAMESPACE = 'gluster-operator';
const NAME = 'gluster-operator';
const POD_LABELS = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'operator' };

/** The ClusterRole's rules, one verb list per resource: what src/kube/*.ts calls, and no more. */
const CLUSTER_RULES: readonly V1PolicyRule[] = [
  {
    apiGroups: ['glusteroperator.io'],
    resources: ['glusterclusters'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
  { apiGroups: ['glusteroperator.io'], resources: ['glusterclusters/status'], verbs: ['update'] },
  {
    apiGroups: ['glusteroperator.io'],
    resources: ['glustervolumes'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
  { apiGroups: ['glusteroperator.io'], resources: ['glustervolumes/status'], verbs: ['update'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];
/** What src/ha/lease-lock.ts does: read, create, and merge-patch (never replace) the Lease. */
const LEASE_RULES: readonly V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'patch'] },
];
/** The events key Secret (EVENTS_KEY_SECRET's default), in the operator's namespace. */
const EVENTS_KEY_SECRET = 'gluster-operator-events';
/** What src/kube/events-key-secret.ts does: read the key Secret, create it when missing. */
/** What src/kube/leader-endpoint-slice.ts does: the leader writes the events Service's slice. */
const EVENTS_SLICE = 'gluster-operator-events-leader';
const EVENTS_KEY_RULES: readonly V1PolicyRule[] = [
  { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
  { apiGroups: [''], resources: ['secrets'], resourceNames: [EVENTS_KEY_SECRET], verbs: ['get'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['create'] },
  {
    apiGroups: ['discovery.k8s.io'],
    resources: ['endpointslices'],
    resourceNames: [EVENTS_SLICE],
    verbs: ['get', 'update'],
  },
];

/** Every environment variable `load` reads, found by watching it read them. */
function variablesReadBy(load: (env: NodeJS.ProcessEnv) => unknown): Set<string> {
  const names = new Set<string>();
  const watched = new Proxy<NodeJS.ProcessEnv>(
    {},
    {
      get(_target, key) {
        if (typeof key === 'string') names.add(key);
        return undefined;
      },
    },
  );
  try {
    load(watched);
  } catch {
    // An empty environment may be invalid (leader election needs a namespace); the reads are done.
  }
  return names;
}

describe('deploy/: kubectl apply -k against a real API server', function () {
  this.timeout(60_000);
  let cp: ControlPlane;
  let firstApply: { exitCode: number; stdout: string; stderr: string };
  let rendered: { kind: string; metadata: { name: string; namespace?: string } }[];
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let rbac: RbacAuthorizationV1Api;
  let policy: PolicyV1Api;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    const kubeConfig = loadKubeConfig(cp.kubeconfigPath);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
    rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    policy = kubeConfig.makeApiClient(PolicyV1Api);
    firstApply = await cp.kubectl(['apply', '-k', DEPLOY_DIR]);
    const build = await cp.kubectl(['kustomize', DEPLOY_DIR]);
    expect(build.exitCode, build.stderr).to.equal(0);
    rendered = loadAllYaml(build.stdout) as typeof rendered;
  });

  it('applies cleanly, and the pod template raises no Pod Security warning', () => {
    expect(firstApply.exitCode, firstApply.stderr).to.equal(0);
    expect(firstApply.stderr).not.to.match(/PodSecurity|violate/i);
  });

  it('holds exactly the operator objects, the CRDs being crds/ itself', () => {
    expect(
      rendered
        .map(
          (object) => `${object.kind} ${object.metadata.namespace ?? '-'}/${object.metadata.name}`,
        )
        .sort(),
    ).to.deep.equal(
      [
        `ClusterRole -/${NAME}`,
        `ClusterRole -/${NAME}-metrics-auth`,
        `ClusterRole -/${NAME}-metrics-reader`,
        `ClusterRoleBinding -/${NAME}`,
        `ClusterRoleBinding -/${NAME}-metrics-auth`,
        ...CRD_NAMES.map((name) => `CustomResourceDefinition -/${name}`),
        `Deployment ${NAMESPACE}/${NAME}`,
        `Namespace -/${NAMESPACE}`,
        `PodDisruptionBudget ${NAMESPACE}/${NAME}`,
        `Role ${NAMESPACE}/${NAME}-events-key`,
        `Role ${NAMESPACE}/${NAME}-leader-election`,
        `RoleBinding ${NAMESPACE}/${NAME}-events-key`,
        `RoleBinding ${NAMESPACE}/${NAME}-leader-election`,
        `Service ${NAMESPACE}/${NAME}-events`,
        `Service ${NAMESPACE}/${NAME}-metrics`,
        `ServiceAccount ${NAMESPACE}/${NAME}`,
      ].sort(),
    );
    for (const name of CRD_NAMES) {
      const crd = rendered.find(
        (object) => object.kind === 'CustomResourceDefinition' && object.metadata.name === name,
      );
      expect(crd, name).to.deep.equal(loadYaml(readFileSync(crdFile(name), 'utf8')));
    }
  });

  it('applying again writes nothing', async () => {
    // kubectl says "configured" for the PodDisruptionBudget every time (its selector is patched
    // with the replace strategy), so look at what the API server stored instead.
    const versions = async (): Promise<string[]> => {
      const got = await cp.kubectl(['get', '-k', DEPLOY_DIR, '-o', 'json']);
      expect(got.exitCode, got.stderr).to.equal(0);
      const list = JSON.parse(got.stdout) as {
        items: { kind: string; metadata: { name: string; resourceVersion: string } }[];
      };
      return list.items.map(
        (item) => `${item.kind}/${item.metadata.name}@${item.metadata.resourceVersion}`,
      );
    };
    const before = await versions();
    expect(before).to.have.length(rendered.length);
    const again = await cp.kubectl(['apply', '-k', DEPLOY_DIR]);
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(await versions()).to.deep.equal(before);
  });

  it('grants the service account exactly the verbs the operator uses, cluster-wide', async () => {
    const role = await rbac.readClusterRole({ name: NAME });
    expect(role.rules).to.deep.equal(CLUSTER_RULES);
    const binding = await rbac.readClusterRoleBinding({ name: NAME });
    expect(binding.roleRef).to.deep.equal({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: NAME,
    });
    expect(binding.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE },
    ]);
    await core.readNamespacedServiceAccount({ namespace: NAMESPACE, name: NAME });
  });

  it('grants Leases (get, create, patch) in the operator namespace only', async () => {
    const role = await rbac.readNamespacedRole({
      namespace: NAMESPACE,
      name: `${NAME}-leader-election`,
    });
    expect(role.rules).to.deep.equal(LEASE_RULES);
    const binding = await rbac.readNamespacedRoleBinding({
      namespace: NAMESPACE,
      name: `${NAME}-leader-election`,
    });
    expect(binding.roleRef).to.deep.equal({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: `${NAME}-leader-election`,
    });
    expect(binding.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE },
    ]);
  });

  it('grants the events key Secret (create, get by name) in the operator namespace only', async () => {
    const role = await rbac.readNamespacedRole({
      namespace: NAMESPACE,
      name: `${NAME}-events-key`,
    });
    expect(role.rules).to.deep.equal(EVENTS_KEY_RULES);
    const binding = await rbac.readNamespacedRoleBinding({
      namespace: NAMESPACE,
      name: `${NAME}-events-key`,
    });
    expect(binding.roleRef).to.deep.equal({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: `${NAME}-events-key`,
    });
    expect(binding.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE },
    ]);
  });

  it("lets the operator's service account create and get its events key Secret, and write no other Secret", async () => {
    const kubeconfigPath = await cp.serviceAccountKubeconfig(NAMESPACE, NAME);
    const other = await createTestNamespace(loadKubeConfig(cp.kubeconfigPath), 'deploy-other');
    // The API server's own answer (a SelfSubjectAccessReview), for the service account's token.
    const canI = async (...args: string[]): Promise<string> => {
      const answer = await cp.kubectl(['auth', 'can-i', ...args], { kubeconfigPath });
      return answer.stdout.trim();
    };
    const cases: { readonly args: string[]; readonly allowed: 'yes' | 'no' }[] = [
      { args: ['create', 'secrets', '-n', NAMESPACE], allowed: 'yes' },
      { args: ['get', `secrets/${EVENTS_KEY_SECRET}`, '-n', NAMESPACE], allowed: 'yes' },
      { args: ['create', 'secrets', '-n', other], allowed: 'no' },
      { args: ['update', `secrets/${EVENTS_KEY_SECRET}`, '-n', NAMESPACE], allowed: 'no' },
      { args: ['patch', `secrets/${EVENTS_KEY_SECRET}`, '-n', NAMESPACE], allowed: 'no' },
      { args: ['delete', `secrets/${EVENTS_KEY_SECRET}`, '-n', NAMESPACE], allowed: 'no' },
      { args: ['delete', 'secrets', '-n', NAMESPACE], allowed: 'no' },
      { args: ['create', 'endpointslices.discovery.k8s.io', '-n', NAMESPACE], allowed: 'yes' },
      {
        args: ['update', `endpointslices.discovery.k8s.io/${EVENTS_SLICE}`, '-n', NAMESPACE],
        allowed: 'yes',
      },
      {
        args: ['update', 'endpointslices.discovery.k8s.io/other', '-n', NAMESPACE],
        allowed: 'no',
      },
      { args: ['create', 'endpointslices.discovery.k8s.io', '-n', other], allowed: 'no' },
      {
        args: ['delete', `endpointslices.discovery.k8s.io/${EVENTS_SLICE}`, '-n', NAMESPACE],
        allowed: 'no',
      },
    ];
    for (const tc of cases) expect(await canI(...tc.args), tc.args.join(' ')).to.equal(tc.allowed);

    // And the requests themselves, as src/kube/events-key-secret.ts makes them (dry runs are
    // authorized as the real thing, and store nothing).
    const sa = loadKubeConfig(kubeconfigPath).makeApiClient(CoreV1Api);
    const aKey = (namespace: string): Parameters<CoreV1Api['createNamespacedSecret']>[0] => ({
      namespace,
      body: {
        metadata: { name: EVENTS_KEY_SECRET },
        type: 'Opaque',
        data: { key: Buffer.alloc(32, 1).toString('base64') },
      },
      dryRun: 'All',
    });
    await sa.createNamespacedSecret(aKey(NAMESPACE));
    expect(await apiErrorStatus(sa.createNamespacedSecret(aKey(other)))).to.equal(403);
    // get is allowed: the Secret (if another test's operator made it), or 404, never 403.
    const read = await sa
      .readNamespacedSecret({ namespace: NAMESPACE, name: EVENTS_KEY_SECRET })
      .then(
        () => 200,
        (error: unknown) => {
          if (error instanceof ApiException) return error.code;
          throw error;
        },
      );
    expect(read).to.be.oneOf([200, 404]);
  });

  it('exposes port 8090 as a NodePort for the storage nodes, without a selector (the leader keeps its endpoint)', async () => {
    const service = await core.readNamespacedService({
      namespace: NAMESPACE,
      name: `${NAME}-events`,
    });
    expect(service.spec?.type).to.equal('NodePort');
    expect(service.spec?.selector).to.equal(undefined);
    expect(service.spec?.ports).to.have.length(1);
    const [port] = service.spec?.ports ?? [];
    expect(port).to.deep.include({
      name: 'events',
      port: 8090,
      targetPort: 8090,
      protocol: 'TCP',
    });
    // Assigned by the API server from its NodePort range: what EVENTS_URL names.
    expect(port?.nodePort).to.be.a('number');
  });

  it('runs two replicas of the image as the service account, spread over nodes', async () => {
    const deployment = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME });
    const pod = deployment.spec?.template;
    expect(deployment.spec?.replicas).to.equal(2);
    expect(deployment.spec?.selector.matchLabels).to.deep.equal(POD_LABELS);
    expect(pod?.metadata?.labels).to.include(POD_LABELS);
    expect(pod?.spec?.serviceAccountName).to.equal(NAME);
    expect(operatorContainer(deployment).image).to.equal(
      'ghcr.io/gluster-operator/gluster-operator:0.1.0',
    );
    const byHost = pod?.spec?.topologySpreadConstraints?.find(
      (constraint) => constraint.topologyKey === 'kubernetes.io/hostname',
    );
    expect(byHost).to.deep.include({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(byHost?.labelSelector?.matchLabels).to.deep.equal(POD_LABELS);
    expect(pod?.metadata?.annotations).to.include({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
  });

  it('probes /healthz and /readyz on the port named http (8080), and receives events on 8090', async () => {
    const container = operatorContainer(
      await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME }),
    );
    expect(container.ports).to.deep.equal([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'events', containerPort: 8090, protocol: 'TCP' },
    ]);
    expect(container.livenessProbe?.httpGet).to.deep.include({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe?.httpGet).to.deep.include({ path: '/readyz', port: 'http' });
  });

  it('sets every variable src/config.ts and src/ha read, each accepted and at its default but HTTP_AUTH', async () => {
    const container = operatorContainer(
      await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME }),
    );
    const env = container.env ?? [];
    const fromPod = env.filter((entry) => entry.valueFrom !== undefined);
    expect(
      fromPod.map((entry) => [entry.name, entry.valueFrom?.fieldRef?.fieldPath]),
    ).to.deep.equal([
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
      ['POD_IP', 'status.podIP'],
    ]);
    const plain = plainEnv(env);
    const read = new Set([
      ...variablesReadBy((source) => loadConfig(source)),
      ...variablesReadBy((source) => loadLeaderElectionConfig(source)),
    ]);
    // Unset on purpose: all namespaces are watched, the Lease is in the pod's namespace, and the
    // URL the storage nodes post events to is the site's (a commented example instead), as is
    // the certificate of the events port (docs/deploy.md shows the overlay).
    const leftUnset = [
      'WATCH_NAMESPACE',
      'LEADER_ELECTION_NAMESPACE',
      'EVENTS_URL',
      'EVENTS_TLS_CERT_FILE',
      'EVENTS_TLS_KEY_FILE',
    ];
    expect(Object.keys(plain).sort()).to.deep.equal(
      [...read, 'NODE_OPTIONS']
        .filter((name) => !name.startsWith('POD_') && !leftUnset.includes(name))
        .sort(),
    );
    expect(plain['HTTP_PORT']).to.equal(String(container.ports?.[0]?.containerPort));
    expect(plain['EVENTS_PORT']).to.equal(
      String(container.ports?.find((port) => port.name === 'events')?.containerPort),
    );
    expect(plain['EVENTS_KEY_SECRET']).to.equal(EVENTS_KEY_SECRET);
    const pod = { POD_NAME: 'gluster-operator-1', POD_NAMESPACE: NAMESPACE, POD_IP: '10.244.0.5' };
    // Not at the process's defaults on purpose: /metrics and /status protected, and the events
    // Service kept pointing at the leader (service-events.yaml has no selector).
    expect(plain['HTTP_AUTH']).to.equal('kubernetes');
    expect(plain['EVENTS_SERVICE']).to.equal(`${NAME}-events`);
    expect(loadConfig({ ...plain, ...pod })).to.deep.equal({
      ...loadConfig(pod),
      httpAuth: 'kubernetes',
      eventsService: `${NAME}-events`,
    });
    const options = { randomSuffix: () => '0a1b2c3d' };
    expect(loadLeaderElectionConfig({ ...plain, ...pod }, options)).to.deep.equal(
      loadLeaderElectionConfig(pod, options),
    );
  });

  it('bounds memory (limit above request) and caps the V8 heap well below the limit', async () => {
    const container = operatorContainer(
      await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME }),
    );
    const mebibytes = (quantity: string | undefined): number => {
      const match = /^(\d+)Mi$/.exec(quantity ?? '');
      expect(match, `a quantity in Mi, not ${String(quantity)}`).to.not.equal(null);
      return Number(match![1]);
    };
    const resources = container.resources;
    const requested = mebibytes(resources?.requests?.['memory']);
    const limit = mebibytes(resources?.limits?.['memory']);
    expect(limit).to.be.greaterThan(requested);
    expect(resources?.requests?.['cpu']).to.be.a('string');
    expect(resources?.limits?.['cpu']).to.be.a('string');
    const heap = /--max-old-space-size=(\d+)/.exec(
      plainEnv(container.env ?? [])['NODE_OPTIONS'] ?? '',
    );
    expect(heap, 'NODE_OPTIONS caps the old space').to.not.equal(null);
    expect(Number(heap![1])).to.be.at.most(limit / 3);
  });

  it('runs non-root, read-only, with no privilege and the runtime seccomp profile', async () => {
    const deployment = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME });
    expect(deployment.spec?.template.spec?.securityContext).to.deep.include({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(operatorContainer(deployment).securityContext).to.deep.equal({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it("admits the operator's pod where the restricted Pod Security Standard is enforced", async () => {
    const namespace = await core.readNamespace({ name: NAMESPACE });
    expect(namespace.metadata?.labels).to.include({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const deployment = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: NAME });
    const pod: V1Pod = {
      metadata: { name: 'pod-security-check', labels: { check: 'true' } },
      spec: deployment.spec!.template.spec!,
    };
    // Admission runs on a dry run: the Pod the ReplicaSet would make is checked, none is stored.
    await core.createNamespacedPod({ namespace: NAMESPACE, body: pod, dryRun: 'All' });
    // And the check is real: the same pod without its container securityContext is refused.
    const unsafe = JSON.parse(JSON.stringify(pod)) as V1Pod;
    delete unsafe.spec!.containers[0]!.securityContext;
    expect(
      await apiErrorMessage(
        core.createNamespacedPod({ namespace: NAMESPACE, body: unsafe, dryRun: 'All' }),
      ),
    ).to.match(/violates PodSecurity "restricted/);
  });

  it('documents the SSH Secret with the keys the operator reads, in a form the API accepts', async () => {
    const example = loadYaml<V1Secret>(
      readFileSync(path.join(DEPLOY_DIR, 'examples/ssh-secret.yaml'), 'utf8'),
    );
    expect(Object.keys(example.stringData ?? {}).sort()).to.deep.equal(
      [KNOWN_HOSTS_KEY, PRIVATE_KEY_KEY].sort(),
    );
    await core.createNamespacedSecret({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'example-ssh', namespace: NAMESPACE },
        type: example.type!,
        stringData: example.stringData!,
      },
      dryRun: 'All',
    });
  });

  it('keeps one replica through voluntary disruptions, and evicts an unready one', async () => {
    const budget = await policy.readNamespacedPodDisruptionBudget({
      namespace: NAMESPACE,
      name: NAME,
    });
    expect(budget.spec?.minAvailable).to.equal(1);
    expect(budget.spec?.selector?.matchLabels).to.deep.equal(POD_LABELS);
    expect(budget.spec?.unhealthyPodEvictionPolicy).to.equal('AlwaysAllow');
  });
});
