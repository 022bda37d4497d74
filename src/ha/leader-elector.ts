import { InvalidArgumentError } from '../errors.js';
import { ConflictError } from '../kube/kube-errors.js';
import type { Logger } from '../observability/logger.js';
import { createSilentLogger } from '../observability/logger.js';
import { systemClock, type ElectionClock } from './election-clock.js';
import {
  DEFAULT_ELECTION_TIMINGS,
  validateElectionTimings,
  type ElectionTimings,
} from './election-timings.js';
import type { HaRole, HaStatus } from './ha-role.js';
import type { LeaseLock, LeaseRecord, LeaseSnapshot } from './lease-lock.js';
import { LeadershipEndedError } from './leadership-ended-error.js';
import { ReplicaRegistry } from './replica-registry.js';

export interface LeaderCallbacks {
  /**
   * This replica became the leader: start the work. `signal` aborts (reason: a
   * LeadershipEndedError) when leadership ends; the work must then stop promptly, within
   * leaseDuration − renewDeadline. A returned promise is the work: it is awaited before the lease
   * is released and before this replica leads again. If it settles while still leading, the
   * replica steps down and releases the lease, so a healthy standby takes over.
   */
  readonly onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  /** Leadership ended (lost, given up or released); called after the signal above aborted. */
  readonly onStoppedLeading?: () => void;
  /** Another identity (or this one) now holds the lease. */
  readonly onNewLeader?: (identity: string) => void;
}

export interface LeaderElectorOptions {
  readonly lock: LeaseLock;
  /** Unique per process: pod name + random suffix (see makeReplicaIdentity). */
  readonly identity: string;
  readonly timings?: Partial<ElectionTimings>;
  readonly callbacks?: LeaderCallbacks;
  readonly logger?: Logger;
  /** Injected in tests. */
  readonly clock?: ElectionClock;
}

/** Attempts per step when writes conflict (a heartbeat, another contender): read again, decide again. */
const MAX_ATTEMPTS = 3;
/** How many lease durations a replica's heartbeat may stay unchanged before it is pruned. */
const STALE_AFTER_LEASE_DURATIONS = 3;

interface Leadership {
  readonly controller: AbortController;
}

interface ObservedRecord {
  readonly record: LeaseRecord;
  /** This process's monotonic time when it first saw this record. */
  readonly observedAt: number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics:
 *
 * - A replica takes the lease when nobody holds it (absent, released) or when it has expired:
 *   the record (holder, renewTime, …) has not changed for leaseDurationSeconds as measured on
 *   THIS process's monotonic clock since it saw it change. Clocks of different machines are
 *   never compared.
 * - The leader renews every retryPeriod. When it has not renewed for renewDeadline it steps down
 *   (aborts the leading signal, calls onStoppedLeading) and goes back to standby; renewDeadline <
 *   leaseDuration means this happens before any standby may take the lease.
 * - Every write carries the resourceVersion read: a 409 means someone else wrote first. The
 *   elector reads again and decides again (a standby's heartbeat is not a lost race; a new
 *   holder is).
 * - `release()` (graceful shutdown) stops the work, then clears holderIdentity, so a standby
 *   takes over at its next look (within one retryPeriod) instead of after the lease expires.
 * - Every replica records itself in the Lease's REPLICAS_ANNOTATION (the leader with each
 *   renewal, a standby once per lease duration); `status().replicasSeen` comes from it.
 *
 * Roles: `master` while leading; `slave` while running and the lease was read within the last
 * lease duration; `none` otherwise.
 */
export class LeaderElector {
  readonly identity: string;
  readonly timings: ElectionTimings;
  private readonly lock: LeaseLock;
  private readonly callbacks: LeaderCallbacks;
  private readonly logger: Logger;
  private readonly clock: ElectionClock;
  private readonly registry: ReplicaRegistry;

  private loop: { readonly controller: AbortController; readonly done: Promise<void> } | undefined;
  private running = false;
  private leading: Leadership | undefined;
  /** The leading work of the current or last leadership, settled or not. */
  private work: Promise<void> = Promise.resolve();
  private workRunning = false;
  /** The leading work ended on its own: give the lease back at the next step. */
  private releaseRequested = false;
  /** No acquiring before this (monotonic ms): after giving the lease back because the work ended. */
  private noAcquireBefore = Number.NEGATIVE_INFINITY;
  private renewDeadlineAt = 0;
  private observed: ObservedRecord | undefined;
  private lastReadAt: number | undefined;
  private lastHeartbeatAt: number | undefined;
  private reportedLeader = '';
  private failedSteps = 0;

  constructor(options: LeaderElectorOptions) {
    if (options.identity.trim() === '') {
      throw new InvalidArgumentError('The leader election identity must not be empty');
    }
    this.identity = options.identity;
    this.timings = validateElectionTimings({ ...DEFAULT_ELECTION_TIMINGS, ...options.timings });
    this.lock = options.lock;
    this.callbacks = options.callbacks ?? {};
    this.logger = (options.logger ?? createSilentLogger()).child({
      lease: options.lock.description,
      identity: options.identity,
    });
    this.clock = options.clock ?? systemClock;
    this.registry = new ReplicaRegistry(STALE_AFTER_LEASE_DURATIONS * this.timings.leaseDurationMs);
  }

  /** True while this replica leads (its work may run). */
  isLeader(): boolean {
    return this.leading !== undefined;
  }

  /**
   * How long this replica may still act as the leader, in ms on its own monotonic clock: until
   * its renew deadline (the last successful renewal's send time + renewDeadline), when it steps
   * down by itself if no renewal succeeds meanwhile. 0 when not leading. No standby may take the
   * Lease before leaseDuration after that renewal as it sees it, so an action that ends within
   * this budget ends at least leaseDuration − renewDeadline before any other leader can start.
   */
  leadershipRemainingMs(): number {
    if (!this.leading) return 0;
    return Math.max(0, this.renewDeadlineAt - this.clock.monotonicMs());
  }

  status(): HaStatus {
    const now = this.clock.monotonicMs();
    const role = this.role(now);
    const leader = this.leading ? this.identity : this.liveForeignHolder(now);
    // Others as recorded on the Lease; this replica only while it takes part.
    const seen = new Set(this.registry.seen(now).filter((identity) => identity !== this.identity));
    if (leader !== undefined) seen.add(leader);
    if (role !== 'none') seen.add(this.identity);
    return { role, identity: this.identity, leader, replicasSeen: [...seen].sort() };
  }

  /**
   * Takes part in the election until `signal` aborts (or release() is called): acquires, renews,
   * steps down, and acquires again. Never rejects. When it ends, leadership ends (the leading
   * signal aborts) but the lease is not released: it expires after the lease duration, as when
   * the process is killed. Call release() for a graceful handover.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.loop !== undefined) {
      throw new InvalidArgumentError('This LeaderElector is already running');
    }
    const controller = new AbortController();
    const stop = (): void => {
      controller.abort();
    };
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    const done = this.runLoop(controller.signal);
    this.loop = { controller, done };
    try {
      await done;
    } finally {
      signal.removeEventListener('abort', stop);
      this.loop = undefined;
    }
  }

  /**
   * Graceful handover: ends run(), ends leadership and waits for the leading work to finish, then
   * clears holderIdentity (if this replica still holds the lease) and removes this replica from
   * the replicas annotation, so a standby takes over at its next look. Rejects with a
   * KubeApiError when the Lease cannot be written; the lease then expires on its own.
   */
  async release(): Promise<void> {
    const loop = this.loop;
    if (loop) {
      loop.controller.abort();
      await loop.done;
    }
    this.stopLeading('Releasing the lease', true);
    await this.work;
    await this.releaseLease(this.clock.timeout(this.timings.renewDeadlineMs));
  }

  private async runLoop(signal: AbortSignal): Promise<void> {
    this.running = true;
    this.logger.info('Joined leader election', {
      leaseDurationMs: this.timings.leaseDurationMs,
      renewDeadlineMs: this.timings.renewDeadlineMs,
      retryPeriodMs: this.timings.retryPeriodMs,
    });
    try {
      while (!signal.aborted) {
        await this.step(signal);
        // Resolves at once when the signal has aborted.
        await this.clock.sleep(this.nextDelayMs(), signal);
      }
    } finally {
      this.running = false;
      this.stopLeading('Stopped taking part in the election', true);
      this.logger.info('Left leader election');
    }
  }

  /** One look at the lease: acquire, renew, heartbeat or step down. Never throws. */
  private async step(signal: AbortSignal): Promise<void> {
    const startedAt = this.clock.monotonicMs();
    if (this.leading && startedAt >= this.renewDeadlineAt) {
      this.stopLeading('Failed to renew the lease within the renew deadline');
    }
    // A leader's attempt may not outlast its renew deadline (a hung request must not keep it
    // leading); a standby's is bounded the same way.
    const budgetMs = this.leading ? this.renewDeadlineAt - startedAt : this.timings.renewDeadlineMs;
    const attempt = new AbortController();
    const end = (): void => {
      attempt.abort();
    };
    const timeout = this.clock.timeout(budgetMs);
    // Listeners removed after the step: nothing accumulates on the long-lived run signal.
    signal.addEventListener('abort', end, { once: true });
    timeout.addEventListener('abort', end, { once: true });
    try {
      await this.attempt(attempt.signal);
      if (this.failedSteps > 0) this.logger.info('Reached the lease again');
      this.failedSteps = 0;
    } catch (error) {
      if (signal.aborted) return;
      this.failedSteps += 1;
      const message = this.leading ? 'Failed to renew the lease' : 'Failed to read the lease';
      const meta = { error: describe(error), failedSteps: this.failedSteps };
      // A leader's failure is always a warning; a standby's repeats every retry period are noise.
      if (this.leading || this.failedSteps === 1) this.logger.warn(message, meta);
      else this.logger.debug(message, meta);
    } finally {
      signal.removeEventListener('abort', end);
      timeout.removeEventListener('abort', end);
    }
    if (this.leading && this.clock.monotonicMs() >= this.renewDeadlineAt) {
      this.stopLeading('Failed to renew the lease within the renew deadline');
    }
  }

  private async attempt(signal: AbortSignal): Promise<void> {
    if (this.releaseRequested) {
      this.releaseRequested = false;
      this.noAcquireBefore = this.clock.monotonicMs() + this.timings.leaseDurationMs;
      await this.work;
      await this.releaseLease(signal);
    } else {
      await this.tryAcquireOrRenew(signal);
    }
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const now = this.clock.monotonicMs();
      const snapshot = await this.lock.get(signal);
      this.lastReadAt = now;
      if (snapshot === undefined) {
        if (!this.mayAcquire(now)) return;
        try {
          const created = await this.lock.create(
            this.nextRecord(undefined),
            this.registry.withHeartbeat(this.identity, this.heartbeat(), now),
            signal,
          );
          this.took(created, now);
          return;
        } catch (error) {
          if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
          if (error instanceof ConflictError) return;
          throw error;
        }
      }
      const { holderIdentity } = snapshot.record;
      if (this.leading && holderIdentity !== this.identity) {
        this.stopLeading(`The lease is held by ${holderIdentity || 'nobody'}`);
      }
      this.observe(snapshot, now);
      const heldByOther = this.liveForeignHolder(now) !== undefined;
      const mayTake = this.leading !== undefined || this.mayAcquire(now);
      if (heldByOther || !mayTake) {
        await this.heartbeatIfDue(snapshot, now, signal);
        return;
      }
      try {
        const updated = await this.lock.update(
          snapshot.resourceVersion,
          {
            record: this.nextRecord(snapshot.record),
            replicas: this.registry.withHeartbeat(this.identity, this.heartbeat(), now),
          },
          signal,
        );
        this.took(updated, now);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Someone wrote first: a standby's heartbeat, or another replica taking the lease.
        // Read again and decide again; after that, leave it to the next retry period.
        if (attempt >= MAX_ATTEMPTS) {
          this.logger.debug('Lost the race for the lease', { attempts: attempt });
          return;
        }
      }
    }
  }

  /** The record this replica writes to take or keep the lease. */
  private nextRecord(current: LeaseRecord | undefined): LeaseRecord {
    const wall = this.clock.wallTime();
    const renewing = current !== undefined && current.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.timings.leaseDurationMs / 1_000,
      acquireTime: renewing ? (current.acquireTime ?? wall) : wall,
      renewTime: wall,
      leaseTransitions:
        current === undefined
          ? 0
          : renewing
            ? current.leaseTransitions
            : current.leaseTransitions + 1,
    };
  }

  /** A write of ours holding the lease succeeded; `sentAt` is when the attempt began. */
  private took(snapshot: LeaseSnapshot, sentAt: number): void {
    this.observe(snapshot, sentAt);
    this.lastHeartbeatAt = sentAt;
    // Measured from before the request: whoever saw the write saw it later than this.
    this.renewDeadlineAt = sentAt + this.timings.renewDeadlineMs;
    if (!this.leading) this.startLeading();
  }

  private async heartbeatIfDue(snapshot: LeaseSnapshot, now: number, signal: AbortSignal) {
    const due =
      this.lastHeartbeatAt === undefined ||
      now - this.lastHeartbeatAt >= this.timings.leaseDurationMs;
    if (!due) return;
    try {
      // Only the annotation: the record is left exactly as it is, so this is never a renewal.
      const updated = await this.lock.update(
        snapshot.resourceVersion,
        { replicas: this.registry.withHeartbeat(this.identity, this.heartbeat(), now) },
        signal,
      );
      this.lastHeartbeatAt = now;
      this.observe(updated, now);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      this.logger.debug('Heartbeat lost a race; writing it at the next look');
    }
  }

  private async releaseLease(signal: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const snapshot = await this.lock.get(signal);
      if (snapshot === undefined) return;
      const holding = snapshot.record.holderIdentity === this.identity;
      const listed = Object.hasOwn(snapshot.replicas, this.identity);
      if (!holding && !listed) return;
      const replicas = Object.fromEntries(
        Object.entries(snapshot.replicas).filter(([identity]) => identity !== this.identity),
      );
      const now = this.clock.monotonicMs();
      const wall = this.clock.wallTime();
      try {
        const updated = await this.lock.update(
          snapshot.resourceVersion,
          holding
            ? {
                // As client-go: nobody holds it, so a standby takes it at its next look.
                record: {
                  ...snapshot.record,
                  holderIdentity: '',
                  leaseDurationSeconds: 1,
                  acquireTime: wall,
                  renewTime: wall,
                },
                replicas,
              }
            : { replicas },
          signal,
        );
        this.observe(updated, now);
        if (holding) this.logger.info('Released the lease');
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private startLeading(): void {
    const controller = new AbortController();
    const leadership: Leadership = { controller };
    this.leading = leadership;
    this.logger.info('Became the leader');
    this.reportLeader(this.identity);
    let work: unknown;
    try {
      work = this.callbacks.onStartedLeading?.(controller.signal);
    } catch (error) {
      work = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // A callback that returns nothing started work it does not want waited for.
    if (!(work instanceof Promise)) {
      this.work = Promise.resolve();
      return;
    }
    this.workRunning = true;
    this.work = work
      .then(
        () => {
          if (this.leading !== leadership) return;
          this.logger.warn('The leading work ended while still leading; stepping down');
          this.abandonLeadership();
        },
        (error: unknown) => {
          this.logger.error('The leading work failed', { error: describe(error) });
          if (this.leading === leadership) this.abandonLeadership();
        },
      )
      .finally(() => {
        this.workRunning = false;
      });
  }

  private abandonLeadership(): void {
    this.stopLeading('The leading work ended');
    this.releaseRequested = true;
  }

  /** `expected`: a shutdown or handover, logged as info; anything else is a warning. */
  private stopLeading(reason: string, expected = false): void {
    const leadership = this.leading;
    if (leadership === undefined) return;
    this.leading = undefined;
    leadership.controller.abort(new LeadershipEndedError(reason));
    if (expected) this.logger.info('Stopped leading', { reason });
    else this.logger.warn('Stopped leading', { reason });
    try {
      this.callbacks.onStoppedLeading?.();
    } catch (error) {
      this.logger.error('onStoppedLeading failed', {
        error: describe(error),
      });
    }
  }

  private observe(snapshot: LeaseSnapshot, now: number): void {
    if (this.observed === undefined || !sameRecord(this.observed.record, snapshot.record)) {
      this.observed = { record: snapshot.record, observedAt: now };
    }
    this.registry.observe(snapshot.replicas, now);
    const holder = snapshot.record.holderIdentity;
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder !== '' && holder !== this.identity) {
        this.logger.info('Observed a new leader', { leader: holder });
        this.notifyNewLeader(holder);
      }
    }
  }

  private reportLeader(identity: string): void {
    this.reportedLeader = identity;
    this.notifyNewLeader(identity);
  }

  private notifyNewLeader(identity: string): void {
    try {
      this.callbacks.onNewLeader?.(identity);
    } catch (error) {
      this.logger.error('onNewLeader failed', {
        error: describe(error),
      });
    }
  }

  /** The other replica holding a lease that has not expired by this process's clock. */
  private liveForeignHolder(now: number): string | undefined {
    const expiresAt = this.foreignExpiry();
    if (expiresAt === undefined || now >= expiresAt) return undefined;
    return this.observed?.record.holderIdentity;
  }

  /** When the observed foreign lease expires (monotonic ms); undefined when none is held. */
  private foreignExpiry(): number | undefined {
    const observed = this.observed;
    if (observed === undefined) return undefined;
    const { holderIdentity, leaseDurationSeconds } = observed.record;
    if (holderIdentity === '' || holderIdentity === this.identity) return undefined;
    const durationMs =
      leaseDurationSeconds > 0 ? leaseDurationSeconds * 1_000 : this.timings.leaseDurationMs;
    return observed.observedAt + durationMs;
  }

  private mayAcquire(now: number): boolean {
    return !this.workRunning && now >= this.noAcquireBefore;
  }

  private role(now: number): HaRole {
    if (this.leading) return 'master';
    const reachable =
      this.lastReadAt !== undefined && now - this.lastReadAt <= this.timings.leaseDurationMs;
    return this.running && reachable ? 'slave' : 'none';
  }

  /** The leader renews on the dot; a standby looks again when the lease it waits for expires. */
  private nextDelayMs(): number {
    const now = this.clock.monotonicMs();
    const { retryPeriodMs } = this.timings;
    if (this.leading) return Math.max(0, Math.min(retryPeriodMs, this.renewDeadlineAt - now));
    const expiresAt = this.foreignExpiry();
    if (expiresAt !== undefined && expiresAt > now) return Math.min(retryPeriodMs, expiresAt - now);
    return retryPeriodMs;
  }

  private heartbeat(): string {
    return this.clock.wallTime().toISOString();
  }
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.leaseTransitions === b.leaseTransitions &&
    a.acquireTime?.getTime() === b.acquireTime?.getTime() &&
    a.renewTime?.getTime() === b.renewTime?.getTime()
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
