import { ApiException, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.js';
import { loadKubeConfig } from './kube-test-helpers.js';

/** The service account tests and benchmarks scrape the operator as, in the operator's namespace. */
export const METRICS_SCRAPER = { namespace: 'gluster-operator', name: 'metrics-scraper' };

/**
 * A real service account token (TokenRequest API, 1 h) of an identity bound to deploy/'s
 * `gluster-operator-metrics-reader`: what Prometheus would present to an operator run with
 * HTTP_AUTH=kubernetes. Needs deploy/ applied (its namespace and ClusterRole). Idempotent.
 */
export async function metricsReaderToken(controlPlane: ControlPlane): Promise<string> {
  const admin = loadKubeConfig(controlPlane.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  const { namespace, name } = METRICS_SCRAPER;
  /** Creates, or finds it already there (409). */
  const exists = async (call: Promise<unknown>): Promise<void> => {
    try {
      await call;
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  };
  await exists(core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }));
  await exists(
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${namespace}-${name}` },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'gluster-operator-metrics-reader',
        },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    }),
  );
  const request = await core.createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3_600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`The TokenRequest for ${namespace}/${name} returned no token`);
  return token;
}
