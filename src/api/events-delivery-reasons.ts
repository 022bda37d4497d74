/**
 * Why a node's glusterd events may not reach the operator: the `EventsDelivery` condition's
 * reasons when something is wrong, one list for the node's check (src/gluster) and the condition
 * (src/core), gravest first (the condition takes the first one any node has).
 */

/** What the registration script on the node can report of itself. */
export const NODE_REPORTED_PROBLEMS = [
  /** No glustereventsd, or no python3, on the node. */
  'EventsUnsupported',
  /** glustereventsd is not running and could not be started. */
  'EventsDaemonDown',
  /** A post from the node to the URL fails (network path, DNS, TLS). */
  'WebhookUnreachable',
  /** The operator refused the node's post (a token mismatch, say). */
  'WebhookRejected',
  /** glustereventsd listens on another port than 55555, where glusterd sends. */
  'EventsPortChanged',
  /** The check itself failed (webhooks.json unwritable, a timeout). */
  'RegistrationFailed',
] as const;

export type NodeReportedProblem = (typeof NODE_REPORTED_PROBLEMS)[number];

/**
 * Every problem, gravest first: a node SSH cannot reach could not be checked at all; a daemon
 * found stopped and started again is working now, but what happened while it was down was not
 * reported.
 */
export const REGISTRATION_PROBLEMS = [
  'NodeUnreachable',
  ...NODE_REPORTED_PROBLEMS,
  'EventsDaemonRestarted',
] as const;

export type RegistrationProblem = (typeof REGISTRATION_PROBLEMS)[number];

const nodeReported: ReadonlySet<string> = new Set(NODE_REPORTED_PROBLEMS);

/** Whether the registration script's `problem` field is one it may report. */
export function isNodeReportedProblem(value: unknown): value is NodeReportedProblem {
  return typeof value === 'string' && nodeReported.has(value);
}
