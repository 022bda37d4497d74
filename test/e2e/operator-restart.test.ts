import { expect } from 'chai';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import type { OperatorProcess } from '../support/operator-process.js';
import { spawnOperator } from '../support/operator-process.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * The operator as it runs in production: `node src/main.ts`, its own process (spawnOperator), with
 * leader election on a Lease in the test namespace (short timings, so a takeover after SIGKILL is
 * quick).
 */
describe('the operator killed mid-pass and restarted', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('restart', 4);
  let harness: OperatorHarness;
  let kubeconfigPath: string;
  let child: OperatorProcess | undefined;

  before(async function () {
    this.timeout(300_000);
    kubeconfigPath = (await getControlPlane()).kubeconfigPath;
    harness = await createPoolHarness('restart', pool());
  });
  afterEach(async () => {
    await child?.stop();
  });

  it('converges after a SIGKILL right after its first probe, with no duplicate or harmful change', async () => {
    const nodes = pool().pool.nodes;
    child = await spawnOperator({ kubeconfigPath, watchNamespace: harness.namespace });
    await harness.apply('pool', {
      nodes: nodes.map((node) => ({ address: node.ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
      resyncInterval: '10s',
    });
    // Kill it the moment the first probe is known: its pass may still be following the probes.
    const deadline = Date.now() + 60_000;
    while (!(await harness.events('pool')).some((event) => event.startsWith('Probed: '))) {
      if (Date.now() > deadline)
        throw new Error(`no probe within 60 s; operator log:\n${child.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await child.exited();

    child = await spawnOperator({ kubeconfigPath, watchNamespace: harness.namespace });
    await harness.waitFor('pool', 'be Ready with 4 members', (cluster) => isReadyAt(cluster, 4));
    const events = await harness.events('pool');
    // No lone node probed twice across both processes (the first pass probes all three at
    // once; an Event still in flight when the process was killed may be lost), nothing failed.
    const probed = events.filter((event) => event.startsWith('Probed: '));
    expect(probed.length).to.be.within(1, 3);
    expect(new Set(probed).size).to.equal(probed.length);
    expect(events.filter((event) => /Failed|Detached/.test(event))).to.deep.equal([]);
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([4, 4, 4, 4]);
  });

  it('serves health, status and metrics, and stops cleanly on SIGTERM', async () => {
    const operator = await spawnOperator({
      kubeconfigPath,
      watchNamespace: harness.namespace,
    });
    child = operator;
    const base = operator.url;
    const deadline = Date.now() + 60_000;
    // Leader once the Lease of the SIGKILLed operator (if any) has expired.
    const status = await operator.waitForStatus('lead', (current) => current.role === 'master', {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(status.leader).to.match(/^operator-under-test_/);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    await harness.waitFor('pool', 'stay Ready', (cluster) => isReadyAt(cluster, 4));
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).to.equal(200);
    // The new leader's first pass fills the per-pool gauges.
    let metrics = '';
    while (!/gluster_operator_cluster_nodes\{[^}]*state="Connected"\} 4/.test(metrics)) {
      if (Date.now() > deadline) throw new Error(`no peers metric within 60 s:\n${metrics}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      metrics = await (await fetch(`${base}/metrics`)).text();
    }
    expect(metrics).to.match(/gluster_operator_cluster_ready\{[^}]*name="pool"\} 1/);
    expect(metrics).to.contain('controller_runtime_reconcile_total');
    expect(metrics).to.contain('gluster_operator_remote_command_duration_seconds');
    expect(metrics).to.match(/gluster_operator_leader 1/);
    operator.kill('SIGTERM');
    expect(await operator.exited()).to.deep.equal({ code: 0, signal: null });
    expect(operator.output()).to.contain('"message":"Stopped gluster-operator"');
  });
});
