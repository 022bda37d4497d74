import type { PassFailure } from '../core/compute-status.js';
import { TerminalError } from '../errors.js';
import { CouldNotRunError } from '../exec/exec-errors.js';
import { ClusterChangeRefusedError } from '../gluster/cluster-errors.js';
import {
  GlusterCliError,
  GlusterOperationError,
  PeerHostsBricksError,
  PeerIdentityMismatchError,
} from '../gluster/gluster-errors.js';

/** The one place where an error of a change becomes a reason for status, events and retries. */
export function classifyActionError(error: unknown): PassFailure {
  if (error instanceof GlusterOperationError) {
    return {
      reason: error.reason,
      message: `${error.opErrstr || error.message}. ${error.hint}`,
      isTerminal: false,
    };
  }
  if (error instanceof PeerHostsBricksError) {
    return { reason: error.reason, message: `${error.message}. ${error.hint}`, isTerminal: false };
  }
  if (error instanceof PeerIdentityMismatchError) {
    return { reason: error.reason, message: error.message, isTerminal: false };
  }
  if (error instanceof ClusterChangeRefusedError) {
    return { reason: 'ChangeRefused', message: error.message, isTerminal: false };
  }
  if (error instanceof GlusterCliError)
    return { reason: 'GlusterCliFailed', message: error.message, isTerminal: false };
  if (error instanceof CouldNotRunError)
    return { reason: 'NodeUnreachable', message: error.message, isTerminal: false };
  if (error instanceof TerminalError)
    return { reason: 'InvalidRequest', message: error.message, isTerminal: true };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: 'UnexpectedError', message, isTerminal: false };
}
