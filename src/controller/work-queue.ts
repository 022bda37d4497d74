import type { Logger } from '../observability/logger.js';

/** The clock and timers the queue waits with; tests inject a fake. */
export interface QueueTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realQueueTimers: QueueTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};

/**
 * What the queue tells its metrics, in client-go's workqueue terms: a key added (not one already
 * queued), how long a key waited before a worker took it, how long its run took, a rate-limited
 * re-add (a retry).
 */
export interface WorkQueueObserver {
  added(): void;
  waited(ms: number): void;
  worked(ms: number): void;
  retried(): void;
}

/** Processes one key. The signal aborts when the queue shuts down. */
export type KeyHandler = (key: string, signal: AbortSignal) => Promise<void>;

export interface WorkQueueOptions {
  /** How many keys are processed at once (each key by one worker at a time). */
  readonly workers: number;
  /** Where a handler that throws is reported (the key is then retried with backoff). */
  readonly logger: Logger;
  /** First retry delay of addRateLimited. Default 1 s. */
  readonly baseDelayMs?: number;
  /** Longest retry delay of addRateLimited. Default 5 min. */
  readonly maxDelayMs?: number;
  /** A retry delay is shortened by up to this fraction, at random. Default 0.1. */
  readonly jitterRatio?: number;
  /** Uniform in [0, 1). Default Math.random. */
  readonly random?: () => number;
  readonly timers?: QueueTimers;
  readonly observer?: WorkQueueObserver;
}

/**
 * A keyed work queue in the manner of client-go's workqueue, with its workers built in:
 * - a key queued several times before a worker takes it is processed once;
 * - a key is never processed by two workers at once: added while in flight, it is processed
 *   again after the current run ends (so no change is missed);
 * - at most `workers` keys are processed at once;
 * - addAfter waits before queueing (the earliest of several pending delays for a key wins);
 * - addRateLimited waits an exponential, per-key delay (base × 2^failures, capped, jittered),
 *   and forget resets it: call forget after a success, addRateLimited after a failure.
 * Keys added before start() wait for it; shutdown() drops what has not started, aborts the
 * handlers' signal and waits for the runs in flight.
 */
export class WorkQueue {
  private readonly workers: number;
  private readonly logger: Logger;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly jitterRatio: number;
  private readonly random: () => number;
  private readonly timers: QueueTimers;
  private readonly observer: WorkQueueObserver | undefined;

  /** When each key in `dirty` was added (for the wait it had before a worker took it). */
  private readonly addedAt = new Map<string, number>();
  /** When each key in `processing` started. */
  private readonly startedAt = new Map<string, number>();
  /** Keys ready for a worker, in order. Each is also in `dirty` and not in `processing`. */
  private readonly ready: string[] = [];
  /** How many keys at the head of `ready` were added as urgent. */
  private urgentCount = 0;
  /** Keys added as urgent while in flight. */
  private readonly urgentAfterRun = new Set<string>();
  /** Keys that must be processed (again): queued, or added while in flight. */
  private readonly dirty = new Set<string>();
  /** Keys a worker is processing, with their runs. */
  private readonly processing = new Map<string, Promise<void>>();
  /** Keys waiting for a delay, with when they become ready. */
  private readonly waiting = new Map<string, { readonly atMs: number; readonly handle: unknown }>();
  /** Consecutive failures per key (addRateLimited since the last forget). */
  private readonly failures = new Map<string, number>();
  private readonly stopping = new AbortController();
  private handler: KeyHandler | undefined;
  private dispatchScheduled = false;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, not ${String(options.workers)}`);
    }
    this.workers = options.workers;
    this.logger = options.logger;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.jitterRatio = options.jitterRatio ?? 0.1;
    this.random = options.random ?? Math.random;
    this.timers = options.timers ?? realQueueTimers;
    this.observer = options.observer;
  }

  /** Starts the workers on `handler`. Once only. */
  start(handler: KeyHandler): void {
    if (this.handler !== undefined) throw new Error('The work queue has already started');
    this.handler = handler;
    this.scheduleDispatch();
  }

  /**
   * Queues `key` now (a no-op if it is already queued, or after shutdown). `urgent` (a change
   * someone made) puts it before the keys that are only due (resyncs, follow-ups), so a spec
   * change is not stuck behind a thousand resyncs; urgent keys keep their order among themselves.
   */
  add(key: string, options: { readonly urgent?: boolean } = {}): void {
    if (this.isShuttingDown()) return;
    if (this.dirty.has(key)) {
      if (options.urgent !== true) return;
      const at = this.ready.indexOf(key);
      if (at < 0)
        this.urgentAfterRun.add(key); // in flight, queued again after it
      else if (at >= this.urgentCount) {
        this.ready.splice(at, 1);
        this.ready.splice(this.urgentCount++, 0, key);
      }
      return;
    }
    this.dirty.add(key);
    this.addedAt.set(key, this.timers.now());
    this.observer?.added();
    if (this.processing.has(key)) {
      // Queued again when the current run ends.
      if (options.urgent === true) this.urgentAfterRun.add(key);
      return;
    }
    if (options.urgent === true) this.ready.splice(this.urgentCount++, 0, key);
    else this.ready.push(key);
    this.scheduleDispatch();
  }

  /** Queues `key` after `delayMs`, unless it is already due sooner. */
  addAfter(key: string, delayMs: number): void {
    if (this.isShuttingDown()) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const atMs = this.timers.now() + delayMs;
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      if (pending.atMs <= atMs) return;
      this.timers.clearTimeout(pending.handle);
    }
    const handle = this.timers.setTimeout(() => {
      if (this.waiting.get(key)?.handle !== handle) return;
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { atMs, handle });
  }

  /** Queues `key` after its backoff delay and lengthens the next one; returns the delay. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delayMs = this.backoffDelayMs(failures);
    this.observer?.retried();
    this.addAfter(key, delayMs);
    return delayMs;
  }

  /** The key's object is gone: drops its delayed run and its backoff (queued runs stay). */
  cancel(key: string): void {
    const pending = this.waiting.get(key);
    if (pending !== undefined) {
      this.timers.clearTimeout(pending.handle);
      this.waiting.delete(key);
    }
    this.failures.delete(key);
  }

  /** Resets `key`'s backoff (after a success). Does not unqueue it. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** addRateLimited calls for `key` since the last forget. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Keys ready and waiting for a worker (not those in flight, not those delayed). */
  depth(): number {
    return this.ready.length;
  }

  /** Keys whose addAfter / addRateLimited delay has not run out. */
  delayed(): number {
    return this.waiting.size;
  }

  /** Keys being processed now. */
  inFlight(): number {
    return this.processing.size;
  }

  /**
   * The runs in flight: how long they have been running in all, and the longest of them
   * (client-go's unfinished work and longest running processor).
   */
  unfinishedWork(): { readonly totalMs: number; readonly longestMs: number } {
    const now = this.timers.now();
    let totalMs = 0;
    let longestMs = 0;
    for (const started of this.startedAt.values()) {
      totalMs += now - started;
      longestMs = Math.max(longestMs, now - started);
    }
    return { totalMs, longestMs };
  }

  isShuttingDown(): boolean {
    return this.stopping.signal.aborted;
  }

  /**
   * Stops taking keys: drops the queued and delayed ones, aborts the handlers' signal and
   * resolves when every run in flight has ended.
   */
  async shutdown(): Promise<void> {
    if (!this.isShuttingDown()) {
      this.stopping.abort(new Error('The work queue is shutting down'));
      for (const { handle } of this.waiting.values()) this.timers.clearTimeout(handle);
      this.waiting.clear();
      this.ready.length = 0;
      this.urgentCount = 0;
      this.urgentAfterRun.clear();
      this.dirty.clear();
      this.addedAt.clear();
    }
    await Promise.all(this.processing.values());
  }

  private backoffDelayMs(failures: number): number {
    // 2^failures overflows to Infinity long after the cap is reached; min() handles it.
    const capped = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** failures);
    return Math.round(capped * (1 - this.jitterRatio * this.random()));
  }

  /**
   * Hands keys to workers on a later microtask, so that keys added together (a list's items, a
   * key added twice) are queued, and deduplicated, before any run starts.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    const handler = this.handler;
    if (handler === undefined) return;
    while (!this.isShuttingDown() && this.processing.size < this.workers) {
      const key = this.ready.shift();
      if (key === undefined) return;
      if (this.urgentCount > 0) this.urgentCount--;
      this.dirty.delete(key);
      const now = this.timers.now();
      const added = this.addedAt.get(key);
      this.addedAt.delete(key);
      if (added !== undefined) this.observer?.waited(now - added);
      this.startedAt.set(key, now);
      this.processing.set(key, this.run(handler, key));
    }
  }

  private async run(handler: KeyHandler, key: string): Promise<void> {
    // Let dispatch() record the run before it can end.
    await Promise.resolve();
    try {
      await handler(key, this.stopping.signal);
    } catch (error) {
      // The handler is meant to decide retries itself; one that throws is retried with backoff.
      const message = error instanceof Error ? error.message : String(error);
      if (this.isShuttingDown()) {
        // Most likely the abort it was given: expected, and nothing is retried any more.
        this.logger.debug('Work queue handler failed while shutting down', { key, error: message });
      } else {
        const retryInMs = this.addRateLimited(key);
        this.logger.error('Work queue handler failed', { key, error: message, retryInMs });
      }
    } finally {
      const started = this.startedAt.get(key);
      this.startedAt.delete(key);
      if (started !== undefined) this.observer?.worked(this.timers.now() - started);
      this.processing.delete(key);
      const urgent = this.urgentAfterRun.delete(key);
      if (this.dirty.has(key)) {
        if (urgent) this.ready.splice(this.urgentCount++, 0, key);
        else this.ready.push(key);
        this.scheduleDispatch();
      } else if (this.ready.length > 0) {
        this.scheduleDispatch();
      }
    }
  }
}
