import { OperatorError } from '../errors.js';
import { reasonInfo } from './gluster-reasons.js';

/**
 * A destructive change was asked for the volume with one ID, and the name now leads to another
 * volume (recreated under the same name) or to none: nothing was run.
 */
export class VolumeIdentityMismatchError extends OperatorError {
  readonly reason = 'VolumeIdentityMismatch' as const;
  readonly hint = reasonInfo('VolumeIdentityMismatch').hint;
  readonly isTransient = false;

  constructor(
    readonly operation: string,
    readonly volume: string,
    readonly node: string,
    readonly expectedId: string,
    /** undefined: no volume of that name exists on `node`. */
    readonly actualId: string | undefined,
  ) {
    super(
      actualId === undefined
        ? `Refused to ${operation} volume ${volume} (asked on ${node}): it no longer exists (planned for ID ${expectedId})`
        : `Refused to ${operation} volume ${volume} (asked on ${node}): its ID is ${actualId}, not ${expectedId} as planned`,
    );
  }
}

/**
 * Bricks were to be added with counts (replica, arbiter, disperse) other than the volume's own:
 * glusterd would reshape the volume (a replica count of 2 becoming 3) instead of adding sets.
 * Nothing was run.
 */
export class VolumeLayoutMismatchError extends OperatorError {
  readonly reason = 'VolumeLayoutMismatch' as const;
  readonly hint = reasonInfo('VolumeLayoutMismatch').hint;
  readonly isTransient = false;

  constructor(
    readonly volume: string,
    readonly node: string,
    readonly requested: string,
    readonly actual: string,
  ) {
    super(
      `Refused to add bricks to volume ${volume} (asked on ${node}): they are laid out as ${requested}, the volume is ${actual}`,
    );
  }
}

/**
 * A remove-brick commit was asked while its migration had not completed on every node, or had
 * left files behind (failures, skipped files): committing would take them out of the volume.
 * Nothing was run.
 */
export class RemoveBrickIncompleteError extends OperatorError {
  readonly reason = 'RemoveBrickIncomplete' as const;
  readonly hint = reasonInfo('RemoveBrickIncomplete').hint;

  constructor(
    readonly volume: string,
    readonly node: string,
    readonly bricks: readonly string[],
    readonly why: string,
    /** True while the migration still runs: the commit may be possible later. */
    readonly isTransient: boolean,
  ) {
    super(
      `Refused to commit the remove-brick of ${bricks.join(', ')} from volume ${volume} (asked on ${node}): ${why}`,
    );
  }
}
