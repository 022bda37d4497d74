import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
  type V1Container,
  type V1Deployment,
  type V1NetworkPolicy,
  type V1Pod,
  type V1Role,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, PLURAL } from '../../src/api/gluster-cluster.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { freePort } from '../support/free-ports.js';
import {
  CHART_DIR,
  findObject,
  objectKey,
  parseManifests,
  renderChart,
  runHelm,
  templateArgs,
  type ManifestObject,
} from '../support/helm-chart.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { spawnOperator, type OperatorProcess } from '../support/operator-process.js';
import { runCommand } from '../support/run-command.js';
import { resolveTestTools, type TestTools } from '../support/test-tools.js';
import { operatorContainer, plainEnv } from '../support/operator-container.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FULL_VALUES = path.join(REPO, 'test/fixtures/helm/full-values.yaml');
/** The CRDs in crds/, each copied byte for byte to the chart's crds/. */
const CRD_FILES = [
  'glusterclusters.glusteroperator.io.yaml',
  'glustervolumes.glusteroperator.io.yaml',
];
/** Owned by the alerts work; the chart renders a PrometheusRule from it only when it exists. */
const ALERTS_FILE = path.join(CHART_DIR, 'files/alerts.yaml');
const DASHBOARD_FILE = path.join(CHART_DIR, 'files/dashboard.json');
const NAME = 'gluster-operator';
const NAMESPACE = 'gluster-operator';
const CRD_NAME = 'glusterclusters.glusteroperator.io';

/** The objects of the default values, as `Kind namespace/name`. */
const DEFAULT_OBJECTS = [
  `ClusterRole -/${NAME}`,
  `ClusterRole -/${NAME}-metrics-auth`,
  `ClusterRole -/${NAME}-metrics-reader`,
  `ClusterRoleBinding -/${NAME}`,
  `ClusterRoleBinding -/${NAME}-metrics-auth`,
  `Deployment ${NAMESPACE}/${NAME}`,
  `PodDisruptionBudget ${NAMESPACE}/${NAME}`,
  `Role ${NAMESPACE}/${NAME}-events-key`,
  `Role ${NAMESPACE}/${NAME}-leader-election`,
  `RoleBinding ${NAMESPACE}/${NAME}-events-key`,
  `RoleBinding ${NAMESPACE}/${NAME}-leader-election`,
  `Service ${NAMESPACE}/${NAME}-events`,
  `Service ${NAMESPACE}/${NAME}-metrics`,
  `ServiceAccount ${NAMESPACE}/${NAME}`,
];
const OPTIONAL_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'NetworkPolicy'];

/** A Service as the tests look at it. */
type ServiceObject = ManifestObject & {
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port?: number; targetPort?: unknown; nodePort?: number }[];
  };
};

/**
 * The events Role's rules (deploy/events-key-role.yaml) for a key Secret of this name and, with
 * the events Service, the EndpointSlice its leader keeps.
 */
function eventsKeyRules(secret: string, service?: string): unknown[] {
  return [
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], resourceNames: [secret], verbs: ['get'] },
    ...(service === undefined
      ? []
      : [
          { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['create'] },
          {
            apiGroups: ['discovery.k8s.io'],
            resources: ['endpointslices'],
            resourceNames: [`${service}-leader`],
            verbs: ['get', 'update'],
          },
        ]),
  ];
}

/** A rule file in the format files/alerts.yaml is to have, for the chart's own mechanics. */
const SAMPLE_ALERTS = `# A sample, not the operator's alerts.
groups:
  - name: gluster-operator.sample
    rules:
      - alert: GlusterOperatorSampleDown
        expr: up{job="gluster-operator"} == 0
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: 'Replica {{ $labels.pod }} is not scraped'
`;

function kindsOf(objects: readonly ManifestObject[]): Set<string> {
  return new Set(objects.map((object) => object.kind));
}

/** The chart copied to a temporary directory, for changes to files/ that the test makes itself. */
function copyChart(): { dir: string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'gop-chart-'));
  const dir = path.join(root, 'gluster-operator');
  cpSync(CHART_DIR, dir, { recursive: true });
  return {
    dir,
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The groups of a Prometheus rule file. */
function ruleGroups(text: string): unknown {
  const [document] = parseManifests(text) as unknown as { groups?: unknown }[];
  return document?.groups;
}

describe('charts/gluster-operator: helm lint and helm template', function () {
  this.timeout(60_000);
  let tools: TestTools;

  before(async function () {
    this.timeout(0); // the first run builds helm and promtool (scripts/test-tools)
    tools = await resolveTestTools();
  });

  it('passes helm lint --strict, with the default values and with every option on', async () => {
    for (const extra of [[], ['--values', FULL_VALUES]]) {
      const lint = await runHelm(['lint', '--strict', CHART_DIR, ...extra]);
      expect(lint.exitCode, `${lint.stdout}${lint.stderr}`).to.equal(0);
      expect(lint.stdout).to.include('0 chart(s) failed');
    }
  });

  it('is the version of package.json, and its CRDs are crds/ byte for byte', async () => {
    const chart = parseManifests(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'))[0] as
      { appVersion?: string } | undefined;
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(chart?.appVersion).to.equal(pkg.version);
    for (const file of CRD_FILES) {
      expect(
        readFileSync(path.join(CHART_DIR, 'crds', file), 'utf8') ===
          readFileSync(path.join(REPO, 'crds', file), 'utf8'),
        `charts/gluster-operator/crds/ differs from crds/: cp crds/${file} charts/gluster-operator/crds/`,
      ).to.equal(true);
    }
    const withCrds = await renderChart({ includeCrds: true });
    expect(
      withCrds
        .filter((o) => o.kind === 'CustomResourceDefinition')
        .map(objectKey)
        .sort(),
    ).to.deep.equal(
      CRD_FILES.map((file) => `CustomResourceDefinition -/${file.replace(/\.yaml$/, '')}`),
    );
  });

  describe('default values', () => {
    let objects: ManifestObject[];
    before(async () => {
      objects = await renderChart();
    });

    it('renders the objects of deploy/ (less the Namespace) and nothing optional', () => {
      expect(objects.map(objectKey).sort()).to.deep.equal([...DEFAULT_OBJECTS].sort());
      for (const kind of OPTIONAL_KINDS) expect(kindsOf(objects)).not.to.include(kind);
    });

    it('runs the image of appVersion with every setting at the operator default', () => {
      const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject;
      const container = operatorContainer(deployment);
      expect(deployment.spec?.replicas).to.equal(2);
      expect(container.image).to.equal('ghcr.io/gluster-operator/gluster-operator:0.1.0');
      expect(container.imagePullPolicy).to.equal('IfNotPresent');
      const env = plainEnv(container.env);
      expect(env).to.include({
        HTTP_AUTH: 'kubernetes',
        HTTP_PORT: '8080',
        LOG_LEVEL: 'info',
        LEADER_ELECTION: 'true',
        LEADER_ELECTION_LEASE_NAME: `${NAME}-leader`,
        EVENTS_PORT: '8090',
        EVENTS_KEY_SECRET: `${NAME}-events`,
      });
      expect(env).not.to.have.property('WATCH_NAMESPACE');
      expect(env).not.to.have.property('EVENTS_URL');
      expect(deployment.spec?.template.spec?.securityContext).to.deep.equal({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container.securityContext).to.deep.equal({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('names objects after a release that does not contain the chart name', async () => {
      const other = await renderChart({ releaseName: 'storage', namespace: 'ops' });
      expect(other.map(objectKey)).to.include.members([
        'ClusterRole -/storage-gluster-operator',
        'Deployment ops/storage-gluster-operator',
        'Service ops/storage-gluster-operator-metrics',
        'Service ops/storage-gluster-operator-events',
        'Role ops/storage-gluster-operator-events-key',
      ]);
      const env = plainEnv(
        operatorContainer(findObject(other, 'Deployment', 'storage-gluster-operator')).env,
      );
      expect(env['LEADER_ELECTION_LEASE_NAME']).to.equal('storage-gluster-operator-leader');
      // Its own key Secret, and the Role grants get on that one.
      expect(env['EVENTS_KEY_SECRET']).to.equal('storage-gluster-operator-events');
      const role = findObject(other, 'Role', 'storage-gluster-operator-events-key') as V1Role &
        ManifestObject;
      expect(role.rules).to.deep.equal(
        eventsKeyRules('storage-gluster-operator-events', 'storage-gluster-operator-events'),
      );
    });

    it('exposes the events port as a NodePort Service without a selector (the leader keeps its endpoint)', () => {
      const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject;
      expect(operatorContainer(deployment).ports).to.deep.equal([
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'events', containerPort: 8090, protocol: 'TCP' },
      ]);
      const service = findObject(objects, 'Service', `${NAME}-events`) as ServiceObject;
      expect(service.spec.type).to.equal('NodePort');
      expect(service.spec.selector).to.equal(undefined);
      expect(service.spec.ports).to.deep.equal([
        { name: 'events', port: 8090, targetPort: 8090, protocol: 'TCP' },
      ]);
      expect(plainEnv(operatorContainer(deployment).env)['EVENTS_SERVICE']).to.equal(
        `${NAME}-events`,
      );
      const role = findObject(objects, 'Role', `${NAME}-events-key`) as V1Role & ManifestObject;
      expect(role.rules).to.deep.equal(eventsKeyRules(`${NAME}-events`, `${NAME}-events`));
    });
  });

  describe('every option on (test/fixtures/helm/full-values.yaml)', () => {
    let objects: ManifestObject[];
    before(async () => {
      objects = await renderChart({ valuesFiles: [FULL_VALUES] });
    });

    it('adds the ServiceMonitor, PodMonitor, PrometheusRule, dashboard, NetworkPolicy and metrics-reader binding', () => {
      const keys = objects.map(objectKey);
      expect(keys).to.include.members([
        `ServiceMonitor ${NAMESPACE}/${NAME}`,
        `PodMonitor ${NAMESPACE}/${NAME}`,
        `PrometheusRule ${NAMESPACE}/${NAME}`,
        `ConfigMap ${NAMESPACE}/${NAME}-dashboard`,
        `NetworkPolicy ${NAMESPACE}/${NAME}`,
        `ClusterRoleBinding -/${NAME}-metrics-reader`,
      ]);
      const dashboard = findObject(objects, 'ConfigMap', `${NAME}-dashboard`) as ManifestObject & {
        data: Record<string, string>;
      };
      expect(dashboard.metadata.labels).to.include({ grafana_dashboard: '1' });
      expect(dashboard.metadata.annotations).to.include({ grafana_folder: 'Storage' });
      // Copied as it is: Grafana's own {{…}} legends are not taken for Helm templates.
      expect(dashboard.data['gluster-operator.json']).to.equal(
        readFileSync(DASHBOARD_FILE, 'utf8'),
      );
      const reader = findObject(
        objects,
        'ClusterRoleBinding',
        `${NAME}-metrics-reader`,
      ) as V1RoleBinding & ManifestObject;
      expect(reader.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' },
      ]);
    });

    it('scopes the operator to watchNamespace: a RoleBinding there, no ClusterRoleBinding', () => {
      const keys = objects.map(objectKey);
      expect(keys).to.include(`RoleBinding storage/${NAME}`);
      expect(keys).not.to.include(`ClusterRoleBinding -/${NAME}`);
      // TokenReviews and SubjectAccessReviews are cluster-scoped: still bound cluster-wide.
      expect(keys).to.include(`ClusterRoleBinding -/${NAME}-metrics-auth`);
      const binding = findObject(objects, 'RoleBinding', NAME) as V1RoleBinding & ManifestObject;
      expect(binding.roleRef).to.deep.equal({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: NAME,
      });
      expect(binding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: NAME, namespace: NAMESPACE },
      ]);
    });

    it('sets the Deployment from the values and keeps the security context', () => {
      const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject;
      const pod = deployment.spec!.template;
      const container = operatorContainer(deployment);
      expect(deployment.spec?.replicas).to.equal(3);
      expect(container.image).to.equal('registry.example.com/storage/gluster-operator:0.1.0-rc.1');
      expect(container.imagePullPolicy).to.equal('Always');
      expect(plainEnv(container.env)).to.include({
        WATCH_NAMESPACE: 'storage',
        LOG_LEVEL: 'debug',
        WORKERS: '8',
        DEFAULT_RESYNC_INTERVAL: '2m',
        EXTRA_SETTING: 'on',
        HTTP_AUTH: 'kubernetes',
      });
      expect(pod.spec?.imagePullSecrets).to.deep.equal([{ name: 'regcred' }]);
      expect(pod.spec?.priorityClassName).to.equal('system-cluster-critical');
      expect(pod.spec?.nodeSelector).to.deep.equal({ 'kubernetes.io/os': 'linux' });
      expect(pod.spec?.tolerations).to.have.length(1);
      expect(
        pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
      ).to.not.equal(undefined);
      expect(pod.spec?.topologySpreadConstraints?.map((c) => c.topologyKey)).to.deep.equal([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
        'example.com/rack',
      ]);
      expect(pod.metadata?.labels).to.include({ 'example.com/team': 'storage' });
      expect(pod.metadata?.annotations).to.include({
        'example.com/annotated': 'yes',
        'prometheus.io/port': '8080',
      });
      expect(container.securityContext?.readOnlyRootFilesystem).to.equal(true);
      expect(pod.spec?.securityContext?.runAsNonRoot).to.equal(true);
    });

    it('NetworkPolicy: egress to the API server, DNS and SSH only; ingress to the http port from the selected namespace, to the events port from anywhere', () => {
      const policy = findObject(objects, 'NetworkPolicy', NAME) as V1NetworkPolicy & ManifestObject;
      const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject;
      expect(policy.spec?.podSelector?.matchLabels).to.deep.equal(
        deployment.spec?.selector.matchLabels,
      );
      expect(policy.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
      expect(policy.spec?.ingress).to.deep.equal([
        {
          _from: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'observability' },
              },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
        // The events port from anywhere: the storage nodes are outside the cluster.
        { ports: [{ protocol: 'TCP', port: 8090 }] },
      ]);
      expect(policy.spec?.egress).to.deep.equal([
        {
          to: [{ ipBlock: { cidr: '192.0.2.10/32' } }, { ipBlock: { cidr: '192.0.2.11/32' } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 6443 },
          ],
        },
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: [{ ipBlock: { cidr: '198.51.100.0/24' } }, { ipBlock: { cidr: '2001:db8:42::/64' } }],
          ports: [{ protocol: 'TCP', port: 2222 }],
        },
        {
          to: [{ ipBlock: { cidr: '203.0.113.5/32' } }],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ]);
    });

    it('ServiceMonitor and PodMonitor scrape /metrics on the http port with a token', () => {
      const service = findObject(objects, 'Service', `${NAME}-metrics`) as ManifestObject & {
        spec: { selector: Record<string, string>; ports: unknown[] };
      };
      const selector = (findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject)
        .spec?.selector.matchLabels;
      expect(service.spec.selector).to.deep.equal(selector);
      expect(service.spec.ports).to.deep.equal([
        { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
      ]);
      type Monitor = ManifestObject & {
        spec: {
          selector: { matchLabels: Record<string, string> };
          endpoints?: Record<string, unknown>[];
          podMetricsEndpoints?: Record<string, unknown>[];
        };
      };
      const serviceMonitor = findObject(objects, 'ServiceMonitor', NAME) as Monitor;
      expect(serviceMonitor.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect(serviceMonitor.metadata.labels).to.include({ release: 'kube-prometheus-stack' });
      expect(serviceMonitor.spec.selector.matchLabels).to.deep.equal(selector);
      expect(serviceMonitor.spec.endpoints).to.deep.equal([
        {
          port: 'http',
          path: '/metrics',
          scheme: 'http',
          interval: '30s',
          scrapeTimeout: '10s',
          // files/alerts.yaml reads the GlusterCluster's namespace label as exported.
          honorLabels: true,
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        },
      ]);
      const podMonitor = findObject(objects, 'PodMonitor', NAME) as Monitor;
      expect(podMonitor.spec.podMetricsEndpoints?.[0]).to.deep.include({
        port: 'http',
        path: '/metrics',
        honorLabels: true,
        authorization: { type: 'Bearer', credentials: { name: 'prometheus-token', key: 'token' } },
      });
    });
  });

  describe('values that change what is rendered, and values refused', () => {
    const cases: {
      name: string;
      set: string[];
      check: (objects: ManifestObject[]) => void;
    }[] = [
      {
        name: 'metrics.auth=none: HTTP_AUTH=none and no TokenReview rights',
        set: ['metrics.auth=none', 'metrics.podMonitor.enabled=true'],
        check: (objects) => {
          const env = plainEnv(operatorContainer(findObject(objects, 'Deployment', NAME)).env);
          expect(env['HTTP_AUTH']).to.equal('none');
          expect(objects.map(objectKey)).not.to.include(`ClusterRole -/${NAME}-metrics-auth`);
          expect(objects.map(objectKey)).to.include(`ClusterRole -/${NAME}-metrics-reader`);
          const monitor = findObject(objects, 'PodMonitor', NAME) as unknown as {
            spec: { podMetricsEndpoints: Record<string, unknown>[] };
          };
          expect(monitor.spec.podMetricsEndpoints[0]).not.to.have.property('authorization');
        },
      },
      {
        name: 'one replica without leader election: LEADER_ELECTION=false and no Lease Role',
        set: ['leaderElection.enabled=false', 'replicaCount=1'],
        check: (objects) => {
          const env = plainEnv(operatorContainer(findObject(objects, 'Deployment', NAME)).env);
          expect(env['LEADER_ELECTION']).to.equal('false');
          expect(env).not.to.have.property('LEADER_ELECTION_LEASE_NAME');
          expect(objects.map(objectKey)).not.to.include(
            `Role ${NAMESPACE}/${NAME}-leader-election`,
          );
          expect(objects.map(objectKey)).not.to.include(
            `RoleBinding ${NAMESPACE}/${NAME}-leader-election`,
          );
        },
      },
      {
        name: 'events: EVENTS_URL, a fixed nodePort, a key Secret of its own',
        set: [
          'events.url=http://192.0.2.10:30890',
          'events.service.nodePort=30890',
          'events.keySecret=pool-events-key',
          'events.fallbackResync=1m',
        ],
        check: (objects) => {
          const env = plainEnv(operatorContainer(findObject(objects, 'Deployment', NAME)).env);
          expect(env).to.include({
            EVENTS_URL: 'http://192.0.2.10:30890',
            EVENTS_KEY_SECRET: 'pool-events-key',
            EVENTS_FALLBACK_RESYNC: '1m',
          });
          const service = findObject(objects, 'Service', `${NAME}-events`) as ServiceObject;
          expect(service.spec.ports?.[0]?.nodePort).to.equal(30890);
          const role = findObject(objects, 'Role', `${NAME}-events-key`) as V1Role & ManifestObject;
          expect(role.rules).to.deep.equal(eventsKeyRules('pool-events-key', `${NAME}-events`));
        },
      },
      {
        name: 'events.tls.secretName: the Secret mounted read-only, HTTPS on the events port',
        set: [
          'events.tls.secretName=gluster-operator-events-tls',
          'events.url=https://192.0.2.10:30890',
        ],
        check: (objects) => {
          const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment &
            ManifestObject;
          const container = operatorContainer(deployment);
          expect(plainEnv(container.env)).to.include({
            EVENTS_URL: 'https://192.0.2.10:30890',
            EVENTS_TLS_CERT_FILE: '/etc/gluster-operator/events-tls/tls.crt',
            EVENTS_TLS_KEY_FILE: '/etc/gluster-operator/events-tls/tls.key',
          });
          expect(container.volumeMounts).to.deep.equal([
            { name: 'events-tls', mountPath: '/etc/gluster-operator/events-tls', readOnly: true },
          ]);
          expect(deployment.spec?.template.spec?.volumes).to.deep.equal([
            { name: 'events-tls', secret: { secretName: 'gluster-operator-events-tls' } },
          ]);
        },
      },
      {
        name: 'events.service.type=ClusterIP (an Ingress in front): no nodePort',
        set: ['events.service.type=ClusterIP', 'events.service.nodePort=30890'],
        check: (objects) => {
          const service = findObject(objects, 'Service', `${NAME}-events`) as ServiceObject;
          expect(service.spec.type).to.equal('ClusterIP');
          expect(service.spec.ports?.[0]).not.to.have.property('nodePort');
        },
      },
      {
        name: 'events.port=0: no receiver, no events port, Service or key Role',
        set: [
          'events.port=0',
          'networkPolicy.enabled=true',
          'networkPolicy.apiServer.cidrs={10.0.0.1/32}',
          'networkPolicy.storageNodes.cidrs={10.1.0.0/16}',
        ],
        check: (objects) => {
          const container = operatorContainer(findObject(objects, 'Deployment', NAME));
          expect(plainEnv(container.env)['EVENTS_PORT']).to.equal('0');
          expect(container.ports?.map((port) => port.name)).to.deep.equal(['http']);
          const keys = objects.map(objectKey);
          expect(keys).not.to.include(`Service ${NAMESPACE}/${NAME}-events`);
          expect(keys).not.to.include(`Role ${NAMESPACE}/${NAME}-events-key`);
          expect(keys).not.to.include(`RoleBinding ${NAMESPACE}/${NAME}-events-key`);
          const policy = findObject(objects, 'NetworkPolicy', NAME) as V1NetworkPolicy &
            ManifestObject;
          expect(
            policy.spec?.ingress?.flatMap((rule) => rule.ports?.map((p) => p.port)),
          ).to.deep.equal([8080]);
        },
      },
      {
        name: 'events.service.enabled=false: the port and the key Role stay, no Service to keep',
        set: ['events.service.enabled=false'],
        check: (objects) => {
          const keys = objects.map(objectKey);
          expect(keys).not.to.include(`Service ${NAMESPACE}/${NAME}-events`);
          const role = findObject(objects, 'Role', `${NAME}-events-key`) as V1Role & ManifestObject;
          expect(role.rules).to.deep.equal(eventsKeyRules(`${NAME}-events`));
          const env = plainEnv(operatorContainer(findObject(objects, 'Deployment', NAME)).env);
          expect(env).not.to.have.property('EVENTS_SERVICE');
        },
      },
      {
        name: 'rbac.create=false and an existing service account: no RBAC objects',
        set: ['rbac.create=false', 'serviceAccount.create=false', 'serviceAccount.name=mine'],
        check: (objects) => {
          expect([...kindsOf(objects)].filter((kind) => /Role/.test(kind))).to.deep.equal([]);
          expect(kindsOf(objects)).not.to.include('ServiceAccount');
          const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment &
            ManifestObject;
          expect(deployment.spec?.template.spec?.serviceAccountName).to.equal('mine');
        },
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        tc.check(await renderChart({ set: tc.set }));
      });
    }

    const refused: { name: string; set: string[]; message: RegExp }[] = [
      { name: 'an unknown metrics.auth', set: ['metrics.auth=basic'], message: /auth/ },
      {
        name: 'a NetworkPolicy without the API server addresses',
        set: ['networkPolicy.enabled=true', 'networkPolicy.storageNodes.cidrs={10.1.0.0/16}'],
        message: /networkPolicy\.apiServer\.cidrs is required/,
      },
      {
        name: 'a NetworkPolicy without the storage nodes',
        set: ['networkPolicy.enabled=true', 'networkPolicy.apiServer.cidrs={10.0.0.1/32}'],
        message: /networkPolicy\.storageNodes\.cidrs is required/,
      },
      {
        name: 'two replicas without leader election',
        set: ['leaderElection.enabled=false'],
        message: /leaderElection\.enabled false needs replicaCount 1/,
      },
      {
        name: 'a PodMonitor with metrics.auth kubernetes but no token',
        set: ['metrics.podMonitor.enabled=true'],
        message: /metrics\.podMonitor\.authorization/,
      },
      {
        name: 'an events.url with credentials or a query',
        set: ['events.url=http://user:pw@192.0.2.10:30890'],
        message: /events\/url/,
      },
      { name: 'an events.url that is not http(s)', set: ['events.url=ftp://x'], message: /url/ },
      { name: 'an events.port out of range', set: ['events.port=70000'], message: /events/ },
      {
        name: 'an events.tls.secretName that is not a Secret name',
        set: ['events.tls.secretName=Not_A_Name'],
        message: /secretName/,
      },
      {
        name: 'an unknown events.service.type',
        set: ['events.service.type=Ingress'],
        message: /type/,
      },
      { name: 'a misspelt value', set: ['replicas=3'], message: /replicas/ },
      { name: 'an unknown log level', set: ['logLevel=verbose'], message: /logLevel/ },
    ];
    for (const tc of refused) {
      it(`refuses ${tc.name}`, async () => {
        const result = await runHelm(templateArgs({ set: tc.set }));
        expect(result.exitCode, result.stdout).to.not.equal(0);
        expect(result.stderr).to.match(tc.message);
      });
    }
  });

  describe('PrometheusRule from files/alerts.yaml', () => {
    it('renders nothing while the file is missing, even when enabled', async () => {
      const copy = copyChart();
      try {
        rmSync(path.join(copy.dir, 'files/alerts.yaml'), { force: true });
        const objects = await renderChart({
          chartDir: copy.dir,
          set: ['prometheusRule.enabled=true'],
        });
        expect(kindsOf(objects)).not.to.include('PrometheusRule');
      } finally {
        copy.remove();
      }
    });

    it("renders the file's groups unchanged, which promtool accepts", async () => {
      const copy = copyChart();
      try {
        const file = path.join(copy.dir, 'files/alerts.yaml');
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, SAMPLE_ALERTS);
        const check = await runCommand(tools.promtool, ['check', 'rules', file]);
        expect(check.exitCode, `${check.stdout}${check.stderr}`).to.equal(0);
        const off = await renderChart({ chartDir: copy.dir });
        expect(kindsOf(off)).not.to.include('PrometheusRule');
        const objects = await renderChart({
          chartDir: copy.dir,
          set: ['prometheusRule.enabled=true', 'prometheusRule.labels.release=prom'],
        });
        const rule = findObject(objects, 'PrometheusRule', NAME) as ManifestObject & {
          spec: { groups: unknown };
        };
        expect(rule.apiVersion).to.equal('monitoring.coreos.com/v1');
        expect(rule.metadata.labels).to.include({ release: 'prom' });
        expect(rule.spec.groups).to.deep.equal(ruleGroups(SAMPLE_ALERTS));
      } finally {
        copy.remove();
      }
    });

    it("renders the chart's own files/alerts.yaml, which promtool accepts", async () => {
      const check = await runCommand(tools.promtool, ['check', 'rules', ALERTS_FILE]);
      expect(check.exitCode, `${check.stdout}${check.stderr}`).to.equal(0);
      const objects = await renderChart({ set: ['prometheusRule.enabled=true'] });
      const rule = findObject(objects, 'PrometheusRule', NAME) as ManifestObject & {
        spec: { groups: unknown };
      };
      expect(rule.spec.groups).to.deep.equal(ruleGroups(readFileSync(ALERTS_FILE, 'utf8')));
    });
  });
});

describe('charts/gluster-operator: helm install against a real API server', function () {
  this.timeout(120_000);
  const suffix = randomBytes(3).toString('hex');
  /**
   * Contains the chart's name, so the objects are named after the release alone; short, as the
   * service account's user name is a certificate's CN (64 characters at most).
   */
  const release = `gluster-operator-${suffix}`;
  const namespace = `gop-helm-${suffix}`;
  let cp: ControlPlane;
  let watchNamespace: string;
  let apps: AppsV1Api;
  let core: CoreV1Api;
  let rbac: RbacAuthorizationV1Api;
  let installed = false;
  let operator: OperatorProcess | undefined;

  const helmOnCluster = (args: string[]) =>
    runHelm([...args, '--kubeconfig', cp.kubeconfigPath], { timeoutMs: 120_000 });

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    await resolveTestTools();
    cp = await getControlPlane();
    const kubeConfig = loadKubeConfig(cp.kubeconfigPath);
    apps = kubeConfig.makeApiClient(AppsV1Api);
    core = kubeConfig.makeApiClient(CoreV1Api);
    rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    watchNamespace = await createTestNamespace(kubeConfig, 'gop-helm-watch');
  });

  after(async function () {
    this.timeout(120_000);
    await operator?.stop();
    if (installed) await helmOnCluster(['uninstall', release, '--namespace', namespace]);
  });

  it('installs with the default values: every object stored, the CRD Established', async () => {
    // No controller-manager runs: the Deployment is stored but never becomes ready, so no --wait.
    const installStarted = performance.now();
    const install = await helmOnCluster([
      'install',
      release,
      CHART_DIR,
      '--namespace',
      namespace,
      '--create-namespace',
    ]);
    expect(install.exitCode, `${install.stdout}${install.stderr}`).to.equal(0);
    installed = true;
    // A figure for the README, not a limit: what `helm install` takes against a real API server.
    process.stderr.write(
      `      helm install (default values, no --wait): ${((performance.now() - installStarted) / 1000).toFixed(1)} s\n`,
    );
    const rendered = await renderChart({ releaseName: release, namespace });
    const manifest = await helmOnCluster(['get', 'manifest', release, '--namespace', namespace]);
    expect(parseManifests(manifest.stdout).map(objectKey).sort()).to.deep.equal(
      rendered.map(objectKey).sort(),
    );
    // The fixture applied crds/ before; the chart's copy is the same file, so helm left it.
    const crd = await loadKubeConfig(cp.kubeconfigPath)
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: CRD_NAME });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).to.equal('True');

    const deployment = await apps.readNamespacedDeployment({ namespace, name: release });
    const wanted = findObject(rendered, 'Deployment', release) as V1Deployment & ManifestObject;
    // (The API server adds fieldRef.apiVersion: v1 to the Downward API entries.)
    const envOf = (container: V1Container): string[] =>
      (container.env ?? []).map(
        (entry) =>
          `${entry.name}=${entry.value ?? `<${entry.valueFrom?.fieldRef?.fieldPath ?? '?'}>`}`,
      );
    expect(envOf(operatorContainer(deployment))).to.deep.equal(envOf(operatorContainer(wanted)));
    expect(deployment.spec?.replicas).to.equal(2);
    await core.readNamespacedServiceAccount({ namespace, name: release });
    const service = await core.readNamespacedService({ namespace, name: `${release}-metrics` });
    expect(service.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).to.deep.equal([
      ['http', 8080, 'http'],
    ]);
    expect(service.spec?.selector).to.deep.equal(deployment.spec?.selector.matchLabels);
    const budget = await loadKubeConfig(cp.kubeconfigPath)
      .makeApiClient(PolicyV1Api)
      .readNamespacedPodDisruptionBudget({ namespace, name: release });
    expect(budget.spec?.minAvailable).to.equal(1);
    for (const name of [release, `${release}-metrics-auth`, `${release}-metrics-reader`]) {
      const role: V1ClusterRole = await rbac.readClusterRole({ name });
      expect(role.rules).to.deep.equal(
        (findObject(rendered, 'ClusterRole', name) as V1ClusterRole & ManifestObject).rules,
      );
    }
    for (const name of [release, `${release}-metrics-auth`]) {
      const binding = await rbac.readClusterRoleBinding({ name });
      expect(binding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: release, namespace },
      ]);
    }
    const lease: V1Role = await rbac.readNamespacedRole({
      namespace,
      name: `${release}-leader-election`,
    });
    expect(lease.rules?.[0]?.resources).to.deep.equal(['leases']);
    const eventsKey: V1Role = await rbac.readNamespacedRole({
      namespace,
      name: `${release}-events-key`,
    });
    expect(eventsKey.rules).to.deep.equal(eventsKeyRules(`${release}-events`, `${release}-events`));
    const eventsKeyBinding = await rbac.readNamespacedRoleBinding({
      namespace,
      name: `${release}-events-key`,
    });
    expect(eventsKeyBinding.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: release, namespace },
    ]);
    const events = await core.readNamespacedService({ namespace, name: `${release}-events` });
    expect(events.spec?.type).to.equal('NodePort');
    expect(events.spec?.selector).to.equal(undefined);
    expect(events.spec?.ports?.map((p) => [p.name, p.port, p.targetPort])).to.deep.equal([
      ['events', 8090, 8090],
    ]);
    expect(events.spec?.ports?.[0]?.nodePort, 'a nodePort assigned').to.be.a('number');
  });

  it('admits the pod template where the restricted Pod Security Standard is enforced', async () => {
    const labelled = await cp.kubectl([
      'label',
      'namespace',
      namespace,
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    expect(labelled.exitCode, labelled.stderr).to.equal(0);
    const deployment = await apps.readNamespacedDeployment({ namespace, name: release });
    const pod: V1Pod = {
      metadata: { name: 'pod-security-check' },
      spec: deployment.spec!.template.spec!,
    };
    await core.createNamespacedPod({ namespace, body: pod, dryRun: 'All' });
  });

  it('upgrades to one watched namespace: a RoleBinding there replaces the ClusterRoleBinding', async () => {
    const values = path.join(cp.dir, `helm-values-${suffix}.json`);
    writeFileSync(
      values,
      JSON.stringify({
        watchNamespace,
        metrics: {
          readerSubjects: [{ kind: 'ServiceAccount', name: 'scraper', namespace }],
        },
      }),
    );
    const upgrade = await helmOnCluster([
      'upgrade',
      release,
      CHART_DIR,
      '--namespace',
      namespace,
      '--values',
      values,
    ]);
    expect(upgrade.exitCode, `${upgrade.stdout}${upgrade.stderr}`).to.equal(0);
    const bindings = await rbac.listClusterRoleBinding({
      labelSelector: `app.kubernetes.io/instance=${release}`,
    });
    expect(bindings.items.map((b) => b.metadata?.name).sort()).to.deep.equal(
      [`${release}-metrics-auth`, `${release}-metrics-reader`].sort(),
    );
    const scoped = await rbac.readNamespacedRoleBinding({
      namespace: watchNamespace,
      name: release,
    });
    expect(scoped.roleRef.name).to.equal(release);
    const deployment = await apps.readNamespacedDeployment({ namespace, name: release });
    expect(plainEnv(operatorContainer(deployment).env)['WATCH_NAMESPACE']).to.equal(watchNamespace);
  });

  it("lets the release's service account create and get its events key Secret, in the release's namespace only", async () => {
    // After the upgrade the ClusterRole is bound in watchNamespace alone: get in the release's
    // namespace comes from the events-key Role, and only for the key Secret.
    const kubeconfigPath = await cp.serviceAccountKubeconfig(namespace, release);
    const canI = async (...args: string[]): Promise<string> =>
      (await cp.kubectl(['auth', 'can-i', ...args], { kubeconfigPath })).stdout.trim();
    const cases: { readonly args: string[]; readonly allowed: 'yes' | 'no' }[] = [
      { args: ['create', 'secrets', '-n', namespace], allowed: 'yes' },
      { args: ['get', `secrets/${release}-events`, '-n', namespace], allowed: 'yes' },
      { args: ['get', 'secrets/another', '-n', namespace], allowed: 'no' },
      { args: ['create', 'secrets', '-n', watchNamespace], allowed: 'no' },
      { args: ['delete', `secrets/${release}-events`, '-n', namespace], allowed: 'no' },
      { args: ['update', `secrets/${release}-events`, '-n', namespace], allowed: 'no' },
    ];
    for (const tc of cases) expect(await canI(...tc.args), tc.args.join(' ')).to.equal(tc.allowed);
  });

  it("runs the operator with the installed Deployment's environment and the chart's RBAC alone", async function () {
    this.timeout(180_000);
    const deployment = await apps.readNamespacedDeployment({ namespace, name: release });
    const shipped = plainEnv(operatorContainer(deployment).env);
    const podName = `${release}-0`;
    const httpPort = await freePort();
    const eventsPort = await freePort();
    // As bench/shipped-operator.ts: the Deployment's values, then only what a pod would get
    // elsewhere (its identity, the token, here a client certificate) and a loopback listener.
    operator = await spawnOperator({
      kubeconfigPath: await cp.serviceAccountKubeconfig(namespace, release),
      watchNamespace: shipped['WATCH_NAMESPACE'] ?? '',
      podName,
      httpPort,
      baseEnv: 'pod',
      env: {
        ...shipped,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        // As HTTP_PORT: a free loopback port, not the shipped 8090 on every interface.
        EVENTS_HOST: '127.0.0.1',
        EVENTS_PORT: String(eventsPort),
        POD_NAME: podName,
        POD_NAMESPACE: namespace,
        // A documentation address (RFC 5737): recorded in the events EndpointSlice, never reached.
        POD_IP: '192.0.2.1',
      },
    });
    const running = operator;
    const leases = loadKubeConfig(cp.kubeconfigPath).makeApiClient(CoordinationV1Api);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await fetch(`${running.url}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      const holder = await leases
        .readNamespacedLease({ namespace, name: shipped['LEADER_ELECTION_LEASE_NAME']! })
        .then(
          (lease) => lease.spec?.holderIdentity ?? '',
          () => '',
        );
      if (ready === 200 && holder.startsWith(podName)) break;
      if (Date.now() > deadline) {
        throw new Error(`the operator did not lead and get ready:\n${running.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    // A GlusterCluster whose SSH Secret does not exist: read, Secret looked up, status written
    // and an Event recorded, all with the chart's RBAC, and no SSH connection attempted.
    const custom = loadKubeConfig(cp.kubeconfigPath).makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: watchNamespace,
      plural: PLURAL,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterCluster',
        metadata: { name: 'pool-helm' },
        spec: { nodes: [{ address: '127.0.0.1' }], ssh: { secretRef: { name: 'missing' } } },
      },
    });
    let reasons: string[];
    for (;;) {
      const object = (await custom.getNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace: watchNamespace,
        plural: PLURAL,
        name: 'pool-helm',
      })) as { status?: { conditions?: { reason: string }[] } };
      reasons = (object.status?.conditions ?? []).map((c) => c.reason);
      if (reasons.includes('SshSecretNotFound')) break;
      if (Date.now() > deadline + 30_000) {
        throw new Error(`no SshSecretNotFound in ${JSON.stringify(reasons)}:\n${running.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const events = await core.listNamespacedEvent({ namespace: watchNamespace });
    expect(events.items.map((e) => e.reason)).to.include('SshSecretNotFound');
    expect(
      running.logs.filter((line) => /forbidden/i.test(JSON.stringify(line.fields))),
    ).to.deep.equal([]);
  });

  it('guards /metrics and /status with a token and the metrics-reader ClusterRole (HTTP_AUTH=kubernetes)', async function () {
    if (operator === undefined) this.skip();
    const running = operator;
    const get = async (urlPath: string, token?: string): Promise<number> =>
      (
        await fetch(`${running.url}${urlPath}`, {
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        })
      ).status;
    expect(await get('/healthz')).to.equal(200);
    expect(await get('/readyz')).to.equal(200);
    const anonymous = await get('/metrics');
    expect(anonymous).to.equal(401);
    const tokenOf = async (account: string): Promise<string> => {
      await cp.kubectl(['create', 'serviceaccount', account, '--namespace', namespace]);
      const created = await cp.kubectl(['create', 'token', account, '--namespace', namespace]);
      expect(created.exitCode, created.stderr).to.equal(0);
      return created.stdout.trim();
    };
    const scraper = await tokenOf('scraper'); // bound to metrics-reader by the upgrade's values
    const stranger = await tokenOf('stranger');
    expect(await get('/metrics', scraper)).to.equal(200);
    expect(await get('/status', scraper)).to.equal(200);
    expect(await get('/metrics', stranger)).to.equal(403);
    expect(await get('/metrics', 'not-a-token')).to.equal(401);
  });

  it('uninstalls: every object of the release gone, the CRD kept', async () => {
    await operator?.stop();
    operator = undefined;
    const uninstall = await helmOnCluster(['uninstall', release, '--namespace', namespace]);
    expect(uninstall.exitCode, `${uninstall.stdout}${uninstall.stderr}`).to.equal(0);
    installed = false;
    const roles = await rbac.listClusterRole({
      labelSelector: `app.kubernetes.io/instance=${release}`,
    });
    expect(roles.items).to.deep.equal([]);
    const deployments = await apps.listNamespacedDeployment({ namespace });
    expect(deployments.items).to.deep.equal([]);
    await loadKubeConfig(cp.kubeconfigPath)
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: CRD_NAME });
  });
});
