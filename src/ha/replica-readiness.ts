import type { HaStatus } from './ha-role.js';

/**
 * Whether this replica is Ready (for /readyz), by role:
 * - `master`: only when its watch is live, i.e. changes reach the queue as they happen;
 * - `slave`: when it reaches the Lease (it read it within a lease duration), i.e. it can take
 *   over. A standby must be Ready, or a rolling update (maxUnavailable 0) would wait forever for
 *   a new pod that cannot lead while the old one does;
 * - `none`: never (not started, stopped, or the Lease unreachable for a lease duration).
 */
export function isReplicaReady(status: Pick<HaStatus, 'role'>, isWatchLive: boolean): boolean {
  switch (status.role) {
    case 'master':
      return isWatchLive;
    case 'slave':
      return true;
    case 'none':
      return false;
  }
}
