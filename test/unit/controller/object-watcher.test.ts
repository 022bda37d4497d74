import { expect } from 'chai';
import type { GlusterCluster } from '../../../src/api/gluster-cluster.js';
import { GlusterClusterWatcher } from '../../../src/controller/gluster-cluster-watcher.js';
import { ObjectWatcher, type KeySink } from '../../../src/controller/object-watcher.js';
import { SecretWatcher } from '../../../src/controller/secret-watcher.js';
import { GoneError } from '../../../src/kube/kube-errors.js';
import type { SecretMetadata } from '../../../src/kube/secret-watch-api.js';
import type {
  ListWatchApi,
  ObjectList,
  WatchEndReason,
  WatchEvent,
  WatchSession,
} from '../../../src/kube/watch-stream.js';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { recordingLogger, type LoggedLine } from '../../support/recording-logger.js';

/**
 * The generic watcher (ObjectWatcher) beyond what the GlusterCluster watcher's own tests cover:
 * the onObject hook, a watcher that reports changes only (the Secret watcher), and the kind in
 * its log lines.
 */

function aSecret(name: string, resourceVersion: string, uid = `uid-${name}`): SecretMetadata {
  return { metadata: { namespace: 'ns', name, uid, resourceVersion } };
}

function aCluster(name: string, resourceVersion: string, generation = 1): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { namespace: 'ns', name, resourceVersion, uid: `uid-${name}`, generation },
    spec: { nodes: [{ address: 'n1' }], ssh: { secretRef: { name: 'ssh' } } },
  };
}

const gone = (): GoneError =>
  new GoneError('410 Expired', { cause: undefined, code: 410, reason: 'Expired' });

/** One scripted watch: the test emits events and ends it. */
class FakeWatch<T> {
  private onEvent: ((event: WatchEvent<T>) => void) | undefined;
  private resolveEnded!: (reason: WatchEndReason) => void;
  private rejectEnded!: (error: Error) => void;
  readonly session: WatchSession = {
    ended: new Promise<WatchEndReason>((resolve, reject) => {
      this.resolveEnded = resolve;
      this.rejectEnded = reject;
    }),
  };

  attach(onEvent: (event: WatchEvent<T>) => void, signal: AbortSignal): void {
    this.onEvent = onEvent;
    signal.addEventListener('abort', () => {
      this.resolveEnded('aborted');
    });
  }

  emit(event: WatchEvent<T>): void {
    if (this.onEvent === undefined) throw new Error('FakeWatch: nobody is watching yet');
    this.onEvent(event);
  }

  fail(error: Error): void {
    this.rejectEnded(error);
  }
}

/** list and watch answer from scripts, in turn; a call nobody scripted throws. */
class FakeListWatchApi<T> implements ListWatchApi<T> {
  readonly calls: string[] = [];
  readonly unexpected: string[] = [];
  private readonly lists: ObjectList<T>[] = [];
  private readonly watches: FakeWatch<T>[] = [];

  onList(...answers: ObjectList<T>[]): this {
    this.lists.push(...answers);
    return this;
  }

  onWatch(): FakeWatch<T> {
    const watch = new FakeWatch<T>();
    this.watches.push(watch);
    return watch;
  }

  list(): Promise<ObjectList<T>> {
    this.calls.push('list');
    const next = this.lists.shift();
    if (next === undefined) return Promise.reject(this.surprise('list'));
    return Promise.resolve(next);
  }

  watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    this.calls.push(`watch ${resourceVersion}`);
    const next = this.watches.shift();
    if (next === undefined) return Promise.reject(this.surprise(`watch ${resourceVersion}`));
    next.attach(onEvent, signal);
    return Promise.resolve(next.session);
  }

  private surprise(call: string): Error {
    this.unexpected.push(call);
    return new Error(`FakeListWatchApi: unexpected call: ${call}`);
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A sleep that never ends until aborted: no test here expects a backoff. */
const neverWake = (_delayMs: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    signal.addEventListener('abort', () => {
      resolve();
    });
  });

/** Runs `watcher` until the returned stop(); checks that nothing unscripted was called. */
async function running<T>(
  watcher: { run(signal: AbortSignal): Promise<void>; isLive(): boolean },
  api: FakeListWatchApi<T>,
): Promise<{ stop: () => Promise<void> }> {
  const controller = new AbortController();
  const run = watcher.run(controller.signal);
  await settle();
  return {
    stop: async () => {
      controller.abort();
      await run;
      expect(watcher.isLive()).to.equal(false);
      expect(api.unexpected, 'calls nobody scripted').to.deep.equal([]);
    },
  };
}

/** Records onObject calls and queue adds in one ordered log. */
function aLog() {
  const log: string[] = [];
  const queue: KeySink = {
    add: (key, options) => {
      log.push(`queue ${key}${options?.urgent === true ? ' urgent' : ''}`);
    },
  };
  const onObject = (key: string, object: { metadata: { resourceVersion?: string } } | undefined) =>
    log.push(`object ${key} ${object ? `@${object.metadata.resourceVersion ?? ''}` : 'gone'}`);
  return { log, queue, onObject };
}

describe('ObjectWatcher', () => {
  describe('tells onObject of every object it sees, before queueing its key', () => {
    const cases: readonly {
      name: string;
      events: readonly WatchEvent<GlusterCluster>[];
      log: readonly string[];
    }[] = [
      {
        name: 'a status write (not news): told, not queued',
        events: [{ type: 'MODIFIED', object: aCluster('a', '11') }],
        log: ['object ns/a @11'],
      },
      {
        name: 'a spec edit: told, then queued',
        events: [{ type: 'MODIFIED', object: aCluster('a', '11', 2) }],
        log: ['object ns/a @11', 'queue ns/a urgent'],
      },
      {
        name: 'a new object: told, then queued',
        events: [{ type: 'ADDED', object: aCluster('b', '12') }],
        log: ['object ns/b @12', 'queue ns/b urgent'],
      },
      {
        name: 'a deletion: told it is gone, then queued',
        events: [{ type: 'DELETED', object: aCluster('a', '13') }],
        log: ['object ns/a gone', 'queue ns/a urgent'],
      },
      {
        name: 'a bookmark: nothing',
        events: [{ type: 'BOOKMARK', resourceVersion: '20' }],
        log: [],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const api = new FakeListWatchApi<GlusterCluster>().onList({
          items: [aCluster('a', '5')],
          resourceVersion: '10',
        });
        const watch = api.onWatch();
        const { log, queue, onObject } = aLog();
        const watcher = new GlusterClusterWatcher({
          api,
          queue,
          onObject,
          logger: createSilentLogger(),
          sleep: neverWake,
        });
        const run = await running(watcher, api);
        expect(log).to.deep.equal(['object ns/a @5', 'queue ns/a']);
        log.length = 0;
        for (const event of tc.events) watch.emit(event);
        expect(log).to.deep.equal(tc.log);
        await run.stop();
      });
    }
  });

  it('tells onObject of every relisted object, and that vanished ones are gone', async () => {
    const api = new FakeListWatchApi<GlusterCluster>().onList(
      { items: [aCluster('a', '5'), aCluster('b', '6')], resourceVersion: '10' },
      { items: [aCluster('a', '30')], resourceVersion: '40' },
    );
    const first = api.onWatch();
    api.onWatch();
    const { log, queue, onObject } = aLog();
    const watcher = new GlusterClusterWatcher({
      api,
      queue,
      onObject,
      logger: createSilentLogger(),
      sleep: neverWake,
    });
    const run = await running(watcher, api);
    log.length = 0;
    first.fail(gone());
    await settle();
    expect(api.calls).to.deep.equal(['list', 'watch 10', 'list', 'watch 40']);
    expect(log).to.deep.equal(['object ns/a @30', 'object ns/b gone', 'queue ns/b urgent']);
    await run.stop();
  });
});

describe('SecretWatcher: changes only, never its first list', () => {
  /** Known from the first list: ns/ssh at resourceVersion 5. */
  const cases: readonly {
    name: string;
    events: readonly WatchEvent<SecretMetadata>[];
    queued: readonly string[];
  }[] = [
    {
      name: 'a write to the Secret (a new resourceVersion): queued',
      events: [{ type: 'MODIFIED', object: aSecret('ssh', '11') }],
      queued: ['ns/ssh urgent'],
    },
    {
      name: 'a Secret created: queued',
      events: [{ type: 'ADDED', object: aSecret('new', '12') }],
      queued: ['ns/new urgent'],
    },
    {
      name: 'a Secret deleted, and created again: queued twice',
      events: [
        { type: 'DELETED', object: aSecret('ssh', '13') },
        { type: 'ADDED', object: aSecret('ssh', '14', 'uid-2') },
      ],
      queued: ['ns/ssh urgent', 'ns/ssh urgent'],
    },
    {
      name: 'a bookmark: nothing',
      events: [{ type: 'BOOKMARK', resourceVersion: '20' }],
      queued: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const api = new FakeListWatchApi<SecretMetadata>().onList({
        items: [aSecret('ssh', '5'), aSecret('other', '6')],
        resourceVersion: '10',
      });
      const watch = api.onWatch();
      const { log, queue } = aLog();
      const watcher = new SecretWatcher({
        api,
        queue,
        logger: createSilentLogger(),
        sleep: neverWake,
      });
      const run = await running(watcher, api);
      expect(watcher.hasSynced()).to.equal(true);
      expect(log, 'the first list queues nothing').to.deep.equal([]);
      for (const event of tc.events) watch.emit(event);
      expect(log).to.deep.equal(tc.queued.map((entry) => `queue ${entry}`));
      await run.stop();
    });
  }

  it('after its watch expires, queues the Secrets that changed or vanished meanwhile', async () => {
    const api = new FakeListWatchApi<SecretMetadata>().onList(
      { items: [aSecret('a', '5'), aSecret('b', '6'), aSecret('c', '7')], resourceVersion: '10' },
      {
        items: [aSecret('a', '5'), aSecret('b', '31'), aSecret('d', '32')],
        resourceVersion: '40',
      },
    );
    const first = api.onWatch();
    api.onWatch();
    const { log, queue } = aLog();
    const watcher = new SecretWatcher({
      api,
      queue,
      logger: createSilentLogger(),
      sleep: neverWake,
    });
    const run = await running(watcher, api);
    first.fail(gone());
    await settle();
    expect(api.calls).to.deep.equal(['list', 'watch 10', 'list', 'watch 40']);
    expect(log).to.deep.equal(['queue ns/b urgent', 'queue ns/d urgent', 'queue ns/c urgent']);
    await run.stop();
  });

  it('names its kind in its log lines', async () => {
    const api = new FakeListWatchApi<SecretMetadata>().onList({
      items: [aSecret('ssh', '5')],
      resourceVersion: '10',
    });
    api.onWatch();
    const lines: LoggedLine[] = [];
    const watcher = new ObjectWatcher<SecretMetadata>({
      api,
      queue: {
        add: () => {
          throw new Error('nothing to queue');
        },
      },
      logger: recordingLogger(lines),
      noun: 'Secrets',
      newsOf: (secret) => secret.metadata.resourceVersion ?? '',
      queueInitialList: false,
      sleep: neverWake,
    });
    const run = await running(watcher, api);
    expect(lines.map((line) => line.message)).to.deep.equal([
      'Listed Secrets',
      'Started watching Secrets',
    ]);
    expect(lines[0]?.meta).to.deep.equal({
      count: 1,
      queued: 0,
      vanished: 0,
      resourceVersion: '10',
    });
    await run.stop();
  });
});
