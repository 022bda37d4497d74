import type { Leadership } from './leadership.js';
import { PassAbortedError } from './pass-aborted-error.js';

/** Kept between the end of a change's budget and the end of this replica's leadership. */
export const FENCE_MARGIN_MS = 500;
/**
 * A change is not started with less time than this for it. A probe or a detach takes well under
 * a second on a healthy pool; with the default timings (renewDeadline 10 s, renewed every 2 s)
 * a change gets 7.5 to 9.5 s.
 */
export const MIN_CHANGE_BUDGET_MS = 1_000;

export interface ChangeFenceOptions {
  readonly leadership: Leadership;
  readonly signal: AbortSignal;
  /** The resource's generation the plan was made from. */
  readonly generation: number;
  /** The resource's generation now (a fresh read); undefined when it is gone. */
  readonly readGeneration: () => Promise<number | undefined>;
  /** The longest any change may run (COMMAND_TIMEOUT_MS). */
  readonly maxChangeMs: number;
}

/**
 * The last check right before a pass acts: this replica still leads, with enough time left for
 * the change's whole timeout, and (for a change that removes a member) the resource still has
 * the generation the plan was made from. Returns the timeout the change must run under, so a
 * change always ends before this replica's leadership could.
 */
export class ChangeFence {
  constructor(private readonly options: ChangeFenceOptions) {}

  get generation(): number {
    return this.options.generation;
  }

  /** @throws PassAbortedError when the change must not start; else its timeout in ms */
  async clear(what: string, change: { readonly isDestructive: boolean }): Promise<number> {
    this.throwIfAborted(what);
    const budgetMs = (): number => this.options.leadership.remainingMs() - FENCE_MARGIN_MS;
    const assertBudget = (): number => {
      const budget = budgetMs();
      if (budget < MIN_CHANGE_BUDGET_MS) {
        throw new PassAbortedError(
          'LeadershipLost',
          `Did not ${what}: ${budget <= -FENCE_MARGIN_MS ? 'this replica does not lead' : `only ${Math.max(0, Math.round(budget))} ms of leadership left`}`,
        );
      }
      return budget;
    };
    assertBudget();
    if (change.isDestructive) {
      const now = await this.options.readGeneration();
      this.throwIfAborted(what);
      if (now !== this.options.generation) {
        throw new PassAbortedError(
          'Superseded',
          `Did not ${what}: the resource ${now === undefined ? 'is gone' : `is at generation ${now}`}, the plan was made for generation ${this.options.generation}`,
        );
      }
    }
    // Measured again after the read: the change's timeout must end inside the leadership left.
    return Math.min(this.options.maxChangeMs, assertBudget());
  }

  /** For writes that need no time budget (status): still leading, not stopped. */
  assertLeading(what: string): void {
    this.throwIfAborted(what);
    if (this.options.leadership.remainingMs() <= 0) {
      throw new PassAbortedError('LeadershipLost', `Did not ${what}: this replica does not lead`);
    }
  }

  throwIfAborted(what: string): void {
    if (this.options.signal.aborted) {
      throw new PassAbortedError('Shutdown', `Did not ${what}: the pass was stopped`, {
        cause: this.options.signal.reason,
      });
    }
  }
}
