/* eslint-disable @typescript-eslint/no-misused-spread --
   client-node's models are data-only classes; its API takes (and returns) plain objects. */
import { expect } from 'chai';
import { CoordinationV1Api, V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import {
  apiErrorStatus,
  createTestNamespace,
  loadKubeConfig,
} from '../support/kube-test-helpers.js';

describe('kube-apiserver semantics (leases)', function () {
  let api: CoordinationV1Api;
  let namespace: string;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    const kc = loadKubeConfig((await getControlPlane()).kubeconfigPath);
    api = kc.makeApiClient(CoordinationV1Api);
    namespace = await createTestNamespace(kc, 'leases');
  });

  it('creates a Lease and renews it; a stale renewal gets 409', async function () {
    // renewTime is a MicroTime: client-node's V1MicroTime serialises the six fractional digits
    // the API server demands.
    const acquired = await api.createNamespacedLease({
      namespace,
      body: {
        metadata: { name: 'leader' },
        spec: {
          holderIdentity: 'replica-a',
          leaseDurationSeconds: 15,
          acquireTime: new V1MicroTime(),
          renewTime: new V1MicroTime(),
          leaseTransitions: 0,
        },
      },
    });
    expect(acquired.spec?.holderIdentity).to.equal('replica-a');

    const renewTime = new V1MicroTime(Date.now() + 1_000);
    const renewed = await api.replaceNamespacedLease({
      namespace,
      name: 'leader',
      body: { ...acquired, spec: { ...acquired.spec, renewTime } },
    });
    expect(renewed.metadata?.resourceVersion).to.not.equal(acquired.metadata?.resourceVersion);
    // client-node 2.0.1 types renewTime as V1MicroTime (a Date) but hands back the server's
    // string, e.g. "2026-11-22T02:17:54.886000Z": read it through new Date().
    const returned: unknown = renewed.spec?.renewTime;
    expect(new Date(returned as string | Date).getTime()).to.equal(renewTime.getTime());

    // Two replicas racing for the lease: the one with the old resourceVersion loses.
    const stale: V1Lease = { ...acquired, spec: { ...acquired.spec, holderIdentity: 'replica-b' } };
    expect(
      await apiErrorStatus(api.replaceNamespacedLease({ namespace, name: 'leader', body: stale })),
    ).to.equal(409);

    const current = await api.readNamespacedLease({ namespace, name: 'leader' });
    expect(current.spec?.holderIdentity).to.equal('replica-a');
  });
});
