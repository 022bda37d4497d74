/**
 * The roles of a replica, after the HA API the operator's users know (ConfD's `ha` module:
 * `bemaster`, `beslave`, `benone`, `status()`):
 * - `master`: holds the leader Lease and reconciles;
 * - `slave`: a standby that reaches the Lease and is ready to take over when it expires;
 * - `none`: not (or no longer) taking part: not started, stopped, released, or the Lease has not
 *   been readable for a whole lease duration.
 */
export type HaRole = 'master' | 'slave' | 'none';

/** What one replica knows about the election, for `/status`, `/readyz` and logs. */
export interface HaStatus {
  readonly role: HaRole;
  /** This replica's identity in the election (pod name + random suffix). */
  readonly identity: string;
  /** The replica holding a live lease as this replica sees it; undefined when nobody does. */
  readonly leader: string | undefined;
  /** Identities seen holding or contending for the lease recently (this replica included), sorted. */
  readonly replicasSeen: readonly string[];
}
