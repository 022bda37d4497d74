/**
 * Runs every clean-up step in order, each even when an earlier one failed (a pool must go even
 * when the operator would not stop). A failure is reported on stderr and makes the exit code 1;
 * it is not thrown, so that it never hides the error that ended the run.
 */
export async function cleanUp(
  steps: ReadonlyArray<readonly [string, () => unknown]>,
): Promise<void> {
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      console.error(`Clean-up failed: ${what}:`, error);
      process.exitCode = 1;
    }
  }
}
