/**
 * Progress lines on the terminal with the time since the command started:
 * `[  3.1s] Gluster pool: 4 nodes up`. scripts/sandbox passes its own start time
 * (SANDBOX_STARTED_AT_MS), so the clock runs on from the apt/npm/build steps it did first.
 */
export interface Reporter {
  step(message: string): void;
  /** Plain lines (tables, instructions), without a time. */
  print(text: string): void;
  elapsedMs(): number;
}

export function createReporter(
  startedAtMs: number,
  write: (text: string) => void = (text) => process.stdout.write(text),
  now: () => number = Date.now,
): Reporter {
  const elapsedMs = (): number => Math.max(0, now() - startedAtMs);
  return {
    step(message) {
      write(`[${(elapsedMs() / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
    },
    print(text) {
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
    elapsedMs,
  };
}

export function startTimeFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env['SANDBOX_STARTED_AT_MS']);
  return Number.isFinite(value) && value > 0 ? value : Date.now();
}
