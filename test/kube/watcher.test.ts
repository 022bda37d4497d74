import { expect } from 'chai';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  PLURAL,
  type GlusterCluster,
} from '../../src/api/gluster-cluster.js';
import {
  GlusterClusterWatcher,
  parseQueueKey,
} from '../../src/controller/gluster-cluster-watcher.js';
import { WorkQueue } from '../../src/controller/work-queue.js';
import {
  createGlusterClusterApi,
  type GlusterClusterApi,
  type GlusterClusterList,
  type GlusterClusterWatchEvent,
  type WatchSession,
} from '../../src/kube/gluster-cluster-api.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import { findFreePorts } from '../support/free-ports.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { recordingLogger } from '../support/recording-logger.js';
import type { LoggedLine } from '../support/recording-logger.js';

const ref = { group: API_GROUP, version: API_VERSION, plural: PLURAL };

function aGlusterCluster(name: string, namespace: string, address = '10.250.0.11'): GlusterCluster {
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'GlusterCluster',
    metadata: { name, namespace },
    spec: { nodes: [{ address }], ssh: { secretRef: { name: 'gluster-ssh' } } },
  };
}

async function waitFor(
  what: string,
  predicate: () => boolean,
  describe: () => unknown,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(describe())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The real API with a hand on the watch: expireNextWatch() ends the current watch and holds the
 * next one until released, then has it ask for a resourceVersion that expired long ago, as a
 * watcher that was cut off for a long time would.
 */
class ExpiringApi implements Pick<GlusterClusterApi, 'list' | 'watch'> {
  readonly calls: string[] = [];
  private dropCurrent: (() => void) | undefined;
  private held: Promise<void> | undefined;
  private release: (() => void) | undefined;

  constructor(private readonly api: GlusterClusterApi) {}

  list(): Promise<GlusterClusterList> {
    this.calls.push('list');
    return this.api.list();
  }

  async watch(
    resourceVersion: string,
    onEvent: (event: GlusterClusterWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    let asked = resourceVersion;
    if (this.held !== undefined) {
      this.calls.push('(held)');
      await this.held;
      this.held = undefined;
      asked = '1';
    }
    this.calls.push(`watch ${asked === resourceVersion ? 'last' : asked}`);
    const own = new AbortController();
    signal.addEventListener('abort', () => {
      own.abort();
    });
    this.dropCurrent = () => {
      own.abort();
    };
    return this.api.watch(asked, onEvent, own.signal);
  }

  expireNextWatch(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
    this.dropCurrent?.();
  }

  releaseExpiredWatch(): void {
    this.release?.();
  }
}

describe('GlusterClusterWatcher on a real API server', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let admin: CustomObjectsApi;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    admin = kc.makeApiClient(CustomObjectsApi);
  });

  /** A namespace of its own, objects made as a person would, and a watcher on it. */
  async function aWatchedNamespace(prefix: string) {
    const namespace = await createTestNamespace(kc, prefix);
    const api = new ExpiringApi(createGlusterClusterApi(kc, { namespace }));
    const keys: string[] = [];
    const watcher = new GlusterClusterWatcher({
      api,
      queue: { add: (key) => keys.push(key) },
      logger: createSilentLogger(),
      initialBackoffMs: 50,
    });
    const controller = new AbortController();
    let running: Promise<void> | undefined;
    const key = (name: string): string => `${namespace}/${name}`;
    return {
      namespace,
      api,
      keys,
      watcher,
      key,
      start: async () => {
        running = watcher.run(controller.signal);
        await waitFor(
          'the watch',
          () => watcher.isLive(),
          () => api.calls,
        );
      },
      stop: async () => {
        controller.abort();
        await running;
        expect(watcher.isLive()).to.equal(false);
      },
      create: (name: string) =>
        admin.createNamespacedCustomObject({
          ...ref,
          namespace,
          body: aGlusterCluster(name, namespace),
        }) as Promise<GlusterCluster>,
      editSpec: async (name: string, address: string) => {
        const current = (await admin.getNamespacedCustomObject({
          ...ref,
          namespace,
          name,
        })) as GlusterCluster;
        await admin.replaceNamespacedCustomObject({
          ...ref,
          namespace,
          name,
          body: { ...current, spec: { ...current.spec, nodes: [{ address }] } },
        });
      },
      remove: (name: string) => admin.deleteNamespacedCustomObject({ ...ref, namespace, name }),
      /** Waits until `expected` keys, in order, have been queued after index `from`. */
      waitForKeys: (expected: readonly string[], from = 0) =>
        waitFor(
          `keys ${expected.join(', ')}`,
          () => {
            const seen = keys.slice(from);
            let at = 0;
            for (const k of seen) if (k === expected[at]) at++;
            return at === expected.length;
          },
          () => ({ keys, calls: api.calls }),
        ),
    };
  }

  it('queues existing objects, then every create, update and delete', async function () {
    const w = await aWatchedNamespace('watcher-crud');
    await w.create('existing');
    await w.start();
    try {
      expect(w.watcher.hasSynced()).to.equal(true);
      expect(w.keys).to.deep.equal([w.key('existing')]);

      await w.create('new');
      await w.waitForKeys([w.key('new')], 1);
      await w.editSpec('existing', '10.250.0.12');
      await w.waitForKeys([w.key('existing')], 2);
      await w.remove('new');
      await w.waitForKeys([w.key('new')], 3);
      expect(w.keys).to.deep.equal([
        w.key('existing'),
        w.key('new'),
        w.key('existing'),
        w.key('new'),
      ]);
      expect(w.api.calls).to.deep.equal(['list', 'watch last']);
    } finally {
      await w.stop();
    }
  });

  it('after its resourceVersion expires, lists again, catches up on what it missed, and keeps delivering', async function () {
    const w = await aWatchedNamespace('watcher-expiry');
    await w.create('stays');
    await w.create('doomed');
    await w.start();
    try {
      // A list comes in name order.
      expect(w.keys).to.deep.equal([w.key('doomed'), w.key('stays')]);

      // Cut off: changes happen while nobody watches, and etcd compacts its history.
      w.api.expireNextWatch();
      await waitFor(
        'the watch to stop',
        () => w.api.calls.includes('(held)'),
        () => w.api.calls,
      );
      expect(w.watcher.isLive()).to.equal(false);
      await w.remove('doomed');
      await w.create('created-meanwhile');
      await cp.compactEtcd();
      const before = w.keys.length;
      w.api.releaseExpiredWatch();

      await waitFor(
        'a new list and watch',
        () => w.watcher.isLive() && w.api.calls.length >= 6,
        () => w.api.calls,
      );
      expect(w.api.calls).to.deep.equal([
        'list',
        'watch last',
        '(held)',
        'watch 1', // 410 Expired
        'list',
        'watch last',
      ]);
      // The relist queues what is new or changed, and what vanished since the last list (so it
      // is cleaned up); an object that did not change is not news.
      expect(w.keys.slice(before).sort()).to.deep.equal(
        [w.key('created-meanwhile'), w.key('doomed')].sort(),
      );

      const after = w.keys.length;
      await w.create('after-expiry');
      await w.editSpec('stays', '10.250.0.13');
      await w.waitForKeys([w.key('after-expiry'), w.key('stays')], after);
    } finally {
      await w.stop();
    }
  });

  it('feeds a WorkQueue whose workers read each object fresh', async function () {
    const namespace = await createTestNamespace(kc, 'watcher-queue');
    const api = createGlusterClusterApi(kc, { namespace });
    const handled: string[] = [];
    const queue = new WorkQueue({ workers: 2, logger: createSilentLogger() });
    const watcher = new GlusterClusterWatcher({ api, queue, logger: createSilentLogger() });
    queue.start(async (key) => {
      const { namespace: ns, name } = parseQueueKey(key);
      const cluster = await api.get(ns, name).catch(() => undefined);
      handled.push(`${name}:${cluster?.spec.nodes?.[0]?.address ?? 'gone'}`);
      queue.forget(key);
    });
    const controller = new AbortController();
    const running = watcher.run(controller.signal);
    try {
      await waitFor(
        'the watch',
        () => watcher.isLive(),
        () => handled,
      );
      for (const name of ['q1', 'q2', 'q3']) {
        await admin.createNamespacedCustomObject({
          ...ref,
          namespace,
          body: aGlusterCluster(name, namespace),
        });
      }
      await admin.deleteNamespacedCustomObject({ ...ref, namespace, name: 'q2' });
      await waitFor(
        'every object handled',
        () => ['q1:10.250.0.11', 'q3:10.250.0.11', 'q2:gone'].every((h) => handled.includes(h)),
        () => handled,
      );
    } finally {
      controller.abort();
      await running;
      await queue.shutdown();
    }
  });

  it('retries with growing delays while the API server cannot be reached, and is not live', async function () {
    // A port nothing listens on (fetch refuses "bad ports" such as 1 before connecting).
    const [port] = await findFreePorts(1);
    const unreachable = new KubeConfig();
    unreachable.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${String(port)}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'unused' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const lines: LoggedLine[] = [];
    const watcher = new GlusterClusterWatcher({
      api: createGlusterClusterApi(unreachable),
      queue: {
        add: () => {
          throw new Error('nothing to queue');
        },
      },
      logger: recordingLogger(lines),
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      random: () => 0,
    });
    const controller = new AbortController();
    const running = watcher.run(controller.signal);
    const failures = () => lines.filter((line) => line.level === 'warn');
    await waitFor(
      'five failures',
      () => failures().length >= 5,
      () => lines,
    );
    controller.abort();
    await running;
    expect(watcher.isLive()).to.equal(false);
    expect(watcher.hasSynced()).to.equal(false);
    const metas = failures()
      .slice(0, 5)
      .map((line) => line.meta as { delayMs: number; error: string });
    expect(metas.map((meta) => meta.delayMs)).to.deep.equal([20, 40, 80, 80, 80]);
    expect(metas[0]!.error).to.match(
      /^Failed to list GlusterClusters: no answer from the API server: .*ECONNREFUSED/,
    );
  });
});
