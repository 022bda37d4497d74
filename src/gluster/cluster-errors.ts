import { OperatorError } from '../errors.js';

/** One membership change a cluster operation made. */
export interface ClusterAction {
  readonly verb: 'probe' | 'detach';
  /** The node the command ran on. */
  readonly node: string;
  /** The peer probed or detached. */
  readonly server: string;
  readonly outcome: string;
}

/** The operation was refused before any change was made; `blockers` say why. */
export class ClusterChangeRefusedError extends OperatorError {
  constructor(
    readonly operation: string,
    readonly blockers: readonly string[],
  ) {
    super(`Refused to ${operation}; nothing was changed: ${blockers.join('; ')}`);
  }
}

/** A change failed part-way; `actionsDone` lists what had already been changed. */
export class ClusterChangeFailedError extends OperatorError {
  constructor(
    readonly operation: string,
    readonly actionsDone: readonly ClusterAction[],
    options: { cause: unknown },
  ) {
    const cause = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      `Failed to ${operation} after ${actionsDone.length} change(s) (${
        actionsDone
          .map((action) => `${action.verb} ${action.server} on ${action.node}`)
          .join(', ') || 'none'
      }): ${cause}`,
      options,
    );
  }
}
