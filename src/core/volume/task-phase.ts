/** Where a rebalance or remove-brick task stands, from gluster's status text. */
export type TaskPhase =
  'NotStarted' | 'InProgress' | 'Completed' | 'Stopped' | 'Failed' | 'Unknown';

/**
 * gluster prints "not started", "in progress", "completed", "stopped", "failed", the same with a
 * "fix-layout " prefix, and "reset due to replace-brick" (status 9) once a replace-brick has
 * cleared the last task. Anything else
 * is Unknown, which callers treat as possibly running: nothing is started on top of it.
 */
export function taskPhase(state: string | undefined): TaskPhase {
  if (state === undefined) return 'Unknown';
  const text = state
    .trim()
    .toLowerCase()
    .replace(/^fix-layout /, '');
  switch (text) {
    case 'not started':
    case 'reset':
    case 'reset due to replace-brick':
      return 'NotStarted';
    case 'in progress':
    case 'started':
      return 'InProgress';
    case 'completed':
      return 'Completed';
    case 'stopped':
      return 'Stopped';
    case 'failed':
      return 'Failed';
    default:
      return 'Unknown';
  }
}
