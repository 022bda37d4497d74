import { abortableSleep } from '../abortable-sleep.js';

/**
 * The time sources of the leader election, injected so tests can drive it step by step.
 *
 * Durations (lease expiry, renew deadline) are measured on the monotonic clock of this process
 * only; wall time is written to the Lease for people and other tools to read, and is never
 * compared with another machine's.
 */
export interface ElectionClock {
  /** Milliseconds on a monotonic clock (never jumps back): measures durations only. */
  monotonicMs(): number;
  /** Wall time, written to the Lease as renewTime/acquireTime and heartbeats. */
  wallTime(): Date;
  /** Waits `ms`; resolves early (never rejects) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A signal that aborts after `ms`: bounds one request to the API server. */
  timeout(ms: number): AbortSignal;
}

/** The real clock: performance.now(), Date, timers. */
export const systemClock: ElectionClock = {
  monotonicMs: () => performance.now(),
  wallTime: () => new Date(),
  sleep: abortableSleep,
  timeout: (ms) => AbortSignal.timeout(Math.max(1, Math.ceil(ms))),
};
