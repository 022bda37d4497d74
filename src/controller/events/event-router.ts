import type { DownReport, EventDropReason } from '../../core/events/event-ledger.js';
import { EventLedger } from '../../core/events/event-ledger.js';
import type { GlusterdEvent } from '../../core/events/glusterd-event.js';
import { PROBE_EVENT } from '../../gluster/events-registration.js';
import type { Logger } from '../../observability/logger.js';

/** What the router knows of one pool with events enabled, as its last pass left it. */
export interface PoolEvents {
  /** The bearer token its nodes send. */
  readonly token: string;
  /** Every member's glusterd UUID → its address (spec address, or gluster's host name). */
  readonly members: ReadonlyMap<string, string>;
}

export interface EventRouterDeps {
  readonly logger: Logger;
  /** A pass over the GlusterCluster, soon (an urgent add: events are changes). */
  readonly enqueueCluster: (clusterKey: string) => void;
  /** A pass over each GlusterVolume of the cluster whose gluster volume is `volumeName` (all when undefined). */
  readonly enqueueVolumes: (clusterKey: string, volumeName: string | undefined) => void;
  /** Writes the cluster's status with these peer reports laid over it; resolves when written. */
  readonly reportPeersDown: (clusterKey: string, reports: readonly DownReport[]) => Promise<void>;
  /** Writes the volume's status with these brick reports laid over it. */
  readonly reportBricksDown: (
    clusterKey: string,
    volumeName: string,
    reports: readonly DownReport[],
  ) => Promise<void>;
  /** Every event the receiver handed over, with what became of it. */
  readonly onEvent?: (event: string, result: 'accepted' | EventDropReason) => void;
  /** A down report reached the status: ms from its receipt to the status written. */
  readonly onReported?: (event: string, latencyMs: number) => void;
  readonly nowMs?: () => number;
}

interface PoolState {
  pool: PoolEvents | undefined;
  readonly ledger: EventLedger;
  /** When the last full look at the pool started; events before it are stale. */
  lastLookStartedMs: number | undefined;
  /** When the last event was accepted (ms, the operator's clock). */
  lastEventMs: number | undefined;
  /** When a post with a wrong token was last refused for the pool. */
  lastRefusedMs: number | undefined;
}

const isPeerReport = (report: DownReport): boolean => report.event === 'PEER_DISCONNECT';

/**
 * Between the webhook receiver and the passes, on the leader. An accepted event starts a pass
 * (the look that confirms or clears it); a down report is also written to status at once, laid
 * over the last status, and laid over every status a pass computes from a look that started
 * before it, until a look that started after it settles it. An event never marks anything
 * healthy: only a look does.
 */
export class EventRouter {
  private readonly pools = new Map<string, PoolState>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly rewrite = new Set<string>();
  private readonly nowMs: () => number;

  constructor(private readonly deps: EventRouterDeps) {
    this.nowMs = deps.nowMs ?? Date.now;
  }

  // --- the passes' side -----------------------------------------------------------------------

  /** The pool's token and members, from its pass; undefined: events are off for it. */
  setPool(clusterKey: string, pool: PoolEvents | undefined): void {
    const state = this.stateOf(clusterKey);
    state.pool = pool;
    if (pool === undefined && state.lastEventMs === undefined) this.pools.delete(clusterKey);
  }

  /** The pool is gone: everything kept for it goes. */
  forget(clusterKey: string): void {
    this.pools.delete(clusterKey);
  }

  /** Peer reports a pass whose look started at `lookStartedMs` must lay over its status. */
  peerReportsAfter(clusterKey: string, lookStartedMs: number): DownReport[] {
    return this.pools.get(clusterKey)?.ledger.reportsNewerThan(lookStartedMs, isPeerReport) ?? [];
  }

  /** Brick reports of `volumeName` a volume pass whose look started then must lay over its status. */
  brickReportsAfter(clusterKey: string, volumeName: string, lookStartedMs: number): DownReport[] {
    return (
      this.pools
        .get(clusterKey)
        ?.ledger.reportsNewerThan(lookStartedMs, (report) => isBrickOf(report, volumeName)) ?? []
    );
  }

  /** The pool's pass wrote a status from a look that started at `lookStartedMs`. */
  settlePeers(clusterKey: string, lookStartedMs: number): void {
    const state = this.pools.get(clusterKey);
    if (!state) return;
    state.ledger.settleBefore(lookStartedMs, isPeerReport);
    state.lastLookStartedMs = Math.max(state.lastLookStartedMs ?? 0, lookStartedMs);
  }

  /** A volume's pass wrote a status from a look that started at `lookStartedMs`. */
  settleBricks(clusterKey: string, volumeName: string, lookStartedMs: number): void {
    this.pools
      .get(clusterKey)
      ?.ledger.settleBefore(lookStartedMs, (report) => isBrickOf(report, volumeName));
  }

  /** When the last event was accepted from the pool (ms since 1970). */
  lastEventMs(clusterKey: string): number | undefined {
    return this.pools.get(clusterKey)?.lastEventMs;
  }

  // --- the receiver's side --------------------------------------------------------------------

  tokenOf(clusterKey: string): string | undefined {
    return this.pools.get(clusterKey)?.pool?.token;
  }

  /** A post with a wrong token: remembered for EventsDelivery; it starts nothing. */
  refused(clusterKey: string): void {
    const state = this.pools.get(clusterKey);
    if (state) state.lastRefusedMs = this.nowMs();
  }

  /** When a post with a wrong token was last refused for the pool (ms since 1970). */
  lastRefusedMs(clusterKey: string): number | undefined {
    return this.pools.get(clusterKey)?.lastRefusedMs;
  }

  accept(
    clusterKey: string,
    event: GlusterdEvent,
    digest: string,
    receivedMs: number,
  ): 'accepted' | EventDropReason {
    const state = this.pools.get(clusterKey);
    const pool = state?.pool;
    if (!state || !pool) {
      this.deps.onEvent?.(event.type, 'unknown-node');
      return 'unknown-node';
    }
    const verdict = state.ledger.classify(
      event,
      digest,
      { members: pool.members, lastLookStartedMs: state.lastLookStartedMs },
      receivedMs,
    );
    const result = verdict.accepted ? 'accepted' : verdict.reason;
    this.deps.onEvent?.(event.type, result);
    if (!verdict.accepted) {
      this.deps.logger.debug('Dropped a glusterd event', {
        cluster: clusterKey,
        event: event.type,
        reason: verdict.reason,
      });
      // Another member saw the same fault: the status names every reporter (one more write,
      // merged with any other that comes meanwhile).
      if (verdict.joined) this.write(clusterKey, verdict.joined);
      return verdict.reason;
    }
    // The registration check's own post: it proves the path works, and asks for nothing.
    if (event.type === PROBE_EVENT) return 'accepted';
    // What clients say of their own connections starts nothing: the operator's own reads are
    // clients (each `volume heal info` runs glfsheal), and a pass for their events would read
    // again, forever.
    if (isClientSideEvent(event)) return 'accepted';
    state.lastEventMs = receivedMs;
    this.deps.logger.info('Received a glusterd event', {
      cluster: clusterKey,
      event: event.type,
      from: pool.members.get(event.nodeId),
    });
    if (verdict.report) this.write(clusterKey, verdict.report);
    // A volume's events (bricks, heal, its own lifecycle) concern its GlusterVolume's pass;
    // everything else the pool's.
    if (isVolumeEvent(event)) this.deps.enqueueVolumes(clusterKey, volumeNameOf(event));
    else this.deps.enqueueCluster(clusterKey);
    return 'accepted';
  }

  /** Waits for the status writes in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.writing.size > 0) await Promise.allSettled([...this.writing.values()]);
  }

  // --- writes ---------------------------------------------------------------------------------

  private write(clusterKey: string, report: DownReport): void {
    if (report.event === 'PEER_DISCONNECT') this.writePeers(clusterKey);
    else if (report.volume !== undefined) this.writeBricks(clusterKey, report.volume);
  }

  private writePeers(clusterKey: string): void {
    this.writeOnce(clusterKey, async () => {
      const reports = this.pools.get(clusterKey)?.ledger.reportsNewerThan(undefined, isPeerReport);
      if (!reports || reports.length === 0) return;
      await this.deps.reportPeersDown(clusterKey, reports);
      this.observe(clusterKey, reports);
    });
  }

  private writeBricks(clusterKey: string, volumeName: string): void {
    this.writeOnce(JSON.stringify([clusterKey, volumeName]), async () => {
      const reports = this.pools
        .get(clusterKey)
        ?.ledger.reportsNewerThan(undefined, (report) => isBrickOf(report, volumeName));
      if (!reports || reports.length === 0) return;
      await this.deps.reportBricksDown(clusterKey, volumeName, reports);
      this.observe(clusterKey, reports);
    });
  }

  /**
   * One write per key at a time; reports that come during a write are written by one more write
   * after it (N−1 members report each disconnect within milliseconds: one or two writes, not N).
   */
  private writeOnce(key: string, write: () => Promise<void>): void {
    if (this.writing.has(key)) {
      this.rewrite.add(key);
      return;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.rewrite.delete(key);
          await write().catch((error: unknown) => {
            // The pass the event started writes the status anyway: nothing is lost but time.
            this.deps.logger.warn('Failed to write a reported fault to status', {
              key,
              error: error instanceof Error ? error.message : String(error),
            });
          });
        } while (this.rewrite.has(key));
      } finally {
        this.writing.delete(key);
      }
    };
    this.writing.set(key, run());
  }

  /** Each report's receipt-to-status latency, once, from the first write that carried it. */
  private observe(clusterKey: string, reports: readonly DownReport[]): void {
    const now = this.nowMs();
    const first = this.pools.get(clusterKey)?.ledger.noteWritten(reports, now) ?? [];
    for (const report of first) this.deps.onReported?.(report.event, now - report.receivedMs);
  }

  /** A pass wrote a status carrying `reports` (laid over it): their latency counts from then. */
  notePassWrote(clusterKey: string, reports: readonly DownReport[]): void {
    this.observe(clusterKey, reports);
  }

  private stateOf(clusterKey: string): PoolState {
    let state = this.pools.get(clusterKey);
    if (!state) {
      state = {
        pool: undefined,
        ledger: new EventLedger(),
        lastLookStartedMs: undefined,
        lastEventMs: undefined,
        lastRefusedMs: undefined,
      };
      this.pools.set(clusterKey, state);
    }
    return state;
  }
}

/**
 * Events a client raises about its own connections to bricks: CLIENT_* (a brick saw a client
 * come or go), and the replicate and disperse client xlators' AFR_SUBVOL*, AFR_QUORUM_*,
 * EC_MIN_BRICKS_*. The bricks' own state comes from BRICK_* and the look.
 */
function isClientSideEvent(event: GlusterdEvent): boolean {
  return (
    event.type.startsWith('CLIENT_') ||
    event.type.startsWith('AFR_SUBVOL') ||
    event.type.startsWith('AFR_QUORUM_') ||
    event.type.startsWith('EC_MIN_BRICKS_')
  );
}

function isBrickOf(report: DownReport, volumeName: string): boolean {
  return report.event === 'BRICK_DISCONNECTED' && report.volume === volumeName;
}

function isVolumeEvent(event: GlusterdEvent): boolean {
  return (
    event.type.startsWith('BRICK_') ||
    event.type.startsWith('VOLUME_') ||
    event.type.startsWith('AFR_') ||
    event.type.startsWith('EC_') ||
    event.type.startsWith('SVC_')
  );
}

/** Brick and heal events name the volume `volume`; VOLUME_* events name it `name`. */
function volumeNameOf(event: GlusterdEvent): string | undefined {
  const key = event.type.startsWith('VOLUME_') ? 'name' : 'volume';
  const value = Object.hasOwn(event.message, key) ? event.message[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}
