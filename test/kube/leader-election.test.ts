import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_ELECTION_TIMINGS } from '../../src/ha/election-timings.js';
import { LeaderElector } from '../../src/ha/leader-elector.js';
import { REPLICAS_ANNOTATION, createLeaseLock, type LeaseLock } from '../../src/ha/lease-lock.js';
import { ConflictError, KubeApiError } from '../../src/kube/kube-errors.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';

const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = DEFAULT_ELECTION_TIMINGS;
/** What one request to the API server may add on a busy two-core machine. */
const REQUEST_SLACK_MS = 1_000;

/** One stretch of time during which a replica led (its leading work could run). */
interface Leadership {
  readonly identity: string;
  readonly start: number;
  end: number | undefined;
}

interface Replica {
  readonly identity: string;
  readonly elector: LeaderElector;
  /** Ends run() without releasing: what the process dying looks like to everyone else. */
  kill(): Promise<void>;
  /** Makes every request of this replica fail, as when it is cut off from the API server. */
  partition(): void;
}

/** A LeaseLock that fails every call once partitioned. */
function partitionable(lock: LeaseLock): { lock: LeaseLock; cut(): void } {
  let cut = false;
  const check = (): void => {
    if (cut) {
      throw new KubeApiError('Failed to reach the API server: no answer from the API server', {
        cause: new Error('partitioned by the test'),
      });
    }
  };
  return {
    cut: () => {
      cut = true;
    },
    lock: {
      description: lock.description,
      get: async (signal) => {
        check();
        return lock.get(signal);
      },
      create: async (record, replicas, signal) => {
        check();
        return lock.create(record, replicas, signal);
      },
      update: async (resourceVersion, change, signal) => {
        check();
        return lock.update(resourceVersion, change, signal);
      },
    },
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now();
}

function expectNoOverlap(timeline: readonly Leadership[]): void {
  const sorted = [...timeline].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i += 1) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    expect(
      previous.end,
      `${previous.identity} still led when ${current.identity} started`,
    ).to.not.equal(undefined);
    expect(
      current.start,
      `${current.identity} started leading ${((previous.end ?? 0) - current.start).toFixed(0)} ms before ${previous.identity} stopped`,
    ).to.be.at.least(previous.end!);
  }
}

function report(line: string): void {
  process.stderr.write(`      ${line}\n`);
}

describe('leader election on a real API server', function () {
  this.timeout(120_000);
  let kc: KubeConfig;
  let namespace: string;
  let replicas: Replica[] = [];
  let timeline: Leadership[];

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    kc = loadKubeConfig((await getControlPlane()).kubeconfigPath);
    namespace = await createTestNamespace(kc, 'leader-election');
  });

  beforeEach(() => {
    timeline = [];
  });

  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.kill()));
    replicas = [];
  });

  function startReplica(leaseName: string, pod: string): Replica {
    const identity = `${pod}_${randomBytes(4).toString('hex')}`;
    const partitioned = partitionable(createLeaseLock(kc, { namespace, name: leaseName }));
    const { lock } = partitioned;
    const elector = new LeaderElector({
      lock,
      identity,
      logger: createSilentLogger(),
      callbacks: {
        onStartedLeading: () => {
          timeline.push({ identity, start: performance.now(), end: undefined });
        },
        onStoppedLeading: () => {
          const open = timeline.find(
            (entry) => entry.identity === identity && entry.end === undefined,
          );
          if (open) open.end = performance.now();
        },
      },
    });
    const stop = new AbortController();
    const running = elector.run(stop.signal);
    const replica: Replica = {
      identity,
      elector,
      kill: async () => {
        stop.abort();
        await running;
      },
      partition: () => {
        partitioned.cut();
      },
    };
    replicas.push(replica);
    return replica;
  }

  /** Two replicas on a fresh Lease, once one of them leads: [leader, standby]. */
  async function electPair(leaseName: string): Promise<[Replica, Replica]> {
    const a = startReplica(leaseName, 'gluster-operator-a');
    const b = startReplica(leaseName, 'gluster-operator-b');
    await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader(), 10_000);
    const leader = a.elector.isLeader() ? a : b;
    const standby = leader === a ? b : a;
    await waitFor('the standby', () => standby.elector.status().role === 'slave', 10_000);
    return [leader, standby];
  }

  it('the LeaseLock adapter: absent is undefined, a stale write is a ConflictError, a heartbeat leaves the spec alone', async () => {
    const lock = createLeaseLock(kc, { namespace, name: 'adapter' });
    const signal = AbortSignal.timeout(10_000);
    expect(await lock.get(signal)).to.equal(undefined);
    const renewTime = new Date('2026-03-01T12:00:00.123Z');
    const record = {
      holderIdentity: 'a_1',
      leaseDurationSeconds: 15,
      acquireTime: renewTime,
      renewTime,
      leaseTransitions: 0,
    };
    const first = await lock.create(record, { a_1: 'beat' }, signal);
    expect(first.record).to.deep.equal(record);
    expect(first.replicas).to.deep.equal({ a_1: 'beat' });
    let error: unknown = await lock.create(record, {}, signal).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ConflictError);

    const beat = await lock.update(
      first.resourceVersion,
      { replicas: { a_1: 'beat', b_2: 'beat' } },
      signal,
    );
    expect(beat.record).to.deep.equal(record);
    expect(beat.replicas).to.deep.equal({ a_1: 'beat', b_2: 'beat' });
    // The stale resourceVersion is refused even though only the annotation would change.
    error = await lock
      .update(first.resourceVersion, { replicas: {} }, signal)
      .catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(ConflictError);

    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace, name: 'adapter' });
    expect(lease.metadata?.annotations?.[REPLICAS_ANNOTATION]).to.equal(
      '{"a_1":"beat","b_2":"beat"}',
    );
    expect(String(lease.spec?.renewTime)).to.equal('2026-03-01T12:00:00.123000Z');

    const aborted = await lock.get(AbortSignal.abort()).catch((caught: unknown) => caught);
    // The signal reaches the request (client-node middleware): it is never sent.
    expect(aborted).to.be.instanceOf(KubeApiError);
    expect((aborted as KubeApiError).code).to.equal(undefined);
    expect((aborted as Error).message).to.match(/abort/i);
  });

  it('two replicas on one Lease: exactly one leads, both agree, both are seen', async () => {
    const [leader, standby] = await electPair('pair');
    // Let a few renewals and heartbeats go by.
    await new Promise((resolve) => setTimeout(resolve, 3 * retryPeriodMs));
    expect([leader.elector.isLeader(), standby.elector.isLeader()]).to.deep.equal([true, false]);
    const both = [leader.identity, standby.identity].sort();
    expect(leader.elector.status()).to.deep.equal({
      role: 'master',
      identity: leader.identity,
      leader: leader.identity,
      replicasSeen: both,
    });
    expect(standby.elector.status()).to.deep.equal({
      role: 'slave',
      identity: standby.identity,
      leader: leader.identity,
      replicasSeen: both,
    });
    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace, name: 'pair' });
    expect(lease.spec?.holderIdentity).to.equal(leader.identity);
    expect(lease.spec?.leaseDurationSeconds).to.equal(15);
    expect(
      Object.keys(JSON.parse(lease.metadata?.annotations?.[REPLICAS_ANNOTATION] ?? '{}') as object),
    ).to.deep.equal(both);
    expect(timeline).to.have.length(1);
    expectNoOverlap(timeline);
  });

  it('when the leader dies without releasing, the standby takes over within leaseDuration + retryPeriod', async () => {
    const [leader, standby] = await electPair('kill');
    await new Promise((resolve) => setTimeout(resolve, retryPeriodMs));
    const killedAt = performance.now();
    await leader.kill();
    const tookOverAt = await waitFor(
      'the standby to take over',
      () => standby.elector.isLeader(),
      leaseDurationMs + retryPeriodMs + 10_000,
    );
    const takeoverMs = tookOverAt - killedAt;
    report(`takeover after the leader was killed: ${(takeoverMs / 1_000).toFixed(2)} s`);
    // At least a lease duration after the last renewal the standby saw (at most one retry period
    // before the kill); at most a lease duration after it saw it (at most one retry period after).
    expect(takeoverMs).to.be.at.least(leaseDurationMs - retryPeriodMs);
    expect(takeoverMs).to.be.at.most(leaseDurationMs + retryPeriodMs + REQUEST_SLACK_MS);
    expect(standby.elector.status()).to.include({ role: 'master', leader: standby.identity });
    expectNoOverlap(timeline);
  });

  it('when the leader releases the lease, the standby takes over within about one retry period', async () => {
    const [leader, standby] = await electPair('release');
    await new Promise((resolve) => setTimeout(resolve, retryPeriodMs / 2));
    const releasing = performance.now();
    await leader.elector.release();
    const releasedAt = performance.now();
    const tookOverAt = await waitFor(
      'the standby to take over',
      () => standby.elector.isLeader(),
      10_000,
    );
    report(
      `takeover after a graceful release: ${((tookOverAt - releasedAt) / 1_000).toFixed(2)} s (release itself: ${(releasedAt - releasing).toFixed(0)} ms)`,
    );
    expect(tookOverAt - releasedAt).to.be.at.most(retryPeriodMs + REQUEST_SLACK_MS);
    expect(leader.elector.status().role).to.equal('none');
    const lease = await kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace, name: 'release' });
    expect(lease.spec?.holderIdentity).to.equal(standby.identity);
    // Created by the first leader (0), taken over once (1).
    expect(lease.spec?.leaseTransitions).to.equal(1);
    // The released replica took itself off the list.
    await waitFor(
      'the released replica to leave replicasSeen',
      () => !standby.elector.status().replicasSeen.includes(leader.identity),
      5_000,
    );
    expectNoOverlap(timeline);
  });

  it('a leader cut off from the API server steps down before the standby takes over: never two leaders', async () => {
    const [leader, standby] = await electPair('partition');
    await new Promise((resolve) => setTimeout(resolve, retryPeriodMs));
    const cutAt = performance.now();
    leader.partition();
    const steppedDownAt = await waitFor(
      'the leader to step down',
      () => !leader.elector.isLeader(),
      renewDeadlineMs + retryPeriodMs + 5_000,
    );
    const tookOverAt = await waitFor(
      'the standby to take over',
      () => standby.elector.isLeader(),
      leaseDurationMs + retryPeriodMs + 10_000,
    );
    report(
      `cut off: leader stepped down after ${((steppedDownAt - cutAt) / 1_000).toFixed(2)} s, standby took over after ${((tookOverAt - cutAt) / 1_000).toFixed(2)} s (gap ${((tookOverAt - steppedDownAt) / 1_000).toFixed(2)} s)`,
    );
    expect(steppedDownAt - cutAt).to.be.at.most(renewDeadlineMs + REQUEST_SLACK_MS);
    expect(tookOverAt).to.be.above(steppedDownAt);
    expectNoOverlap(timeline);
    expect(timeline.map((entry) => entry.identity)).to.deep.equal([
      leader.identity,
      standby.identity,
    ]);
    // Cut off for a lease duration, it is no longer a standby either.
    await waitFor(
      'the cut-off replica to leave the election',
      () => leader.elector.status().role === 'none',
      leaseDurationMs + retryPeriodMs,
    );
  });
});
