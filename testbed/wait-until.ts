import { setTimeout as delay } from 'node:timers/promises';
import { TestbedError } from './testbed-error.js';

/**
 * Polls `check` until it returns a value other than undefined, for states that glusterd reaches
 * asynchronously (a probed peer becoming "Peer in Cluster", a stopped peer seen as disconnected).
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new TestbedError(`Timed out after ${timeoutMs} ms waiting for ${what}`, {
        cause: lastError,
      });
    }
    await delay(opts.intervalMs ?? 200);
  }
}
