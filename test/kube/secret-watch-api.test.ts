import { expect } from 'chai';
import { CoreV1Api, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ForbiddenError } from '../../src/kube/kube-errors.js';
import { createSecretWatchApi, type SecretMetadata } from '../../src/kube/secret-watch-api.js';
import {
  METADATA_ONLY_LIST,
  METADATA_ONLY_OBJECT,
  openWatchStream,
  type WatchEvent,
} from '../../src/kube/watch-stream.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { rejection } from '../support/rejection.js';

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('SecretWatchApi on a real API server: Secrets listed and watched, metadata only', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  /** A Secret as `kubectl apply` leaves it: its data also in an annotation, and a label. */
  const createSecret = (namespace: string, name: string) =>
    core.createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name,
          labels: { team: 'storage' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
              stringData: { 'ssh-privatekey': PRIVATE_KEY },
            }),
          },
        },
        stringData: { 'ssh-privatekey': PRIVATE_KEY, known_hosts: 'n1 ssh-ed25519 AAAA' },
      },
    });

  /** Exactly who the Secret is: nothing else may be kept. */
  const metadataOf = (
    secret: Awaited<ReturnType<typeof createSecret>>,
  ): SecretMetadata['metadata'] => ({
    namespace: secret.metadata?.namespace ?? '',
    name: secret.metadata?.name ?? '',
    uid: secret.metadata?.uid ?? '',
    resourceVersion: secret.metadata?.resourceVersion ?? '',
  });

  it('lists every page of a namespace, keeping namespace, name, uid and resourceVersion only', async function () {
    const namespace = await createTestNamespace(kc, 'secret-list');
    const created = [];
    for (const name of ['s1', 's2', 's3', 's4', 's5']) {
      created.push(await createSecret(namespace, name));
    }
    const api = createSecretWatchApi(kc, { namespace, listPageSize: 2 });
    const list = await api.list();
    expect(list.resourceVersion).to.match(/^\d+$/);
    expect(list.items).to.deep.equal(created.map((secret) => ({ metadata: metadataOf(secret) })));
    expect(JSON.stringify(list)).not.to.contain('not-a-real-key');
  });

  it('asks the server for metadata only: no Secret data crosses the wire', async function () {
    const namespace = await createTestNamespace(kc, 'secret-wire');
    await createSecret(namespace, 'on-the-wire');
    // The same requests the adapter makes, with what the server sent kept whole.
    const listed = await core.listNamespacedSecret(
      { namespace },
      setHeaderOptions('Accept', METADATA_ONLY_LIST),
    );
    expect(listed.kind).to.equal('PartialObjectMetadataList');
    expect(listed.items).to.have.length(1);
    expect(listed.items[0]).not.to.have.property('data');

    const raw: unknown[] = [];
    const controller = new AbortController();
    const session = await openWatchStream(
      {
        kubeConfig: kc,
        path: `/api/v1/namespaces/${namespace}/secrets`,
        resourceVersion: listed.metadata?.resourceVersion ?? '',
        action: 'watch Secrets as they come',
        toObject: (value) => value,
        accept: METADATA_ONLY_OBJECT,
      },
      (event) => {
        if (event.type !== 'BOOKMARK') raw.push(event.object);
      },
      controller.signal,
    );
    try {
      await createSecret(namespace, 'watched');
      await waitFor('the ADDED event', () => raw.length > 0);
      expect(raw[0]).to.include({ kind: 'PartialObjectMetadata' });
      expect(raw[0]).not.to.have.property('data');
      expect(raw[0]).not.to.have.property('stringData');
    } finally {
      controller.abort();
      expect(await session.ended).to.equal('aborted');
    }
  });

  it('watches every namespace from a list: ADDED, MODIFIED and DELETED, metadata only', async function () {
    const namespace = await createTestNamespace(kc, 'secret-watch');
    const api = createSecretWatchApi(kc);
    const { resourceVersion } = await api.list();
    const events: WatchEvent<SecretMetadata>[] = [];
    const controller = new AbortController();
    const session = await api.watch(
      resourceVersion,
      (event) => events.push(event),
      controller.signal,
    );
    try {
      const created = await createSecret(namespace, 'rotated');
      const replaced = await core.replaceNamespacedSecret({
        namespace,
        name: 'rotated',
        body: { metadata: { name: 'rotated' }, stringData: { known_hosts: 'n1 ssh-ed25519 BBBB' } },
      });
      await core.deleteNamespacedSecret({ namespace, name: 'rotated' });
      const ours = () =>
        events.flatMap((event) =>
          event.type !== 'BOOKMARK' && event.object.metadata.namespace === namespace ? [event] : [],
        );
      await waitFor('the DELETED event', () => ours().some((event) => event.type === 'DELETED'));
      const [added, modified, deleted] = ours();
      expect(ours().map((event) => event.type)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
      expect(added).to.deep.equal({ type: 'ADDED', object: { metadata: metadataOf(created) } });
      expect(modified).to.deep.equal({
        type: 'MODIFIED',
        object: { metadata: metadataOf(replaced) },
      });
      expect(
        deleted?.type === 'DELETED' && Object.keys(deleted.object.metadata).sort(),
      ).to.deep.equal(['name', 'namespace', 'resourceVersion', 'uid']);
      expect(JSON.stringify(events)).not.to.contain('not-a-real-key');
    } finally {
      controller.abort();
      expect(await session.ended).to.equal('aborted');
    }
  });

  it('maps a refusal by RBAC to a ForbiddenError, for the list and the watch', async function () {
    const namespace = await createTestNamespace(kc, 'secret-rbac');
    const nobody = loadKubeConfig(await cp.serviceAccountKubeconfig(namespace, 'nobody'));
    const api = createSecretWatchApi(nobody, { namespace });
    const listError = await rejection(api.list());
    expect(listError).to.be.instanceOf(ForbiddenError);
    expect(listError)
      .to.have.property('message')
      .that.matches(/list Secrets in namespace/);
    const controller = new AbortController();
    const watchError = await rejection(api.watch('0', () => undefined, controller.signal));
    controller.abort();
    expect(watchError).to.be.instanceOf(ForbiddenError);
  });
});
