import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createOperatorHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/** The operator as it runs in production: `node src/main.ts`, its own process. */
function spawnOperator(kubeconfigPath: string, namespace: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfigPath,
      WATCH_NAMESPACE: namespace,
      PROGRESS_REQUEUE_MS: '200',
      LOG_LEVEL: 'info',
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
    child = spawnOperator(kubeconfigPath, harness.namespace);
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

    child = spawnOperator(kubeconfigPath, harness.namespace);
    await harness.waitFor('pool', 'be Ready with 4 members', (cluster) => isReadyAt(cluster, 4));
    const events = await harness.events('pool');
    // Each lone node probed exactly once in all, across both processes, and nothing failed.
    expect(events.filter((event) => event.startsWith('Probed: '))).to.have.length(3);
    expect(events.filter((event) => /Failed|Detached/.test(event))).to.deep.equal([]);
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([4, 4, 4, 4]);
  });

  it('stops cleanly on SIGTERM', async () => {
    child = spawnOperator(kubeconfigPath, harness.namespace);
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!output.join('').includes('"message":"Started gluster-operator"')) {
      if (Date.now() > deadline) throw new Error(`not started within 30 s: ${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode).to.equal(0);
    expect(output.join('')).to.contain('"message":"Stopped gluster-operator"');
  });
});
