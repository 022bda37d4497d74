import type { ReplicaHeartbeats } from './lease-lock.js';

interface Observed {
  readonly heartbeat: string;
  /** This process's monotonic time when it first saw this heartbeat value. */
  readonly changedAt: number;
}

/**
 * The replicas recorded on the Lease (identity → last heartbeat), as this process has watched
 * them. A replica counts as present while its heartbeat keeps changing: one whose value this
 * process has seen unchanged for `staleAfterMs` is stale, left out of `seen()` and pruned from
 * the next map written. Like lease expiry, this is measured only on this process's clock, from
 * when it saw the value change; the heartbeat texts are never compared with the local time.
 */
export class ReplicaRegistry {
  private readonly entries = new Map<string, Observed>();

  constructor(private readonly staleAfterMs: number) {}

  /** Takes in the map as read from the Lease. Entries no longer there are forgotten. */
  observe(heartbeats: ReplicaHeartbeats, nowMs: number): void {
    for (const identity of [...this.entries.keys()]) {
      if (!Object.hasOwn(heartbeats, identity)) this.entries.delete(identity);
    }
    for (const [identity, heartbeat] of Object.entries(heartbeats)) {
      if (this.entries.get(identity)?.heartbeat !== heartbeat) {
        this.entries.set(identity, { heartbeat, changedAt: nowMs });
      }
    }
  }

  /** Identities whose heartbeat changed within the stale period, sorted. */
  seen(nowMs: number): string[] {
    return [...this.entries]
      .filter(([, entry]) => !this.isStale(entry, nowMs))
      .map(([identity]) => identity)
      .sort();
  }

  /** The map to write: the live entries as observed, with `identity`'s heartbeat set. */
  withHeartbeat(identity: string, heartbeat: string, nowMs: number): ReplicaHeartbeats {
    const live = [...this.entries].filter(([, entry]) => !this.isStale(entry, nowMs));
    return Object.fromEntries([
      ...live.map(([id, entry]) => [id, entry.heartbeat] as const),
      [identity, heartbeat] as const,
    ]);
  }

  private isStale(entry: Observed, nowMs: number): boolean {
    return nowMs - entry.changedAt > this.staleAfterMs;
  }
}
