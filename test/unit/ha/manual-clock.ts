import type { ElectionClock } from '../../../src/ha/election-clock.js';

interface Sleeper {
  readonly until: number;
  readonly delayMs: number;
  readonly resolve: () => void;
}

/**
 * A clock that moves only when the test says so. The elector's loop sleeps between looks; the
 * test waits for it to fall asleep (`asleep()`, which says how long it asked to sleep), then
 * moves time on (`advance`), which wakes it and fires due timeouts.
 */
export class ManualClock implements ElectionClock {
  /** Wall time at monotonic 0. */
  static readonly EPOCH_MS = Date.parse('2026-03-01T12:00:00.000Z');
  private nowMs = 0;
  private sleeper: Sleeper | undefined;
  private waiters: ((delayMs: number) => void)[] = [];
  private timers: { until: number; controller: AbortController }[] = [];

  monotonicMs(): number {
    return this.nowMs;
  }

  wallTime(): Date {
    return new Date(ManualClock.EPOCH_MS + this.nowMs);
  }

  /** The wall time the elector writes at monotonic `ms`. */
  static wallAt(ms: number): Date {
    return new Date(ManualClock.EPOCH_MS + ms);
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.sleeper !== undefined) throw new Error('ManualClock: two sleeps at once');
    return new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const wake = (): void => {
        this.sleeper = undefined;
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.sleeper = { until: this.nowMs + ms, delayMs: ms, resolve: wake };
      signal.addEventListener('abort', wake, { once: true });
      for (const waiter of this.waiters.splice(0)) waiter(ms);
    });
  }

  timeout(ms: number): AbortSignal {
    const controller = new AbortController();
    this.timers.push({ until: this.nowMs + ms, controller });
    return controller.signal;
  }

  /** Resolves with the delay asked for, once the elector sleeps. */
  asleep(): Promise<number> {
    if (this.sleeper !== undefined) return Promise.resolve(this.sleeper.delayMs);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Moves time on by `ms`: wakes a sleeper that is due and fires due timeouts. */
  advance(ms: number): void {
    this.nowMs += ms;
    for (const timer of this.timers.filter((t) => t.until <= this.nowMs)) {
      timer.controller.abort(new Error('timed out (manual clock)'));
    }
    this.timers = this.timers.filter((t) => t.until > this.nowMs);
    if (this.sleeper !== undefined && this.sleeper.until <= this.nowMs) this.sleeper.resolve();
  }

  /** Waits for the elector to sleep, lets that sleep pass, and waits for the next one. */
  async tick(): Promise<number> {
    this.advance(await this.asleep());
    return this.asleep();
  }
}
