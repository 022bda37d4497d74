import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { RunningHttpServer } from '../../src/observability/http-server.js';
import { startHttpServer } from '../../src/observability/http-server.js';
import { createOperatorMetrics } from '../../src/observability/metrics.js';
import {
  createKubernetesAuthorizer,
  kubernetesAccessReviews,
} from '../../src/observability/request-authorizer.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { recordingLogger } from '../support/recording-logger.js';
import type { LoggedLine } from '../support/recording-logger.js';

const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));

/**
 * HTTP_AUTH=kubernetes against the real API server: deploy/'s RBAC (the operator may create
 * TokenReviews and SubjectAccessReviews; gluster-operator-metrics-reader grants get on /metrics
 * and /status), real service account tokens from the TokenRequest API, and the operator's
 * reviews made as its own service account.
 */
describe('metrics and status behind TokenReview + SubjectAccessReview (real API server)', function () {
  this.timeout(120_000);
  let controlPlane: ControlPlane;
  let server: RunningHttpServer;
  let namespace: string;
  const lines: LoggedLine[] = [];
  const tokens: Record<'reader' | 'nobody', string> = { reader: '', nobody: '' };

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    controlPlane = await getControlPlane();
    const applied = await controlPlane.kubectl(['apply', '-k', DEPLOY_DIR], { timeoutMs: 120_000 });
    expect(applied.exitCode, applied.stderr).to.equal(0);
    const admin = loadKubeConfig(controlPlane.kubeconfigPath);
    const core = admin.makeApiClient(CoreV1Api);
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    namespace = await createTestNamespace(admin, 'metrics-auth');
    for (const name of ['reader', 'nobody'] as const) {
      await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
    }
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${namespace}-reader` },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'gluster-operator-metrics-reader',
        },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
      },
    });
    for (const name of ['reader', 'nobody'] as const) {
      const request = await core.createNamespacedServiceAccountToken({
        name,
        namespace,
        body: { spec: { audiences: [], expirationSeconds: 600 } },
      });
      tokens[name] = request.status?.token ?? '';
      expect(tokens[name]).to.not.equal('');
    }
    // The reviews are made as the operator: deploy/'s service account, with only its RBAC.
    const operator = loadKubeConfig(
      await controlPlane.serviceAccountKubeconfig('gluster-operator', 'gluster-operator'),
    );
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: recordingLogger(lines),
      checks: { isLive: () => true, isReady: () => true },
      haStatus: () => ({ role: 'master', identity: 'me', leader: 'me', replicasSeen: ['me'] }),
      metrics: createOperatorMetrics({ processMetrics: false }).registry,
      authorizer: createKubernetesAuthorizer(kubernetesAccessReviews(operator)),
    });
  });

  after(async () => {
    await server.close();
  });

  const get = (path: string, token?: string) =>
    fetch(`${server.url}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('answers a service account bound to gluster-operator-metrics-reader', async () => {
    const metrics = await get('/metrics', tokens.reader);
    expect(metrics.status).to.equal(200);
    expect(await metrics.text()).to.contain('gluster_operator_build_info');
    const status = await get('/status', tokens.reader);
    expect(status.status).to.equal(200);
    expect(await status.json()).to.include({ role: 'master' });
  });

  it('refuses a real token of an identity RBAC does not allow (403), and one the API server does not accept (401)', async () => {
    expect((await get('/metrics', tokens.nobody)).status).to.equal(403);
    expect((await get('/status', tokens.nobody)).status).to.equal(403);
    // A token signed by nobody the API server trusts: the reader's, with its signature broken.
    const forged = `${tokens.reader.slice(0, -4)}AAAA`;
    expect((await get('/metrics', forged)).status).to.equal(401);
    const anonymous = await get('/metrics');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('www-authenticate')).to.equal('Bearer');
  });

  it('keeps the probes open, and never writes a token to the log', async () => {
    expect((await get('/healthz')).status).to.equal(200);
    expect((await get('/readyz')).status).to.equal(200);
    const logged = JSON.stringify(lines);
    for (const token of Object.values(tokens)) expect(logged).to.not.contain(token.slice(-20));
  });
});
