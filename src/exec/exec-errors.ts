import { OperatorError } from '../errors.js';

/** The command could not be run at all: nothing about the node's state follows from it. */
export class CouldNotRunError extends OperatorError {
  constructor(
    message: string,
    readonly node: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** TCP connection to the node's SSH port failed (refused, unreachable, DNS, connect timeout). */
export class SshConnectError extends CouldNotRunError {}

/**
 * No connection was attempted: the last attempt to reach the node failed (its error is the
 * cause), and the executor waits until `retryAtMs` before trying again rather than making every
 * caller pay a connect timeout for a node that is down.
 */
export class HostBackoffError extends SshConnectError {
  constructor(
    message: string,
    node: string,
    /** On the executor's monotonic clock (`performance.now()` unless one was injected). */
    readonly retryAtMs: number,
    options: { cause: SshConnectError },
  ) {
    super(message, node, options);
  }
}

/** The node refused our credentials. */
export class SshAuthError extends CouldNotRunError {}

/**
 * Why a host key was not accepted: known_hosts has no entry for the node (`unknown-host`: a
 * configuration gap), or the node offered a key other than the one known_hosts has
 * (`key-mismatch`) or one marked @revoked (`key-revoked`): possible impersonation, or the node
 * was reinstalled; either way a person must look.
 */
export type HostKeyProblem = 'unknown-host' | 'key-mismatch' | 'key-revoked';

/** The node's host key is not the one known_hosts has for it, or it has none (strict mode). */
export class HostKeyVerificationError extends CouldNotRunError {
  constructor(
    message: string,
    node: string,
    readonly problem: HostKeyProblem,
    options?: { cause?: unknown },
  ) {
    super(message, node, options);
  }

  /** The node answered with a key known_hosts does not vouch for, not merely an unknown one. */
  get isMismatch(): boolean {
    return this.problem !== 'unknown-host';
  }
}

/**
 * The command did not finish in time: either it was ended on the node, or the node gave no
 * answer at all before our own time limit (then the connection was dropped, and whether the
 * command still runs there is unknown). Also a call whose deadline passed while it waited for a
 * free command slot: that command never started.
 */
export class CommandTimeoutError extends CouldNotRunError {
  constructor(
    message: string,
    node: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, node, options);
  }
}

/** The caller aborted (shutdown, lost leadership). */
export class CommandAbortedError extends CouldNotRunError {}

/** The connection dropped while the command was running: whether it took effect is unknown. */
export class ConnectionLostError extends CouldNotRunError {}
