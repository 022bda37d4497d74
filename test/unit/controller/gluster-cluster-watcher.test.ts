import { expect } from 'chai';
import type { GlusterCluster } from '../../../src/api/gluster-cluster.js';
import {
  GlusterClusterWatcher,
  parseQueueKey,
  queueKeyOf,
} from '../../../src/controller/gluster-cluster-watcher.js';
import type {
  GlusterClusterApi,
  GlusterClusterList,
  GlusterClusterWatchEvent,
  WatchEndReason,
  WatchSession,
} from '../../../src/kube/gluster-cluster-api.js';
import { GoneError, KubeApiError } from '../../../src/kube/kube-errors.js';
import { createSilentLogger } from '../../../src/observability/logger.js';

interface ClusterMeta {
  /** Default 1. */
  readonly generation?: number;
  /** Default `uid-<namespace>-<name>`. */
  readonly uid?: string;
  readonly deletionTimestamp?: string;
  readonly finalizers?: readonly string[];
  readonly labels?: Record<string, string>;
  readonly status?: GlusterCluster['status'];
}

function aCluster(
  name: string,
  resourceVersion: string,
  namespace = 'ns',
  meta: ClusterMeta = {},
): GlusterCluster {
  const { status, ...rest } = meta;
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: {
      namespace,
      name,
      resourceVersion,
      uid: `uid-${namespace}-${name}`,
      generation: 1,
      ...rest,
    },
    spec: { nodes: [{ address: 'n1' }], ssh: { secretRef: { name: 'ssh' } } },
    ...(status === undefined ? {} : { status }),
  };
}

function aList(resourceVersion: string, ...items: GlusterCluster[]): GlusterClusterList {
  return { items, resourceVersion };
}

const gone = (): GoneError =>
  new GoneError('410 Expired', { cause: undefined, code: 410, reason: 'Expired' });
const refused = (): KubeApiError =>
  new KubeApiError('no answer from the API server', { cause: undefined });

/** One scripted watch: the test emits events and ends it. */
class FakeWatch {
  private onEvent: ((event: GlusterClusterWatchEvent) => void) | undefined;
  private resolveEnded!: (reason: WatchEndReason) => void;
  private rejectEnded!: (error: Error) => void;
  readonly session: WatchSession = {
    ended: new Promise<WatchEndReason>((resolve, reject) => {
      this.resolveEnded = resolve;
      this.rejectEnded = reject;
    }),
  };

  attach(onEvent: (event: GlusterClusterWatchEvent) => void, signal: AbortSignal): void {
    this.onEvent = onEvent;
    signal.addEventListener('abort', () => {
      this.resolveEnded('aborted');
    });
  }

  emit(event: GlusterClusterWatchEvent): void {
    if (this.onEvent === undefined) throw new Error('FakeWatch: nobody is watching yet');
    this.onEvent(event);
  }

  end(reason: WatchEndReason = 'closed'): void {
    this.resolveEnded(reason);
  }

  fail(error: Error): void {
    this.rejectEnded(error);
  }
}

/**
 * list and watch answer from scripts, in turn; each call is recorded ("list", "watch 5"); a call
 * nobody scripted is recorded as unexpected and throws.
 */
class FakeWatchApi implements Pick<GlusterClusterApi, 'list' | 'watch'> {
  readonly calls: string[] = [];
  readonly unexpected: string[] = [];
  private readonly lists: (GlusterClusterList | Error)[] = [];
  private readonly watches: (FakeWatch | Error)[] = [];

  onList(...answers: (GlusterClusterList | Error)[]): this {
    this.lists.push(...answers);
    return this;
  }

  /** Scripts the next watch; returns it for the test to drive. */
  onWatch(): FakeWatch {
    const watch = new FakeWatch();
    this.watches.push(watch);
    return watch;
  }

  onWatchRefused(error: Error): this {
    this.watches.push(error);
    return this;
  }

  list(): Promise<GlusterClusterList> {
    this.calls.push('list');
    const next = this.lists.shift();
    if (next === undefined) return Promise.reject(this.surprise('list'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  watch(
    resourceVersion: string,
    onEvent: (event: GlusterClusterWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    this.calls.push(`watch ${resourceVersion}`);
    const next = this.watches.shift();
    if (next === undefined) return Promise.reject(this.surprise(`watch ${resourceVersion}`));
    if (next instanceof Error) return Promise.reject(next);
    next.attach(onEvent, signal);
    return Promise.resolve(next.session);
  }

  private surprise(call: string): Error {
    this.unexpected.push(call);
    return new Error(`FakeWatchApi: unexpected call: ${call}`);
  }
}

/** sleep() that records the delay and waits until the test wakes it (or the signal aborts). */
class FakeSleep {
  readonly delays: number[] = [];
  private wakers: (() => void)[] = [];

  readonly sleep = (delayMs: number, signal: AbortSignal): Promise<void> => {
    this.delays.push(delayMs);
    return new Promise((resolve) => {
      this.wakers.push(resolve);
      signal.addEventListener('abort', () => {
        resolve();
      });
    });
  };

  sleeping(): number {
    return this.wakers.length;
  }

  async wake(): Promise<void> {
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
    await settle();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function aWatcher(options: { resyncIntervalMs?: number } = {}) {
  const api = new FakeWatchApi();
  const sleep = new FakeSleep();
  /** Keys in the order they were queued. */
  const queued: string[] = [];
  /** The same, with how they were queued. */
  const adds: { key: string; urgent: boolean }[] = [];
  let nowMs = 0;
  const watcher = new GlusterClusterWatcher({
    api,
    queue: {
      add: (key, addOptions) => {
        queued.push(key);
        adds.push({ key, urgent: addOptions?.urgent === true });
      },
    },
    logger: createSilentLogger(),
    sleep: sleep.sleep,
    random: () => 0,
    now: () => nowMs,
    ...(options.resyncIntervalMs === undefined
      ? {}
      : { resyncIntervalMs: options.resyncIntervalMs }),
  });
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  return {
    api,
    sleep,
    queued,
    adds,
    /** Forgets what was queued so far. */
    clearQueued: () => {
      queued.length = 0;
      adds.length = 0;
    },
    watcher,
    /** Moves the watcher's clock (how long a watch lasted). */
    elapse: (ms: number) => {
      nowMs += ms;
    },
    run: async () => {
      running = watcher.run(controller.signal);
      await settle();
    },
    stop: async () => {
      controller.abort();
      await running;
      expect(watcher.isLive()).to.equal(false);
      expect(api.unexpected, 'calls nobody scripted').to.deep.equal([]);
    },
  };
}

describe('GlusterClusterWatcher', () => {
  it('lists, queues every item, watches from the list version and queues each change as urgent', async () => {
    const w = aWatcher();
    w.api.onList(aList('10', aCluster('a', '8'), aCluster('b', '9', 'other')));
    const watch = w.api.onWatch();
    expect(w.watcher.hasSynced()).to.equal(false);
    await w.run();
    expect(w.watcher.hasSynced()).to.equal(true);
    expect(w.watcher.isLive()).to.equal(true);
    // The first list queues everything, as due work, not urgent.
    expect(w.adds).to.deep.equal([
      { key: 'ns/a', urgent: false },
      { key: 'other/b', urgent: false },
    ]);
    w.clearQueued();

    watch.emit({ type: 'ADDED', object: aCluster('c', '11') });
    watch.emit({ type: 'MODIFIED', object: aCluster('a', '12', 'ns', { generation: 2 }) });
    watch.emit({ type: 'DELETED', object: aCluster('b', '13', 'other') });
    watch.emit({ type: 'BOOKMARK', resourceVersion: '20' });
    expect(w.adds).to.deep.equal([
      { key: 'ns/c', urgent: true },
      { key: 'ns/a', urgent: true },
      { key: 'other/b', urgent: true },
    ]);
    expect(w.api.calls).to.deep.equal(['list', 'watch 10']);
    await w.stop();
  });

  describe('queues a watch event only when it is news (identity, generation, deletion)', () => {
    /** Known from the list: ns/a at generation 1 (resourceVersion 5). */
    const cases: readonly {
      name: string;
      events: readonly Exclude<GlusterClusterWatchEvent, { type: 'BOOKMARK' }>[];
      queued: readonly string[];
    }[] = [
      {
        name: 'a status-only MODIFIED (same generation): not queued',
        events: [
          {
            type: 'MODIFIED',
            object: aCluster('a', '11', 'ns', { status: { observedGeneration: 1 } }),
          },
        ],
        queued: [],
      },
      {
        name: 'a finalizer or a label added (metadata only): not queued',
        events: [
          {
            type: 'MODIFIED',
            object: aCluster('a', '11', 'ns', { finalizers: ['glusteroperator.io/finalizer'] }),
          },
          { type: 'MODIFIED', object: aCluster('a', '12', 'ns', { labels: { team: 'storage' } }) },
        ],
        queued: [],
      },
      {
        name: 'a generation bump (a spec edit): queued',
        events: [{ type: 'MODIFIED', object: aCluster('a', '11', 'ns', { generation: 2 }) }],
        queued: ['ns/a'],
      },
      {
        name: 'the status write after a spec edit: the edit queued, the write not',
        events: [
          { type: 'MODIFIED', object: aCluster('a', '11', 'ns', { generation: 2 }) },
          {
            type: 'MODIFIED',
            object: aCluster('a', '12', 'ns', {
              generation: 2,
              status: { observedGeneration: 2 },
            }),
          },
        ],
        queued: ['ns/a'],
      },
      {
        name: 'deletionTimestamp appearing: queued',
        events: [
          {
            type: 'MODIFIED',
            object: aCluster('a', '11', 'ns', { deletionTimestamp: '2026-11-22T03:00:00Z' }),
          },
        ],
        queued: ['ns/a'],
      },
      {
        name: 'another object under the same name (a new uid): queued',
        events: [{ type: 'MODIFIED', object: aCluster('a', '11', 'ns', { uid: 'uid-2' }) }],
        queued: ['ns/a'],
      },
      {
        name: 'a new object (ADDED): queued',
        events: [{ type: 'ADDED', object: aCluster('c', '11') }],
        queued: ['ns/c'],
      },
      {
        name: 'DELETED: queued, and so is the object created again under its name',
        events: [
          { type: 'DELETED', object: aCluster('a', '11') },
          { type: 'ADDED', object: aCluster('a', '12', 'ns', { uid: 'uid-2' }) },
        ],
        queued: ['ns/a', 'ns/a'],
      },
      {
        name: 'DELETED of a key with no news since: still queued',
        events: [
          { type: 'MODIFIED', object: aCluster('a', '11') },
          { type: 'DELETED', object: aCluster('a', '12') },
        ],
        queued: ['ns/a'],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const w = aWatcher();
        w.api.onList(aList('10', aCluster('a', '5')));
        const watch = w.api.onWatch();
        const resumed = w.api.onWatch();
        await w.run();
        w.clearQueued();
        for (const event of tc.events) watch.emit(event);
        expect(w.adds).to.deep.equal(tc.queued.map((key) => ({ key, urgent: true })));
        // Events that were not news still move the resourceVersion the watch resumes from.
        watch.end('closed');
        await settle();
        expect(w.api.calls).to.deep.equal([
          'list',
          'watch 10',
          `watch ${tc.events.at(-1)!.object.metadata.resourceVersion!}`,
        ]);
        resumed.end('aborted');
        await w.stop();
      });
    }
  });

  it('resumes a watch that ended normally from the last resourceVersion seen, at once', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'));
    const first = w.api.onWatch();
    const second = w.api.onWatch();
    const third = w.api.onWatch();
    await w.run();
    first.emit({ type: 'ADDED', object: aCluster('a', '11') });
    first.end('closed');
    await settle();
    second.emit({ type: 'BOOKMARK', resourceVersion: '15' });
    second.end('idle');
    await settle();
    expect(w.api.calls).to.deep.equal(['list', 'watch 10', 'watch 11', 'watch 15']);
    expect(w.sleep.delays).to.deep.equal([]);
    expect(w.watcher.isLive()).to.equal(true);
    third.end('aborted');
    await w.stop();
  });

  it('lists again when the watch expires (410), queueing objects that vanished meanwhile, urgent', async () => {
    const w = aWatcher();
    w.api.onList(
      aList('10', aCluster('a', '5'), aCluster('b', '6')),
      aList('40', aCluster('a', '30')),
    );
    const first = w.api.onWatch();
    w.api.onWatch();
    await w.run();
    first.emit({ type: 'ADDED', object: aCluster('c', '12') });
    w.clearQueued();

    first.fail(gone());
    await settle();
    expect(w.api.calls).to.deep.equal(['list', 'watch 10', 'list', 'watch 40']);
    // a is unchanged (only its resourceVersion moved): not queued again. b and c were deleted
    // while the watch was away: queued so they are cleaned up.
    expect(w.adds).to.deep.equal([
      { key: 'ns/b', urgent: true },
      { key: 'ns/c', urgent: true },
    ]);
    expect(w.sleep.delays).to.deep.equal([]);
    await w.stop();
  });

  describe('a relist after 410 queues only what changed while the watch was away', () => {
    /** Known before the relist: ns/a, ns/b, ns/c at generation 1. */
    const cases: readonly {
      name: string;
      relisted: readonly GlusterCluster[];
      queued: readonly { key: string; urgent: boolean }[];
    }[] = [
      {
        name: 'nothing but resourceVersions and status moved: nothing',
        relisted: [
          aCluster('a', '31', 'ns', { status: { observedGeneration: 1 } }),
          aCluster('b', '32', 'ns', { finalizers: ['glusteroperator.io/finalizer'] }),
          aCluster('c', '33'),
        ],
        queued: [],
      },
      {
        name: 'a spec edited (new generation): that key, urgent as a watch event',
        relisted: [
          aCluster('a', '31'),
          aCluster('b', '32', 'ns', { generation: 2 }),
          aCluster('c', '33'),
        ],
        queued: [{ key: 'ns/b', urgent: true }],
      },
      {
        name: 'a deletion started (deletionTimestamp): that key',
        relisted: [
          aCluster('a', '31'),
          aCluster('b', '32'),
          aCluster('c', '33', 'ns', { deletionTimestamp: '2026-11-22T03:00:00Z' }),
        ],
        queued: [{ key: 'ns/c', urgent: true }],
      },
      {
        name: 'a new object, and one replaced under the same name (new uid): both',
        relisted: [
          aCluster('a', '31', 'ns', { uid: 'uid-2' }),
          aCluster('b', '32'),
          aCluster('c', '33'),
          aCluster('d', '34'),
        ],
        queued: [
          { key: 'ns/a', urgent: true },
          { key: 'ns/d', urgent: true },
        ],
      },
      {
        name: 'objects gone: those keys, urgent',
        relisted: [aCluster('b', '32')],
        queued: [
          { key: 'ns/a', urgent: true },
          { key: 'ns/c', urgent: true },
        ],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const w = aWatcher();
        w.api.onList(
          aList('10', aCluster('a', '5'), aCluster('b', '6'), aCluster('c', '7')),
          aList('40', ...tc.relisted),
        );
        w.api.onWatchRefused(gone());
        w.api.onWatch();
        await w.run();
        expect(w.api.calls).to.deep.equal(['list', 'watch 10', 'list', 'watch 40']);
        // The first list queued every key.
        expect(w.queued.slice(0, 3)).to.deep.equal(['ns/a', 'ns/b', 'ns/c']);
        expect(w.adds.slice(3)).to.deep.equal(tc.queued);
        await w.stop();
      });
    }
  });

  it('lists again when the watch request itself is refused with 410', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'), aList('50'));
    const first = w.api.onWatch();
    w.api.onWatchRefused(gone());
    w.api.onWatch();
    await w.run();
    first.emit({ type: 'BOOKMARK', resourceVersion: '12' });
    first.end('closed');
    await settle();
    expect(w.api.calls).to.deep.equal(['list', 'watch 10', 'watch 12', 'list', 'watch 50']);
    await w.stop();
  });

  it('backs off when the watch keeps expiring right after a list', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'), aList('11'), aList('12'), aList('13'));
    w.api.onWatchRefused(gone()).onWatchRefused(gone()).onWatchRefused(gone());
    w.api.onWatch();
    await w.run();
    // The first expiry relists at once; the next ones wait.
    expect(w.sleep.delays).to.deep.equal([500]);
    await w.sleep.wake();
    expect(w.sleep.delays).to.deep.equal([500, 1_000]);
    await w.sleep.wake();
    expect(w.api.calls).to.deep.equal([
      'list',
      'watch 10',
      'list',
      'watch 11',
      'list',
      'watch 12',
      'list',
      'watch 13',
    ]);
    await w.stop();
  });

  it('reconnects after failures with exponential backoff, capped, and resets it after a healthy watch', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'));
    for (let i = 0; i < 8; i++) w.api.onWatchRefused(refused());
    const healthy = w.api.onWatch();
    w.api.onWatchRefused(refused());
    w.api.onWatch();
    await w.run();
    for (let i = 0; i < 8; i++) await w.sleep.wake();
    expect(w.sleep.delays).to.deep.equal([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(w.watcher.isLive()).to.equal(true);

    healthy.emit({ type: 'MODIFIED', object: aCluster('a', '21') });
    healthy.fail(new KubeApiError('stream reset', { cause: undefined }));
    await settle();
    expect(w.watcher.isLive()).to.equal(false);
    expect(w.sleep.delays.slice(8)).to.deep.equal([500]);
    await w.sleep.wake();
    // The next attempt is refused again: the backoff grows from the start.
    expect(w.sleep.delays.slice(8)).to.deep.equal([500, 1_000]);
    await w.sleep.wake();
    expect(w.api.calls.slice(-3)).to.deep.equal(['watch 10', 'watch 21', 'watch 21']);
    expect(w.watcher.isLive()).to.equal(true);
    await w.stop();
  });

  it('retries a failed list with backoff, and counts as synced only once a list succeeded', async () => {
    const w = aWatcher();
    w.api.onList(refused(), refused(), aList('10', aCluster('a', '3')));
    w.api.onWatch();
    await w.run();
    expect(w.watcher.hasSynced()).to.equal(false);
    expect(w.watcher.isLive()).to.equal(false);
    await w.sleep.wake();
    await w.sleep.wake();
    expect(w.sleep.delays).to.deep.equal([500, 1_000]);
    expect(w.watcher.hasSynced()).to.equal(true);
    expect(w.queued).to.deep.equal(['ns/a']);
    expect(w.api.calls).to.deep.equal(['list', 'list', 'list', 'watch 10']);
    await w.stop();
  });

  it('treats a watch that ends at once without any event as a failure', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'));
    const closedAtOnce = w.api.onWatch();
    const lasting = w.api.onWatch();
    w.api.onWatch();
    await w.run();
    closedAtOnce.end('closed');
    await settle();
    expect(w.sleep.delays).to.deep.equal([500]);
    await w.sleep.wake();
    w.elapse(5_000);
    lasting.end('closed');
    await settle();
    expect(w.sleep.delays).to.deep.equal([500]);
    expect(w.api.calls).to.deep.equal(['list', 'watch 10', 'watch 10', 'watch 10']);
    await w.stop();
  });

  it('stops when aborted, while watching or while waiting to retry', async () => {
    const watching = aWatcher();
    watching.api.onList(aList('10'));
    watching.api.onWatch();
    await watching.run();
    await watching.stop();

    const waiting = aWatcher();
    waiting.api.onList(refused());
    await waiting.run();
    expect(waiting.sleep.sleeping()).to.equal(1);
    await waiting.stop();
    expect(waiting.api.calls).to.deep.equal(['list']);
  });

  it('queues every known key again at each resync', async () => {
    const w = aWatcher({ resyncIntervalMs: 60_000 });
    w.api.onList(aList('10', aCluster('a', '3'), aCluster('b', '4')));
    const watch = w.api.onWatch();
    await w.run();
    watch.emit({ type: 'DELETED', object: aCluster('a', '11') });
    watch.emit({ type: 'ADDED', object: aCluster('c', '12') });
    w.clearQueued();
    expect(w.sleep.delays).to.deep.equal([60_000]);
    await w.sleep.wake();
    // Due work, not news: behind any change someone made.
    expect(w.adds).to.deep.equal([
      { key: 'ns/b', urgent: false },
      { key: 'ns/c', urgent: false },
    ]);
    expect(w.sleep.delays).to.deep.equal([60_000, 60_000]);
    await w.stop();
  });

  it('cannot run twice at once', async () => {
    const w = aWatcher();
    w.api.onList(aList('10'));
    w.api.onWatch();
    await w.run();
    let error: unknown;
    await w.watcher.run(new AbortController().signal).catch((caught: unknown) => (error = caught));
    expect(error)
      .to.be.instanceOf(Error)
      .with.property('message', 'The watcher is already running');
    await w.stop();
  });
});

describe('queue keys', () => {
  it('are namespace/name and parse back', () => {
    const key = queueKeyOf(aCluster('pool-a', '1', 'storage'));
    expect(key).to.equal('storage/pool-a');
    expect(parseQueueKey(key)).to.deep.equal({ namespace: 'storage', name: 'pool-a' });
  });

  for (const key of ['', 'no-slash', '/name', 'ns/', 'a/b/c']) {
    it(`refuses ${JSON.stringify(key)}`, () => {
      expect(() => parseQueueKey(key)).to.throw(RangeError);
    });
  }
});
