import { expect } from 'chai';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import type {
  OperatorLogLine,
  OperatorProcess,
  OperatorStatus,
} from '../support/operator-process.js';
import { spawnOperator } from '../support/operator-process.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/** The timings every replica here runs with (spawnOperator's defaults, spelled out). */
const LEASE_DURATION_MS = 4_000;
const RENEW_DEADLINE_MS = 3_000;
const RETRY_PERIOD_MS = 500;

/** A span of one replica's leadership, in epoch ms on this machine's clock. */
interface Leadership {
  readonly replica: string;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The leaderships a replica's log shows: from its first "Became the leader" to main.ts's
 * "Stopped leading" (logged once the operator's work has stopped, so it bounds every action),
 * or, for a process that was killed, to the moment of the kill.
 */
function leaderships(replica: OperatorProcess, killedAtMs?: number): Leadership[] {
  const spans: Leadership[] = [];
  let startMs: number | undefined;
  for (const line of replica.logs) {
    if (line.message === 'Became the leader' && startMs === undefined) startMs = line.loggedAtMs;
    // The elector's own "Stopped leading" carries a reason and comes before the work has ended.
    const workEnded = line.message === 'Stopped leading' && !('reason' in line.fields);
    if (workEnded && startMs !== undefined) {
      spans.push({ replica: replica.podName, startMs, endMs: line.loggedAtMs });
      startMs = undefined;
    }
  }
  if (startMs !== undefined) {
    if (killedAtMs === undefined) throw new Error(`${replica.podName} still leads`);
    spans.push({ replica: replica.podName, startMs, endMs: killedAtMs });
  }
  return spans;
}

/** Lines written while working on a GlusterCluster (the reconcile's child logger names it). */
function actionLines(replica: OperatorProcess): OperatorLogLine[] {
  return replica.logs.filter((line) => 'cluster' in line.fields);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

describe('two operator processes on one Lease (kill -9 and graceful handover)', function () {
  this.timeout(300_000);
  const pool = useGlusterTestPool('ha', 4);
  let harness: OperatorHarness;
  let kubeconfigPath: string;
  const replicas: OperatorProcess[] = [];
  /** Set by the tests in order; each test needs the one before it. */
  let leader: OperatorProcess | undefined;
  let standby: OperatorProcess | undefined;
  let killedAtMs: number | undefined;

  const startReplica = async (podName: string): Promise<OperatorProcess> => {
    const replica = await spawnOperator({
      kubeconfigPath,
      watchNamespace: harness.namespace,
      podName,
      // Debug: every gluster command and every pass is logged with its cluster, so the logs
      // show each replica's actions, not only the changes.
      logLevel: 'debug',
      leaderElection: {
        namespace: harness.namespace,
        leaseDuration: `${LEASE_DURATION_MS / 1000}s`,
        renewDeadline: `${RENEW_DEADLINE_MS / 1000}s`,
        retryPeriod: `${RETRY_PERIOD_MS}ms`,
      },
    });
    replicas.push(replica);
    return replica;
  };

  /** Events about `name`: reason, message and how many times each was recorded. */
  const events = async (name: string) => {
    const list = await harness.core.listNamespacedEvent({
      namespace: harness.namespace,
      fieldSelector: `involvedObject.name=${name}`,
    });
    return list.items.map((event) => ({
      reason: event.reason ?? '',
      message: event.message ?? '',
      count: event.count ?? 1,
    }));
  };

  before(async function () {
    this.timeout(300_000);
    kubeconfigPath = (await getControlPlane()).kubeconfigPath;
    harness = await createPoolHarness('ha', pool());
  });
  after(async function () {
    this.timeout(30_000);
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  it('elects exactly one leader; both replicas name it and list each other', async () => {
    const started = [await startReplica('operator-a'), await startReplica('operator-b')];
    // Until each has read the Lease after the other joined, replicasSeen may lack the other.
    const statuses = await Promise.all(
      started.map((replica) =>
        replica.waitForStatus(
          'take part with a leader and see both replicas',
          (status) =>
            status.role !== 'none' && status.leader !== null && status.replicasSeen.length === 2,
          { timeoutMs: 30_000 },
        ),
      ),
    );
    // Read again together, now that both are settled: one master, one slave, one leader.
    const settled = (await Promise.all(started.map((replica) => replica.status()))).map(
      (status) => status!,
    );
    expect(settled.map((status) => status.role).sort()).to.deep.equal(['master', 'slave']);
    const master = settled.find((status) => status.role === 'master')!;
    expect(settled.map((status) => status.leader)).to.deep.equal([
      master.identity,
      master.identity,
    ]);
    const identities = settled.map((status) => status.identity).sort();
    expect(identities[0]).to.match(/^operator-a_[0-9a-f]{8}$/);
    expect(identities[1]).to.match(/^operator-b_[0-9a-f]{8}$/);
    for (const status of [...statuses, ...settled]) {
      expect(status.replicasSeen).to.deep.equal(identities);
    }
    leader = started[settled.indexOf(master)]!;
    standby = started.find((replica) => replica !== leader)!;
  });

  it('after kill -9 of the leader the standby takes over once the lease expires, and makes a change exactly once', async () => {
    if (!leader || !standby) throw new Error('needs the leader elected by the test before');
    const nodes = pool().pool.nodes;
    const spec = (count: number) => ({
      nodes: nodes.slice(0, count).map((node) => ({ address: node.ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
      resyncInterval: '10s',
    });
    await harness.apply('pool', spec(3));
    await harness.waitFor('pool', 'be Ready with 3 members', (cluster) => isReadyAt(cluster, 3));
    const killedLeader = leader;
    const before = (await standby.status())!;
    expect(before.role).to.equal('slave');

    const killedAt = performance.now();
    killedAtMs = Date.now();
    killedLeader.kill('SIGKILL');
    await harness.apply('pool', spec(4));
    let status: OperatorStatus | undefined;
    while (status?.role !== 'master') {
      if (performance.now() - killedAt > 30_000) {
        throw new Error(`no takeover within 30 s; last /status ${JSON.stringify(status)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await standby.status();
    }
    const takeoverMs = performance.now() - killedAt;
    await harness.waitFor('pool', 'be Ready with 4 members', (cluster) => isReadyAt(cluster, 4));
    const changedMs = performance.now() - killedAt;
    console.log(
      `      takeover after kill -9: ${seconds(takeoverMs)} (lease ${seconds(LEASE_DURATION_MS)}, retry ${seconds(RETRY_PERIOD_MS)}); 4th node probed and Ready with 4 after ${seconds(changedMs)}`,
    );
    expect(await killedLeader.exited()).to.deep.equal({ code: null, signal: 'SIGKILL' });
    // Not before the lease could have expired (the last renewal the standby saw came at most one
    // retry period before the kill): it never took a lease that was still live...
    expect(takeoverMs).to.be.greaterThan(LEASE_DURATION_MS - RETRY_PERIOD_MS - 250);
    // ...and not much later (docs/high-availability.md: lease duration ± one retry period;
    // generous for a loaded 2-core machine).
    expect(takeoverMs).to.be.lessThan(12_000);
    expect(status.leader).to.equal(status.identity);
    expect(status.replicasSeen).to.include(status.identity);

    // The 4th node was probed exactly once across both processes, and nothing failed or left.
    const fourth = nodes[3]!.ipv4;
    const recorded = await events('pool');
    const aboutFourth = recorded.filter(
      (event) =>
        event.message.includes(`Probed ${fourth} `) ||
        event.message.includes(`Probe of ${fourth} `),
    );
    expect(aboutFourth.map((event) => [event.reason, event.count])).to.deep.equal([['Probed', 1]]);
    const probes = recorded.filter((event) => event.reason === 'Probed');
    expect(probes.reduce((sum, event) => sum + event.count, 0)).to.equal(3);
    expect(recorded.filter((event) => /Failed|Detached/.test(event.reason))).to.deep.equal([]);
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([4, 4, 4, 4]);

    // The logs: each replica acted only while it led, and the two leaderships do not overlap.
    const killedSpans = leaderships(killedLeader, killedAtMs);
    const takerSpans = leaderships(standby, Date.now());
    expect(killedSpans).to.have.length(1);
    expect(takerSpans).to.have.length(1);
    const killedActions = actionLines(killedLeader);
    const takerActions = actionLines(standby);
    expect(killedActions, 'the killed leader formed the pool').to.not.be.empty;
    expect(takerActions.some((line) => line.message === `Probed ${fourth} from ${nodes[0]!.ipv4}`))
      .to.be.true;
    expect(killedActions.at(-1)!.loggedAtMs).to.be.at.most(killedAtMs);
    expect(killedActions.at(-1)!.loggedAtMs).to.be.lessThan(takerSpans[0]!.startMs);
    expect(takerSpans[0]!.startMs).to.be.greaterThan(killedAtMs);
    for (const [replica, spans] of [
      [killedLeader, killedSpans],
      [standby, takerSpans],
    ] as const) {
      const outside = actionLines(replica).filter(
        (line) =>
          !spans.some((span) => span.startMs <= line.loggedAtMs && line.loggedAtMs <= span.endMs),
      );
      expect(outside, `${replica.podName} acted while not leading`).to.deep.equal([]);
    }
    leader = standby;
    standby = undefined;
  });

  it('hands over on SIGTERM: the leader releases the lease, a standby leads within a retry period, exit code 0', async () => {
    if (!leader || killedAtMs === undefined) throw new Error('needs the takeover test before');
    const previous = leader;
    const identity = (await previous.status())!.identity;
    const fresh = await startReplica('operator-c');
    await fresh.waitForStatus(
      'stand by under the current leader',
      (status) => status.role === 'slave' && status.leader === identity,
      { timeoutMs: 30_000 },
    );

    const stoppedAt = performance.now();
    previous.kill('SIGTERM');
    let status: OperatorStatus | undefined;
    while (status?.role !== 'master') {
      if (performance.now() - stoppedAt > 30_000) {
        throw new Error(`no handover within 30 s; last /status ${JSON.stringify(status)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await fresh.status();
    }
    const handoverMs = performance.now() - stoppedAt;
    expect(await previous.exited()).to.deep.equal({ code: 0, signal: null });
    const released = previous.logs.find((line) => line.message === 'Released the lease');
    const became = await fresh.waitForLog(
      'Became the leader',
      (line) => line.message === 'Became the leader',
    );
    expect(released, `no release in:\n${previous.output()}`).to.not.be.undefined;
    const releaseToLeadMs = became.loggedAtMs - released!.loggedAtMs;
    console.log(
      `      graceful handover: SIGTERM → standby master in ${seconds(handoverMs)}; lease released → new leader in ${seconds(releaseToLeadMs)}`,
    );
    // Released, then taken at the standby's next look (one retry period), not after expiry.
    expect(releaseToLeadMs).to.be.within(0, RETRY_PERIOD_MS + 1_000);
    expect(handoverMs).to.be.lessThan(LEASE_DURATION_MS);

    // The new leader keeps the pool as it is: Ready with 4, no second probe, nothing failed.
    await harness.waitFor('pool', 'stay Ready with 4 members', (cluster) => isReadyAt(cluster, 4));
    await fresh.waitForLog('a pass over the pool', (line) => 'cluster' in line.fields, 30_000);
    const recorded = await events('pool');
    expect(
      recorded.filter((event) => event.reason === 'Probed').reduce((sum, e) => sum + e.count, 0),
    ).to.equal(3);
    expect(recorded.filter((event) => /Failed|Detached/.test(event.reason))).to.deep.equal([]);

    // Across all three processes: leaderships in a row, never two at once, no action outside one.
    const all = [
      ...leaderships(replicas[0]!, killedAtMs),
      ...leaderships(replicas[1]!, killedAtMs),
      ...leaderships(fresh, Date.now()),
    ].sort((a, b) => a.startMs - b.startMs);
    expect(all.map((span) => span.replica)).to.deep.equal([
      replicas.find((replica) => replica !== previous && replica !== fresh)!.podName,
      previous.podName,
      fresh.podName,
    ]);
    for (let index = 1; index < all.length; index++) {
      expect(all[index - 1]!.endMs, `${all[index - 1]!.replica} still led`).to.be.at.most(
        all[index]!.startMs,
      );
    }
    for (const replica of replicas) {
      const spans = all.filter((span) => span.replica === replica.podName);
      const outside = actionLines(replica).filter(
        (line) =>
          !spans.some((span) => span.startMs <= line.loggedAtMs && line.loggedAtMs <= span.endMs),
      );
      expect(outside, `${replica.podName} acted while not leading`).to.deep.equal([]);
    }
  });
});
