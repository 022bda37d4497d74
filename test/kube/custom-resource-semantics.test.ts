import { expect } from 'chai';
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  apiErrorMessage,
  apiErrorStatus,
  createTestNamespace,
  loadKubeConfig,
} from '../support/kube-test-helpers.js';

/**
 * The API semantics the operator relies on, checked against a real kube-apiserver with the
 * test-only Widget CRD (test/fixtures/crds/widgets.smoke.test.io.yaml).
 */

interface Widget {
  apiVersion: 'smoke.test.io/v1';
  kind: 'Widget';
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec: { size?: number; colour?: string };
  status?: { observedGeneration?: number; phase?: string };
}

interface WidgetList {
  metadata: { resourceVersion: string };
  items: Widget[];
}

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string }; code?: number; reason?: string };
}

const GROUP = 'smoke.test.io';
const VERSION = 'v1';
const PLURAL = 'widgets';

function aWidget(name: string, spec: Widget['spec'] = { size: 1 }): Widget {
  return { apiVersion: 'smoke.test.io/v1', kind: 'Widget', metadata: { name }, spec };
}

describe('kube-apiserver semantics (custom resources)', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let api: CustomObjectsApi;
  let namespace: string;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
    namespace = await createTestNamespace(kc, 'widgets');
  });

  const ref = { group: GROUP, version: VERSION, plural: PLURAL };
  const create = (w: Widget): Promise<Widget> =>
    api.createNamespacedCustomObject({ ...ref, namespace, body: w }) as Promise<Widget>;
  const get = (name: string): Promise<Widget> =>
    api.getNamespacedCustomObject({ ...ref, namespace, name }) as Promise<Widget>;
  const replace = (w: Widget): Promise<Widget> =>
    api.replaceNamespacedCustomObject({
      ...ref,
      namespace,
      name: w.metadata.name,
      body: w,
    }) as Promise<Widget>;
  const replaceStatus = (w: Widget): Promise<Widget> =>
    api.replaceNamespacedCustomObjectStatus({
      ...ref,
      namespace,
      name: w.metadata.name,
      body: w,
    }) as Promise<Widget>;
  const list = (): Promise<WidgetList> =>
    api.listNamespacedCustomObject({ ...ref, namespace }) as Promise<WidgetList>;
  const remove = (name: string): Promise<unknown> =>
    api.deleteNamespacedCustomObject({ ...ref, namespace, name });

  /** Watches widgets in the namespace from `resourceVersion`, collecting events until stopped. */
  async function watchWidgets(resourceVersion: string): Promise<{
    events: WatchEvent[];
    done: Promise<unknown>;
    waitFor: (predicate: (events: WatchEvent[]) => boolean, timeoutMs?: number) => Promise<void>;
    stop: () => void;
  }> {
    const events: WatchEvent[] = [];
    let resolveDone!: (err: unknown) => void;
    const done = new Promise<unknown>((resolve) => (resolveDone = resolve));
    const controller = await new Watch(kc).watch(
      `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`,
      { resourceVersion },
      (type: string, object: WatchEvent['object']) => events.push({ type, object }),
      (err: unknown) => {
        resolveDone(err ?? null);
      },
    );
    const waitFor = async (
      predicate: (events: WatchEvent[]) => boolean,
      timeoutMs = 10_000,
    ): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline) {
          throw new Error(
            `Watch events not as expected: ${JSON.stringify(events.map((e) => [e.type, e.object.metadata?.name]))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return {
      events,
      done,
      waitFor,
      stop: () => {
        controller.abort();
      },
    };
  }

  it('creates, gets and lists a custom resource', async function () {
    const created = await create(aWidget('crud', { size: 3, colour: 'blue' }));
    expect(created.metadata.generation).to.equal(1);
    expect(created.metadata.resourceVersion).to.be.a('string').and.not.empty;

    const fetched = await get('crud');
    expect(fetched.spec).to.deep.equal({ size: 3, colour: 'blue' });
    expect(fetched.metadata.resourceVersion).to.equal(created.metadata.resourceVersion);

    const listed = await list();
    expect(listed.items.map((w) => w.metadata.name)).to.include('crud');
    expect(listed.metadata.resourceVersion).to.be.a('string').and.not.empty;
  });

  it('watches from a list resourceVersion: ADDED, MODIFIED, DELETED', async function () {
    const { metadata } = await list();
    const watch = await watchWidgets(metadata.resourceVersion);
    try {
      const created = await create(aWidget('watched'));
      await replace({ ...created, spec: { size: 2 } });
      await remove('watched');
      const forWatched = (events: WatchEvent[]): string[] =>
        events.filter((e) => e.object.metadata?.name === 'watched').map((e) => e.type);
      await watch.waitFor((events) => forWatched(events).includes('DELETED'));
      expect(forWatched(watch.events)).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);
    } finally {
      watch.stop();
    }
  });

  it('keeps status apart from spec: generation moves only with spec', async function () {
    const created = await create(aWidget('status', { size: 1 }));
    expect(created.metadata.generation).to.equal(1);

    // A status write through /status: generation stays, spec changes in the body are ignored.
    const statusWritten = await replaceStatus({
      ...created,
      spec: { size: 99 },
      status: { observedGeneration: 1, phase: 'Ready' },
    });
    expect(statusWritten.metadata.generation).to.equal(1);
    expect(statusWritten.spec).to.deep.equal({ size: 1 });
    expect(statusWritten.status).to.deep.equal({ observedGeneration: 1, phase: 'Ready' });

    // A write to the main resource: generation bumps on a spec change, status in the body is ignored.
    const specWritten = await replace({
      ...statusWritten,
      spec: { size: 2 },
      status: { phase: 'Overwritten' },
    });
    expect(specWritten.metadata.generation).to.equal(2);
    expect(specWritten.status).to.deep.equal({ observedGeneration: 1, phase: 'Ready' });

    // A main-resource write that changes nothing in spec does not bump generation.
    const unchanged = await replace(specWritten);
    expect(unchanged.metadata.generation).to.equal(2);
  });

  it('answers 409 Conflict to an update with a stale resourceVersion', async function () {
    const created = await create(aWidget('conflict'));
    await replace({ ...created, spec: { size: 2 } });
    expect(await apiErrorStatus(replace({ ...created, spec: { size: 3 } }))).to.equal(409);
    expect(
      await apiErrorStatus(replaceStatus({ ...created, status: { phase: 'Stale' } })),
    ).to.equal(409);
    expect(await apiErrorStatus(create(aWidget('conflict')))).to.equal(409); // AlreadyExists
  });

  it('answers 410 Gone to a watch from a resourceVersion the server no longer has', async function () {
    // Make history, then throw it away in etcd, as the API server's periodic compaction does.
    let current = await create(aWidget('expired'));
    for (let size = 2; size <= 4; size++) current = await replace({ ...current, spec: { size } });
    await cp.compactEtcd();
    // The API server's watch cache still serves recent revisions after an etcd compaction (a
    // watch from the widget's first resourceVersion gets its MODIFIED events). What has expired
    // is anything older than the cache's window, which opened when the CRD was established:
    // revision 1 is, for the watch cache and for etcd alike.
    const expiredResourceVersion = '1';

    const watch = await watchWidgets(expiredResourceVersion);
    try {
      // Kubernetes 1.36 answers 200 and sends one ERROR event with a 410 Status, then closes the
      // stream; a watch that reaches etcd directly may fail the request with 410 instead. A client
      // must handle both by listing again.
      const closedWith = await Promise.race([
        watch.done,
        new Promise((_, reject) =>
          setTimeout(() => {
            reject(new Error(`The watch stayed open: ${JSON.stringify(watch.events)}`));
          }, 5_000),
        ),
      ]);
      const error = watch.events.find((e) => e.type === 'ERROR');
      if (error === undefined) {
        expect(String(closedWith)).to.match(/410/);
      } else {
        expect(error.object.code).to.equal(410);
        expect(error.object.reason).to.equal('Expired');
      }
    } finally {
      watch.stop();
    }
  });

  it('holds deletion while a finalizer is set', async function () {
    await create({
      ...aWidget('finalized'),
      metadata: { name: 'finalized', finalizers: ['smoke.test.io/hold'] },
    });
    await remove('finalized');

    const terminating = await get('finalized');
    expect(terminating.metadata.deletionTimestamp).to.be.a('string');
    expect(terminating.metadata.finalizers).to.deep.equal(['smoke.test.io/hold']);

    await replace({ ...terminating, metadata: { ...terminating.metadata, finalizers: [] } });
    expect(await apiErrorStatus(get('finalized'))).to.equal(404);
  });

  it('rejects objects that break the schema with 422 and names the field', async function () {
    expect(await apiErrorStatus(create(aWidget('no-size', {})))).to.equal(422);
    expect(await apiErrorMessage(create(aWidget('no-size', {})))).to.match(
      /spec\.size: Required value/,
    );

    expect(
      await apiErrorStatus(create(aWidget('bad-colour', { size: 1, colour: 'Blue!' }))),
    ).to.equal(422);
    expect(
      await apiErrorMessage(create(aWidget('bad-colour', { size: 1, colour: 'Blue!' }))),
    ).to.match(/spec\.colour.*should match '\^\[a-z\]\+\$'/);

    expect(await apiErrorStatus(create(aWidget('too-small', { size: 0 })))).to.equal(422);
  });
});
