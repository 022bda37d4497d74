import { expect } from 'chai';
import {
  CoordinationV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  V1MicroTime,
} from '@kubernetes/client-node';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  apiErrorStatus,
  createTestNamespace,
  loadKubeConfig,
} from '../support/kube-test-helpers.js';

describe('control plane identities and kubectl', function () {
  let cp: ControlPlane;
  let namespace: string;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    namespace = await createTestNamespace(loadKubeConfig(cp.kubeconfigPath), 'identities');
  });

  it('lets kubectl use the admin kubeconfig', async function () {
    const version = await cp.kubectl(['version', '--output=json']);
    expect(version.exitCode, version.stderr).to.equal(0);
    const parsed = JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } };
    expect(parsed.serverVersion?.gitVersion).to.match(/^v1\.\d+\.\d+/);

    const crd = await cp.kubectl(['get', 'crd', 'widgets.smoke.test.io', '--output=name']);
    expect(crd.exitCode, crd.stderr).to.equal(0);
    expect(crd.stdout.trim()).to.equal(
      'customresourcedefinition.apiextensions.k8s.io/widgets.smoke.test.io',
    );

    const applied = await cp.kubectl(['apply', '--namespace', namespace, '--filename', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'smoke.test.io/v1',
        kind: 'Widget',
        metadata: { name: 'from-kubectl' },
        spec: { size: 5 },
      }),
    });
    expect(applied.exitCode, applied.stderr).to.equal(0);
    const got = await cp.kubectl([
      'get',
      'widgets',
      'from-kubectl',
      '--namespace',
      namespace,
      '--output=jsonpath={.spec.size}',
    ]);
    expect(got.stdout).to.equal('5');
  });

  it('gives a service account user exactly what RBAC grants it', async function () {
    const saKubeconfig = await cp.serviceAccountKubeconfig(namespace, 'operator');
    const whoami = await cp.kubectl(['auth', 'whoami', '--output=json'], {
      kubeconfigPath: saKubeconfig,
    });
    expect(whoami.exitCode, whoami.stderr).to.equal(0);
    const identity = JSON.parse(whoami.stdout) as {
      status?: { userInfo?: { username?: string; groups?: string[] } };
    };
    expect(identity.status?.userInfo?.username).to.equal(
      `system:serviceaccount:${namespace}:operator`,
    );
    expect(identity.status?.userInfo?.groups).to.include.members([
      'system:serviceaccounts',
      `system:serviceaccounts:${namespace}`,
      'system:authenticated',
    ]);

    const sa = loadKubeConfig(saKubeconfig);
    const leases = sa.makeApiClient(CoordinationV1Api);
    const widgets = sa.makeApiClient(CustomObjectsApi);
    const aLease = {
      namespace,
      body: {
        metadata: { name: 'operator-leader' },
        spec: { holderIdentity: 'a', renewTime: new V1MicroTime() },
      },
    };
    expect(await apiErrorStatus(leases.createNamespacedLease(aLease))).to.equal(403);

    const rbac = loadKubeConfig(cp.kubeconfigPath).makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'leases' },
        rules: [
          {
            apiGroups: ['coordination.k8s.io'],
            resources: ['leases'],
            verbs: ['get', 'create', 'update'],
          },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'leases' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'leases' },
        subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace }],
      },
    });

    // RBAC takes effect at once in the API server's authorizer cache; allow it a moment anyway.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await leases.createNamespacedLease(aLease);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(
      await apiErrorStatus(
        widgets.listNamespacedCustomObject({
          group: 'smoke.test.io',
          version: 'v1',
          namespace,
          plural: 'widgets',
        }),
      ),
    ).to.equal(403);
    expect(await apiErrorStatus(leases.listNamespacedLease({ namespace }))).to.equal(403);
  });
});
