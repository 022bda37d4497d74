import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createOperatorHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The operator as it runs in production: `node src/main.ts`, its own process, with leader
 * election on a Lease in the test namespace (short timings, so a takeover after SIGKILL is quick).
 */
function spawnOperator(kubeconfigPath: string, namespace: string, httpPort: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfigPath,
      WATCH_NAMESPACE: namespace,
      PROGRESS_REQUEUE_MS: '200',
      LOG_LEVEL: 'info',
      POD_NAME: 'operator-under-test',
      LEADER_ELECTION_NAMESPACE: namespace,
      LEADER_ELECTION_LEASE_DURATION: '4s',
      LEADER_ELECTION_RENEW_DEADLINE: '3s',
      LEADER_ELECTION_RETRY_PERIOD: '500ms',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else
      child.once('exit', () => {
        resolve();
      });
  });
}

describe('the operator killed mid-pass and restarted', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('restart', 4);
  let harness: OperatorHarness;
  let kubeconfigPath: string;
  let child: ChildProcess | undefined;

  before(async function () {
    this.timeout(300_000);
    const cp = await getControlPlane();
    kubeconfigPath = cp.kubeconfigPath;
    const kubeConfig = loadKubeConfig(kubeconfigPath);
    const namespace = await createTestNamespace(kubeConfig, 'restart');
    harness = await createOperatorHarness({
      kubeConfig,
      namespace,
      pool: pool().pool,
      resolver: pool().resolver,
    });
  });
  afterEach(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
  });

  it('converges after a SIGKILL right after its first probe, with no duplicate or harmful change', async () => {
    const nodes = pool().pool.nodes;
    child = spawnOperator(kubeconfigPath, harness.namespace, await freePort());
    const logLines: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => logLines.push(...chunk.toString().split('\n')));
    await harness.apply('pool', {
      nodes: nodes.map((node) => ({ address: node.ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
      resyncInterval: '10s',
    });
    // Kill it the moment the first probe has been made: the rest of the work is half done.
    const deadline = Date.now() + 60_000;
    while (!(await harness.events('pool')).some((event) => event.startsWith('Probed: '))) {
      if (Date.now() > deadline)
        throw new Error(`no probe within 60 s; operator log:\n${logLines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    await exited(child);
    const afterKill = await poolSnapshot(pool().pool, [nodes[0]!]);
    expect(afterKill['n1']!.length).to.be.lessThan(4);

    child = spawnOperator(kubeconfigPath, harness.namespace, await freePort());
    await harness.waitFor('pool', 'be Ready with 4 members', (cluster) => isReadyAt(cluster, 4));
    const events = await harness.events('pool');
    // Each lone node probed exactly once in all, across both processes, and nothing failed.
    expect(events.filter((event) => event.startsWith('Probed: '))).to.have.length(3);
    expect(events.filter((event) => /Failed|Detached/.test(event))).to.deep.equal([]);
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([4, 4, 4, 4]);
  });

  it('serves health, status and metrics, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    child = spawnOperator(kubeconfigPath, harness.namespace, port);
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    let status: { role?: string; leader?: string } = {};
    // Leader once the Lease of the SIGKILLed operator (if any) has expired.
    while (status.role !== 'master') {
      if (Date.now() > deadline) throw new Error(`not leading within 60 s: ${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await fetch(`${base}/status`)
        .then((response) => response.json())
        .catch(() => ({}))) as typeof status;
    }
    expect(status.leader).to.match(/^operator-under-test_/);
    expect((await fetch(`${base}/healthz`)).status).to.equal(200);
    await harness.waitFor('pool', 'stay Ready', (cluster) => isReadyAt(cluster, 4));
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).to.equal(200);
    // The new leader's first pass fills the peers gauge.
    let metrics = '';
    while (!/gluster_operator_peers\{state="Connected"\} 4/.test(metrics)) {
      if (Date.now() > deadline) throw new Error(`no peers metric within 60 s:\n${metrics}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      metrics = await (await fetch(`${base}/metrics`)).text();
    }
    expect(metrics).to.contain('gluster_operator_reconcile_total');
    expect(metrics).to.contain('gluster_operator_remote_command_duration_seconds');
    expect(metrics).to.match(/gluster_operator_leader 1/);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode).to.equal(0);
    expect(output.join('')).to.contain('"message":"Stopped gluster-operator"');
  });
});
