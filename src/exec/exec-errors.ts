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

/** The node refused our credentials. */
export class SshAuthError extends CouldNotRunError {}

/** The node's host key is not the one known_hosts has for it, or it has none (strict mode). */
export class HostKeyVerificationError extends CouldNotRunError {}

/** The command did not finish in time; it was ended on the node. */
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
