import type { PassFailure } from '../core/compute-status.js';
import { GlusterOperationError } from '../gluster/gluster-errors.js';
import {
  RemoveBrickIncompleteError,
  VolumeIdentityMismatchError,
  VolumeLayoutMismatchError,
} from '../gluster/volume-errors.js';
import { classifyActionError } from './classify-action-error.js';

/**
 * A failed volume change as status, events and the retry decision see it. Unlike a peer change,
 * a glusterd refusal that waiting cannot fix (a brick on the root filesystem, a brick already
 * part of a volume, an unknown option) is terminal: Stalled says a person must act, and the
 * change is tried again only at the next resync or spec change, not every few seconds. The
 * library's own refusals (another volume ID, another layout, an incomplete migration) keep their
 * reason and hint.
 */
export function classifyVolumeActionError(error: unknown): PassFailure {
  if (error instanceof GlusterOperationError) {
    return {
      reason: error.reason,
      message: `${error.opErrstr || error.message}. ${error.hint}`,
      isTerminal: !error.isTransient,
    };
  }
  if (
    error instanceof VolumeIdentityMismatchError ||
    error instanceof VolumeLayoutMismatchError ||
    error instanceof RemoveBrickIncompleteError
  ) {
    return {
      reason: error.reason,
      message: `${error.message}. ${error.hint}`,
      isTerminal: !error.isTransient,
    };
  }
  return classifyActionError(error);
}
