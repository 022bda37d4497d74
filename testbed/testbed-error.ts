/** Anything the testbed could not do. Always carries the underlying failure as `cause`. */
export class TestbedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A pool of that name exists and belongs to a live process (or was started with `up`). */
export class PoolInUseError extends TestbedError {}

/** A command the testbed ran itself (ip, nsenter, ssh-keygen, ...) failed. */
export class TestbedCommandError extends TestbedError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Command failed (exit ${String(exitCode)}): ${argv.join(' ')}${stderr ? `: ${stderr.trim()}` : ''}`,
      options,
    );
  }
}
