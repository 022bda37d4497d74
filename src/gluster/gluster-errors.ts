import { OperatorError } from '../errors.js';
import type { CommandResult } from '../exec/executor.js';
import type { GlusterAnswer } from './gluster-cli.js';
import type { GlusterReason } from './gluster-reasons.js';
import { reasonForOtherFailure, reasonInfo } from './gluster-reasons.js';

/**
 * The gluster CLI itself failed: it exited non-zero or printed no answer we can read (glusterd
 * not running, CLI timeout, gluster not installed). Says nothing about the pool's membership.
 */
export class GlusterCliError extends OperatorError {
  constructor(
    message: string,
    readonly result: CommandResult,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The CLI's output was not the XML we expect. */
export class GlusterXmlParseError extends OperatorError {}

/** glusterd answered and refused the operation (opRet != 0). */
export class GlusterOperationError extends OperatorError {
  readonly opRet: number;
  readonly opErrno: number;
  readonly opErrstr: string;
  readonly result: CommandResult;
  readonly hint: string;
  readonly isTransient: boolean;

  constructor(
    readonly operation: string,
    readonly node: string,
    readonly reason: GlusterReason,
    answer: GlusterAnswer,
  ) {
    const { opRet, opErrno, opErrstr } = answer.output;
    super(
      `gluster ${operation} on ${node} was refused (${reason}, opErrno ${opErrno}): ${
        opErrstr === '' ? 'no error text' : opErrstr
      }`,
    );
    this.opRet = opRet;
    this.opErrno = opErrno;
    this.opErrstr = opErrstr;
    this.result = answer.result;
    const info = reasonInfo(reason);
    this.hint = info.hint;
    this.isTransient = info.isTransient;
  }
}

/** Throws unless glusterd accepted the operation; for commands without their own errno table. */
export function assertAccepted(operation: string, node: string, answer: GlusterAnswer): void {
  if (answer.output.opRet !== 0) {
    throw new GlusterOperationError(
      operation,
      node,
      reasonForOtherFailure(answer.output.opErrstr),
      answer,
    );
  }
}

/**
 * Refused by this library before anything ran: the peer hosts bricks. glusterd itself only
 * refuses when a volume has some of its bricks on the peer; a volume with all of its bricks
 * there would silently leave the pool with the peer. Neither is acceptable, force or not.
 */
export class PeerHostsBricksError extends OperatorError {
  readonly reason = 'PeerHostsBricks' as const;
  readonly hint: string;
  readonly isTransient = false;

  constructor(
    readonly server: string,
    readonly node: string,
    readonly bricks: readonly string[],
  ) {
    super(`Refused to detach ${server} (asked on ${node}): it hosts bricks ${bricks.join(', ')}`);
    this.hint = reasonInfo('PeerHostsBricks').hint;
  }
}

/**
 * A detach was asked for the member with one glusterd UUID, and the name now leads to another
 * (or to the node asked): nothing was run. Names are aliases; identity is the UUID.
 */
export class PeerIdentityMismatchError extends OperatorError {
  readonly reason = 'PeerIdentityMismatch' as const;

  constructor(
    readonly server: string,
    readonly node: string,
    readonly expectedUuid: string,
    readonly actualUuid: string,
  ) {
    super(
      `Refused to detach ${server} (asked on ${node}): it is glusterd ${actualUuid} there, not ${expectedUuid} as planned`,
    );
  }
}
