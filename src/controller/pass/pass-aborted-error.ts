import { OperatorError } from '../../errors.js';

/**
 * A pass stopped before its end: it writes nothing and makes no further change. `Shutdown`: the
 * operator is stopping (or stopped leading); `LeadershipLost`: too little leadership is left for
 * the next change or write; `Superseded`: the resource changed (new generation, deleted) since
 * the plan was made.
 */
export class PassAbortedError extends OperatorError {
  constructor(
    readonly reason: 'Shutdown' | 'LeadershipLost' | 'Superseded',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
