import type { GlusterdEvent } from './glusterd-event.js';
import { textOf } from './glusterd-event.js';

/** Why an authenticated, well-formed event was not acted on (a metric label). */
export type EventDropReason = 'unknown-node' | 'stale' | 'duplicate' | 'replayed';

/** What the ledger needs to know of the pool an event came for. */
export interface PoolContext {
  /** Every member's glusterd UUID → its address (the spec address, or gluster's host name). */
  readonly members: ReadonlyMap<string, string>;
  /** When the last full look at the pool started (ms since 1970); undefined: none yet. */
  readonly lastLookStartedMs: number | undefined;
}

/**
 * A member or brick some member's glusterd reported down, not yet confirmed or cleared by a look
 * at the pool. Only down events make one: an event never marks anything healthy.
 */
export interface DownReport {
  readonly event: DownEvent;
  /** A member's UUID (PEER_DISCONNECT) or a brick's `host:/path` (BRICK_DISCONNECTED). */
  readonly subject: string;
  /** The volume of a brick report. */
  readonly volume?: string;
  /** Addresses of the members that reported it, first reporter first. */
  readonly reporters: readonly string[];
  /** The first report's time, by its node's clock (whole seconds since 1970). */
  readonly tsSeconds: number;
  /** When the operator received the first report (ms since 1970, its own clock). */
  readonly receivedMs: number;
  /** When a status saying it was first written (ms since 1970); undefined: not yet. */
  readonly writtenMs?: number;
}

export type DownEvent = 'PEER_DISCONNECT' | 'BRICK_DISCONNECTED';

export type EventVerdict =
  | {
      readonly accepted: true;
      /** A new down report this event made; undefined when the event only asks for a look. */
      readonly report?: DownReport;
    }
  | {
      readonly accepted: false;
      readonly reason: EventDropReason;
      /** A duplicate that named a new reporter: the report it joined (to write again). */
      readonly joined?: DownReport;
    };

/** Bodies remembered for replay detection, per pool; the oldest are forgotten first. */
const MAX_REMEMBERED_BODIES = 4096;
/** A body is remembered this long: a replay of an older one is stale anyway. */
const REMEMBER_BODY_MS = 15 * 60_000;

/**
 * One pool's memory of its events: which bodies came already (replays), which down reports wait
 * for a look to confirm them (and who reported each: every surviving member reports a
 * disconnect, so N−1 reports are one fact). Pure: time comes in as arguments.
 */
export class EventLedger {
  private readonly seenBodies = new Map<string, number>();
  private readonly reports = new Map<string, DownReport>();

  /**
   * Decides what becomes of an authenticated, well-formed event: dropped (and why), or accepted
   * with the down report it makes, if any. `digest` identifies the exact body (a replay is the
   * same body again: glustereventsd never sends one twice).
   */
  classify(
    event: GlusterdEvent,
    digest: string,
    pool: PoolContext,
    receivedMs: number,
  ): EventVerdict {
    const reporter = pool.members.get(event.nodeId);
    if (reporter === undefined) return { accepted: false, reason: 'unknown-node' };
    this.forgetBodiesBefore(receivedMs - REMEMBER_BODY_MS);
    if (this.seenBodies.has(digest)) return { accepted: false, reason: 'replayed' };
    this.rememberBody(digest, receivedMs);
    // ts has whole seconds: an event in the second a look started may have come after it.
    if (
      pool.lastLookStartedMs !== undefined &&
      (event.tsSeconds + 1) * 1000 <= pool.lastLookStartedMs
    ) {
      return { accepted: false, reason: 'stale' };
    }
    const subject = downSubjectOf(event, pool);
    if (subject === undefined) return { accepted: true };
    const key = reportKey(subject.event, subject.subject, subject.volume);
    const known = this.reports.get(key);
    if (known) {
      if (known.reporters.includes(reporter)) return { accepted: false, reason: 'duplicate' };
      const joined = { ...known, reporters: [...known.reporters, reporter] };
      this.reports.set(key, joined);
      return { accepted: false, reason: 'duplicate', joined };
    }
    const report: DownReport = {
      ...subject,
      reporters: [reporter],
      tsSeconds: event.tsSeconds,
      receivedMs,
    };
    this.reports.set(key, report);
    return { accepted: true, report };
  }

  /**
   * The down reports (of those `about` selects) that a look which started at `lookStartedMs`
   * may not have seen; every one when lookStartedMs is undefined.
   */
  reportsNewerThan(
    lookStartedMs: number | undefined,
    about: (report: DownReport) => boolean = () => true,
  ): DownReport[] {
    return [...this.reports.values()].filter(
      (report) =>
        about(report) && (lookStartedMs === undefined || !isBefore(report, lookStartedMs)),
    );
  }

  /**
   * Notes that a status with `reports` was written at `writtenMs`; returns those written for the
   * first time (each report's receipt-to-status latency is measured once).
   */
  noteWritten(reports: readonly DownReport[], writtenMs: number): DownReport[] {
    const first: DownReport[] = [];
    for (const report of reports) {
      const key = reportKey(report.event, report.subject, report.volume);
      const stored = this.reports.get(key);
      if (stored === undefined || stored.writtenMs !== undefined) continue;
      this.reports.set(key, { ...stored, writtenMs });
      first.push(stored);
    }
    return first;
  }

  /**
   * A look that started at `lookStartedMs` saw what happened before it: the reports it covers
   * (of those `about` selects: a pool's look covers peers, a volume's its bricks) go.
   */
  settleBefore(lookStartedMs: number, about: (report: DownReport) => boolean = () => true): void {
    for (const [key, report] of this.reports) {
      if (about(report) && isBefore(report, lookStartedMs)) this.reports.delete(key);
    }
  }

  private rememberBody(digest: string, receivedMs: number): void {
    this.seenBodies.set(digest, receivedMs);
    if (this.seenBodies.size > MAX_REMEMBERED_BODIES) {
      const oldest = this.seenBodies.keys().next();
      if (oldest.done !== true) this.seenBodies.delete(oldest.value);
    }
  }

  private forgetBodiesBefore(ms: number): void {
    // Insertion order is arrival order: stop at the first one young enough.
    for (const [digest, receivedMs] of this.seenBodies) {
      if (receivedMs >= ms) break;
      this.seenBodies.delete(digest);
    }
  }
}

/**
 * What a down event is about: PEER_DISCONNECT names the peer by `uuid` (a member, else it is
 * only a reason to look), BRICK_DISCONNECTED a brick by `peer` (its host as gluster names it)
 * and `brick` (its path) in `volume`.
 */
function downSubjectOf(
  event: GlusterdEvent,
  pool: PoolContext,
): Pick<DownReport, 'event' | 'subject' | 'volume'> | undefined {
  if (event.type === 'PEER_DISCONNECT') {
    const uuid = textOf(event, 'uuid');
    if (uuid === undefined || !pool.members.has(uuid)) return undefined;
    return { event: 'PEER_DISCONNECT', subject: uuid };
  }
  if (event.type === 'BRICK_DISCONNECTED') {
    const host = textOf(event, 'peer');
    const path = textOf(event, 'brick');
    const volume = textOf(event, 'volume');
    if (host === undefined || path === undefined || volume === undefined) return undefined;
    return { event: 'BRICK_DISCONNECTED', subject: `${host}:${path}`, volume };
  }
  return undefined;
}

/** ts has whole seconds: a report in the second a look started may have come after it. */
function isBefore(report: DownReport, lookStartedMs: number): boolean {
  return (report.tsSeconds + 1) * 1000 <= lookStartedMs;
}

function reportKey(event: DownEvent, subject: string, volume: string | undefined): string {
  return JSON.stringify([event, subject, volume ?? '']);
}
