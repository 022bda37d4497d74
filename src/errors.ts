/**
 * The operator's error hierarchy. Errors are typed at the I/O boundaries so the one catch site
 * (the reconciler, the CLI) can turn them into a condition reason, a log line and a retry decision.
 *
 * Two families matter most and must never be confused:
 * - "could not run": the command never produced an answer (SSH connect/auth/host key, timeout,
 *   abort). Nothing can be concluded about the pool from it.
 * - "ran and failed": the command ran and said no (non-zero exit, Gluster refusing an operation).
 */
export class OperatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Retrying cannot help (an invalid spec, a hostile argument). Never retried with backoff. */
export class TerminalError extends OperatorError {}

/** An argument was rejected before anything ran. */
export class InvalidArgumentError extends TerminalError {}
