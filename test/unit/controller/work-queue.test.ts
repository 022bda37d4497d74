import { expect } from 'chai';
import { WorkQueue, type QueueTimers } from '../../../src/controller/work-queue.js';
import { recordingLogger } from '../../support/recording-logger.js';
import type { LoggedLine } from '../../support/recording-logger.js';

/** Timers that only move when the test says so. */
class FakeTimers implements QueueTimers {
  nowMs = 0;
  private nextId = 1;
  private readonly timers: { id: number; atMs: number; callback: () => void }[] = [];

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, atMs: this.nowMs + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    const index = this.timers.findIndex((timer) => timer.id === handle);
    if (index >= 0) this.timers.splice(index, 1);
  }

  now(): number {
    return this.nowMs;
  }

  /** Delays of the timers still pending, from now. */
  pending(): number[] {
    return this.timers.map((timer) => timer.atMs - this.nowMs).sort((a, b) => a - b);
  }

  /** Moves the clock, firing due timers in order, and lets what they started run. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.atMs <= targetMs)
        .sort((a, b) => a.atMs - b.atMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.clearTimeout(due.id);
      this.nowMs = due.atMs;
      due.callback();
      await settle();
    }
    this.nowMs = targetMs;
    await settle();
  }
}

/** Lets every queued microtask and promise continuation run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A started queue whose handler runs until the test finishes (or fails) each run. */
function aQueue(options: { workers?: number; random?: () => number } = {}) {
  const timers = new FakeTimers();
  const logged: LoggedLine[] = [];
  /** What the queue told its observer, in order. */
  const observed: string[] = [];
  const queue = new WorkQueue({
    workers: options.workers ?? 1,
    logger: recordingLogger(logged),
    timers,
    random: options.random ?? (() => 0),
    observer: {
      added: () => observed.push('added'),
      waited: (ms) => observed.push(`waited ${ms}`),
      worked: (ms) => observed.push(`worked ${ms}`),
      retried: () => observed.push('retried'),
    },
  });
  const started: string[] = [];
  const running = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const signals: AbortSignal[] = [];
  let maxRunning = 0;
  let overlapped = false;
  const handler = (key: string, signal: AbortSignal): Promise<void> => {
    if (running.has(key)) overlapped = true;
    started.push(key);
    signals.push(signal);
    return new Promise<void>((resolve, reject) => {
      running.set(key, { resolve, reject });
      maxRunning = Math.max(maxRunning, running.size);
    }).finally(() => running.delete(key));
  };
  const run = (key: string) => {
    const current = running.get(key);
    if (current === undefined) throw new Error(`${key} is not running`);
    return current;
  };
  return {
    queue,
    timers,
    logged,
    observed,
    started,
    signals,
    start: () => {
      queue.start(handler);
    },
    running: () => [...running.keys()],
    maxRunning: () => maxRunning,
    overlapped: () => overlapped,
    finish: async (...keys: string[]) => {
      for (const key of keys) run(key).resolve();
      await settle();
    },
    fail: async (key: string, error: Error) => {
      run(key).reject(error);
      await settle();
    },
  };
}

type Harness = ReturnType<typeof aQueue>;

interface Scenario {
  readonly name: string;
  readonly workers?: number;
  /** Drives the queue; the harness is started unless `notStarted`. */
  readonly steps: (h: Harness) => Promise<void>;
  /** Keys the handler was given, in order. */
  readonly started: readonly string[];
  readonly notStarted?: boolean;
}

const scenarios: readonly Scenario[] = [
  {
    name: 'processes a key queued several times before a worker takes it once',
    steps: async (h) => {
      h.queue.add('ns/a');
      h.queue.add('ns/a');
      h.queue.add('ns/a');
      await settle();
      await h.finish('ns/a');
    },
    started: ['ns/a'],
  },
  {
    name: 'processes keys in the order they were first queued',
    steps: async (h) => {
      h.queue.add('ns/a');
      h.queue.add('ns/b');
      h.queue.add('ns/a');
      h.queue.add('ns/c');
      await settle();
      await h.finish('ns/a');
      await h.finish('ns/b');
      await h.finish('ns/c');
    },
    started: ['ns/a', 'ns/b', 'ns/c'],
  },
  {
    name: 'never runs a key twice at once: added while in flight, it runs once more afterwards',
    workers: 4,
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/a');
      await settle();
      expect(h.running()).to.deep.equal(['ns/a']);
      await h.finish('ns/a');
      expect(h.running()).to.deep.equal(['ns/a']);
      await h.finish('ns/a');
    },
    started: ['ns/a', 'ns/a'],
  },
  {
    name: 'runs at most `workers` keys at once and starts the next when one ends',
    workers: 2,
    steps: async (h) => {
      for (const key of ['ns/a', 'ns/b', 'ns/c', 'ns/d']) h.queue.add(key);
      await settle();
      expect(h.running()).to.deep.equal(['ns/a', 'ns/b']);
      expect(h.queue.depth()).to.equal(2);
      await h.finish('ns/b');
      expect(h.running()).to.deep.equal(['ns/a', 'ns/c']);
      await h.finish('ns/a', 'ns/c');
      await h.finish('ns/d');
      expect(h.maxRunning()).to.equal(2);
    },
    started: ['ns/a', 'ns/b', 'ns/c', 'ns/d'],
  },
  {
    name: 'holds keys queued before start() until it is called',
    notStarted: true,
    steps: async (h) => {
      h.queue.add('ns/a');
      h.queue.add('ns/a');
      await settle();
      expect(h.started).to.deep.equal([]);
      expect(h.queue.depth()).to.equal(1);
      h.start();
      await settle();
      await h.finish('ns/a');
    },
    started: ['ns/a'],
  },
  {
    name: 'addAfter queues the key when the delay has passed, not before',
    steps: async (h) => {
      h.queue.addAfter('ns/a', 1_000);
      expect(h.queue.delayed()).to.equal(1);
      await h.timers.advance(999);
      expect(h.started).to.deep.equal([]);
      await h.timers.advance(1);
      expect(h.queue.delayed()).to.equal(0);
      await h.finish('ns/a');
    },
    started: ['ns/a'],
  },
  {
    name: 'addAfter keeps the earliest of several delays for a key',
    steps: async (h) => {
      h.queue.addAfter('ns/a', 5_000);
      h.queue.addAfter('ns/a', 1_000);
      h.queue.addAfter('ns/a', 3_000);
      expect(h.timers.pending()).to.deep.equal([1_000]);
      await h.timers.advance(1_000);
      await h.finish('ns/a');
      await h.timers.advance(10_000);
    },
    started: ['ns/a'],
  },
  {
    name: 'cancel drops a delayed run of a key whose object is gone, and its backoff',
    steps: async (h) => {
      h.queue.addAfter('ns/a', 1_000);
      h.queue.addRateLimited('ns/b');
      h.queue.cancel('ns/a');
      h.queue.cancel('ns/b');
      expect(h.queue.delayed()).to.equal(0);
      expect(h.queue.numRequeues('ns/b')).to.equal(0);
      await h.timers.advance(10_000);
      expect(h.started).to.deep.equal([]);
      h.queue.add('ns/c');
      await settle();
      await h.finish('ns/c');
    },
    started: ['ns/c'],
  },
  {
    name: 'addAfter with no delay queues at once',
    steps: async (h) => {
      h.queue.addAfter('ns/a', 0);
      await settle();
      await h.finish('ns/a');
    },
    started: ['ns/a'],
  },
  {
    name: 'a delayed key is not cancelled by an add: it runs now and again when due',
    steps: async (h) => {
      h.queue.addAfter('ns/a', 60_000);
      h.queue.add('ns/a');
      await settle();
      await h.finish('ns/a');
      await h.timers.advance(60_000);
      await h.finish('ns/a');
    },
    started: ['ns/a', 'ns/a'],
  },
  {
    name: 'a delay that runs out while the key is in flight queues it after the run',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.addAfter('ns/a', 1_000);
      await h.timers.advance(1_000);
      expect(h.started).to.deep.equal(['ns/a']);
      await h.finish('ns/a');
      await h.finish('ns/a');
      expect(h.overlapped()).to.equal(false);
    },
    started: ['ns/a', 'ns/a'],
  },
  {
    name: 'addRateLimited queues the key after its backoff delay',
    steps: async (h) => {
      expect(h.queue.addRateLimited('ns/a')).to.equal(1_000);
      await h.timers.advance(999);
      expect(h.started).to.deep.equal([]);
      await h.timers.advance(1);
      await h.finish('ns/a');
      expect(h.queue.addRateLimited('ns/a')).to.equal(2_000);
      await h.timers.advance(2_000);
      await h.finish('ns/a');
    },
    started: ['ns/a', 'ns/a'],
  },
  {
    name: 'backoff is per key',
    steps: async (h) => {
      h.queue.addRateLimited('ns/a');
      h.queue.addRateLimited('ns/a');
      expect(h.queue.addRateLimited('ns/b')).to.equal(1_000);
      expect(h.queue.numRequeues('ns/a')).to.equal(2);
      expect(h.queue.numRequeues('ns/b')).to.equal(1);
      await h.timers.advance(1_000);
      await h.finish('ns/a');
      await h.finish('ns/b');
    },
    // ns/a's second delay (2 s) lost to its first (1 s): the earliest wins.
    started: ['ns/a', 'ns/b'],
  },
  {
    name: 'forget resets the backoff to the base delay',
    steps: async (h) => {
      for (let i = 0; i < 4; i++) h.queue.addRateLimited('ns/a');
      expect(h.queue.numRequeues('ns/a')).to.equal(4);
      h.queue.forget('ns/a');
      expect(h.queue.numRequeues('ns/a')).to.equal(0);
      expect(h.queue.addRateLimited('ns/a')).to.equal(1_000);
      await h.timers.advance(1_000);
      await h.finish('ns/a');
    },
    started: ['ns/a'],
  },
  {
    name: 'a handler that throws is logged and its key retried with backoff',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      await h.fail('ns/a', new Error('API server unreachable'));
      expect(h.logged).to.deep.equal([
        {
          level: 'error',
          message: 'Work queue handler failed',
          meta: { key: 'ns/a', error: 'API server unreachable', retryInMs: 1_000 },
        },
      ]);
      expect(h.queue.numRequeues('ns/a')).to.equal(1);
      await h.timers.advance(1_000);
      await h.finish('ns/a');
    },
    started: ['ns/a', 'ns/a'],
  },
  {
    name: 'urgent keys go before keys that are only due, in the order they were added',
    steps: async (h) => {
      h.queue.add('ns/x');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/b');
      h.queue.add('ns/u1', { urgent: true });
      h.queue.add('ns/u2', { urgent: true });
      expect(h.queue.depth()).to.equal(4);
      for (const key of ['ns/x', 'ns/u1', 'ns/u2', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/x', 'ns/u1', 'ns/u2', 'ns/a', 'ns/b'],
  },
  {
    name: 'an urgent key added while urgent ones are being worked off goes after them, before the due ones',
    steps: async (h) => {
      h.queue.add('ns/x');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/u1', { urgent: true });
      h.queue.add('ns/u2', { urgent: true });
      await h.finish('ns/x');
      expect(h.running()).to.deep.equal(['ns/u1']);
      h.queue.add('ns/u3', { urgent: true });
      h.queue.add('ns/b');
      for (const key of ['ns/u1', 'ns/u2', 'ns/u3', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/x', 'ns/u1', 'ns/u2', 'ns/u3', 'ns/a', 'ns/b'],
  },
  {
    name: 'an urgent key goes before due keys that were queued before start()',
    notStarted: true,
    steps: async (h) => {
      h.queue.add('ns/a');
      h.queue.add('ns/b');
      h.queue.add('ns/u', { urgent: true });
      h.start();
      await settle();
      for (const key of ['ns/u', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/u', 'ns/a', 'ns/b'],
  },
  {
    name: 'an urgent add of a key waiting as due moves it forward, behind the urgent ones',
    steps: async (h) => {
      h.queue.add('ns/x');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/b');
      h.queue.add('ns/c');
      h.queue.add('ns/u', { urgent: true });
      h.queue.add('ns/c', { urgent: true });
      expect(h.queue.depth(), 'moved, not queued twice').to.equal(4);
      for (const key of ['ns/x', 'ns/u', 'ns/c', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/x', 'ns/u', 'ns/c', 'ns/a', 'ns/b'],
  },
  {
    name: 'an urgent add of a key already waiting as urgent leaves it where it is',
    steps: async (h) => {
      h.queue.add('ns/x');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/u1', { urgent: true });
      h.queue.add('ns/u2', { urgent: true });
      h.queue.add('ns/u1', { urgent: true });
      h.queue.add('ns/u2');
      expect(h.queue.depth()).to.equal(3);
      for (const key of ['ns/x', 'ns/u1', 'ns/u2', 'ns/a']) await h.finish(key);
    },
    started: ['ns/x', 'ns/u1', 'ns/u2', 'ns/a'],
  },
  {
    name: 'a due add of a key in flight re-runs it after the keys already waiting',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/b');
      h.queue.add('ns/c');
      h.queue.add('ns/a');
      for (const key of ['ns/a', 'ns/b', 'ns/c', 'ns/a']) await h.finish(key);
    },
    started: ['ns/a', 'ns/b', 'ns/c', 'ns/a'],
  },
  {
    name: 'an urgent add of a key in flight re-runs it before the due keys',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/b');
      h.queue.add('ns/c');
      h.queue.add('ns/a', { urgent: true });
      expect(h.queue.depth(), 'not in the ready list while in flight').to.equal(2);
      await h.finish('ns/a');
      expect(h.running()).to.deep.equal(['ns/a']);
      for (const key of ['ns/a', 'ns/b', 'ns/c']) await h.finish(key);
    },
    started: ['ns/a', 'ns/a', 'ns/b', 'ns/c'],
  },
  {
    name: 'a key in flight added as due, then as urgent, re-runs once, before the due keys',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/a');
      h.queue.add('ns/b');
      h.queue.add('ns/a', { urgent: true });
      for (const key of ['ns/a', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/a', 'ns/a', 'ns/b'],
  },
  {
    name: 'the urgent re-run of a key in flight goes behind urgent keys already waiting',
    steps: async (h) => {
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/u', { urgent: true });
      h.queue.add('ns/b');
      h.queue.add('ns/a', { urgent: true });
      for (const key of ['ns/a', 'ns/u', 'ns/a', 'ns/b']) await h.finish(key);
    },
    started: ['ns/a', 'ns/u', 'ns/a', 'ns/b'],
  },
  {
    name: 'a key that comes due after a delay is due work: an urgent key goes before it',
    steps: async (h) => {
      h.queue.add('ns/x');
      await settle();
      h.queue.add('ns/b');
      h.queue.addAfter('ns/a', 1_000);
      await h.timers.advance(1_000);
      h.queue.add('ns/u', { urgent: true });
      for (const key of ['ns/x', 'ns/u', 'ns/b', 'ns/a']) await h.finish(key);
    },
    started: ['ns/x', 'ns/u', 'ns/b', 'ns/a'],
  },
];

describe('WorkQueue', () => {
  for (const tc of scenarios) {
    it(tc.name, async () => {
      const h = aQueue({ workers: tc.workers ?? 1 });
      if (tc.notStarted !== true) h.start();
      await tc.steps(h);
      expect(h.started).to.deep.equal(tc.started);
      expect(h.running(), 'runs left unfinished').to.deep.equal([]);
      expect(h.overlapped(), 'a key ran twice at once').to.equal(false);
    });
  }

  describe('backoff delays (base 1 s, cap 5 min, jitter shortens by up to 10 %)', () => {
    const cases: readonly { name: string; random: number; delaysMs: readonly number[] }[] = [
      {
        name: 'doubles from 1 s and stops at 5 min (no jitter)',
        random: 0,
        delaysMs: [
          1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000,
        ],
      },
      {
        name: 'jitter of half shortens each delay by 5 %',
        random: 0.5,
        delaysMs: [950, 1_900, 3_800, 7_600, 15_200, 30_400, 60_800, 121_600, 243_200, 285_000],
      },
      {
        name: 'the largest jitter shortens by just under 10 %, never below 90 % of the cap',
        random: 0.9999,
        delaysMs: [900, 1_800, 3_600, 7_200, 14_400, 28_800, 57_601, 115_201, 230_403, 270_003],
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const h = aQueue({ random: () => tc.random });
        const delays = tc.delaysMs.map(() => h.queue.addRateLimited('ns/a'));
        expect(delays).to.deep.equal(tc.delaysMs);
      });
    }

    it('stays at the cap after very many failures (no overflow)', () => {
      const h = aQueue();
      let last = 0;
      for (let i = 0; i < 2_000; i++) last = h.queue.addRateLimited('ns/a');
      expect(last).to.equal(300_000);
    });
  });

  describe('shutdown', () => {
    it('aborts the handlers, waits for the runs in flight, drops queued and delayed keys', async () => {
      const h = aQueue({ workers: 2 });
      h.start();
      for (const key of ['ns/a', 'ns/b', 'ns/c']) h.queue.add(key);
      h.queue.addAfter('ns/d', 1_000);
      await settle();
      expect(h.running()).to.deep.equal(['ns/a', 'ns/b']);

      let stopped = false;
      const stopping = h.queue.shutdown().then(() => (stopped = true));
      await settle();
      expect(h.signals.every((signal) => signal.aborted)).to.equal(true);
      expect(h.timers.pending()).to.deep.equal([]);
      expect(stopped).to.equal(false);

      await h.finish('ns/a');
      expect(stopped).to.equal(false);
      await h.finish('ns/b');
      await stopping;
      expect(stopped).to.equal(true);

      h.queue.add('ns/e');
      h.queue.addAfter('ns/f', 10);
      h.queue.addRateLimited('ns/g');
      await h.timers.advance(60_000);
      expect(h.started).to.deep.equal(['ns/a', 'ns/b']);
      expect(h.queue.depth()).to.equal(0);
      expect(h.queue.delayed()).to.equal(0);
      expect(h.queue.isShuttingDown()).to.equal(true);
    });

    it('does not requeue a key that was added while in flight', async () => {
      const h = aQueue();
      h.start();
      h.queue.add('ns/a');
      await settle();
      h.queue.add('ns/a');
      const stopping = h.queue.shutdown();
      await h.finish('ns/a');
      await stopping;
      expect(h.started).to.deep.equal(['ns/a']);
    });

    it('does not retry a handler that fails once shutting down (its abort), and logs it as debug', async () => {
      const h = aQueue();
      h.start();
      h.queue.add('ns/a');
      await settle();
      const stopping = h.queue.shutdown();
      await h.fail('ns/a', new Error('This operation was aborted'));
      await stopping;
      expect(h.logged.map((line) => [line.level, line.message])).to.deep.equal([
        ['debug', 'Work queue handler failed while shutting down'],
      ]);
      expect(h.queue.numRequeues('ns/a')).to.equal(0);
      expect(h.timers.pending()).to.deep.equal([]);
    });

    it('resolves at once with nothing in flight, and again when called twice', async () => {
      const h = aQueue();
      h.start();
      await h.queue.shutdown();
      await h.queue.shutdown();
    });
  });

  it('reports depth, delayed and in-flight counts for metrics', async () => {
    const h = aQueue({ workers: 1 });
    h.start();
    h.queue.add('ns/a');
    h.queue.add('ns/b');
    h.queue.add('ns/c');
    h.queue.addAfter('ns/d', 1_000);
    await settle();
    expect({
      depth: h.queue.depth(),
      delayed: h.queue.delayed(),
      inFlight: h.queue.inFlight(),
    }).to.deep.equal({ depth: 2, delayed: 1, inFlight: 1 });
    await h.finish('ns/a');
    await h.finish('ns/b');
    await h.finish('ns/c');
    expect(h.queue.inFlight()).to.equal(0);
  });

  it("tells its observer what client-go's workqueue metrics count: adds, waits, runs, retries", async () => {
    const h = aQueue({ workers: 1 });
    h.queue.add('ns/a');
    h.queue.add('ns/a'); // already queued: not an add
    h.queue.add('ns/b');
    await h.timers.advance(30);
    h.start();
    await settle();
    await h.timers.advance(200);
    expect(h.queue.unfinishedWork()).to.deep.equal({ totalMs: 200, longestMs: 200 });
    await h.finish('ns/a');
    await h.timers.advance(50);
    expect(h.queue.unfinishedWork()).to.deep.equal({ totalMs: 50, longestMs: 50 });
    h.queue.addRateLimited('ns/b'); // in flight: a retry, then an add when its delay ends
    await h.finish('ns/b');
    expect(h.queue.unfinishedWork()).to.deep.equal({ totalMs: 0, longestMs: 0 });
    expect(h.observed).to.deep.equal([
      'added',
      'added',
      'waited 30',
      'worked 200',
      'waited 230',
      'retried',
      'worked 50',
    ]);
    await h.timers.advance(1_000);
    expect(h.observed.slice(7)).to.deep.equal(['added', 'waited 0']);
  });

  it('refuses a worker count that is not a positive integer', () => {
    for (const workers of [0, -1, 1.5, Number.NaN]) {
      expect(() => aQueue({ workers }), String(workers)).to.throw(RangeError);
    }
  });

  it('cannot be started twice', () => {
    const h = aQueue();
    h.start();
    expect(() => {
      h.start();
    }).to.throw(/already started/);
  });
});
