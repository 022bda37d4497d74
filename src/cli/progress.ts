import type { CliIo } from './cli-io.js';

/**
 * Progress of long operations, one line at a time on stderr (no spinner: it must read well in a
 * CI log and never mix with the results on stdout).
 */
export interface Progress {
  step(text: string): void;
  /** Times `work` and reports "<label>: done (0.4s)" or "<label>: failed (…)". */
  timed<T>(
    label: string,
    work: () => Promise<T>,
    describeFailure?: (error: unknown) => string,
  ): Promise<T>;
}

export function createProgress(io: CliIo, options: { readonly quiet: boolean }): Progress {
  const write = (text: string): void => {
    if (!options.quiet) io.stderr(`${text}\n`);
  };
  return {
    step: write,
    async timed(label, work, describeFailure) {
      const started = io.now().getTime();
      const elapsed = (): string => `${((io.now().getTime() - started) / 1000).toFixed(1)}s`;
      try {
        const result = await work();
        write(`${label}: done (${elapsed()})`);
        return result;
      } catch (error) {
        const why =
          describeFailure?.(error) ?? (error instanceof Error ? error.message : String(error));
        write(`${label}: failed after ${elapsed()}: ${why}`);
        throw error;
      }
    },
  };
}
