/** What a pass asks of leader election right before it changes anything or writes status. */
export interface Leadership {
  /**
   * How long this replica may still act as the leader, in ms on its own clock; 0 when it does
   * not lead. A change is only started when its whole timeout fits in this budget.
   */
  remainingMs(): number;
}

/** A single replica without leader election (LEADER_ELECTION=false, tests): always leading. */
export const ALWAYS_LEADING: Leadership = Object.freeze({
  remainingMs: () => Number.POSITIVE_INFINITY,
});
