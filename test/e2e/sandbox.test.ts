import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { GlusterCluster } from '../../src/api/gluster-cluster.js';
import type { GlusterVolume } from '../../src/api/gluster-volume.js';
import { isClusterReady, isVolumeReady } from '../../sandbox/cluster-view.js';
import type { SandboxState } from '../../sandbox/sandbox-state.js';
import {
  listTestPools,
  openGlusterTestPool,
  startGlusterTestPool,
} from '../../testbed/gluster-test-pool.js';
import { isProcessAlive } from '../../testbed/process-identity.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { runCommand, type CommandResult } from '../support/run-command.js';

/**
 * The README's first command, end to end, as a user runs it: `scripts/sandbox up` as a child
 * process on real glusterd nodes, a real kube-apiserver and the operator's own process; the
 * commands it prints, run as printed; `down`, also after its supervisor was SIGKILLed. It
 * ignores the shared control plane: the sandbox brings its own. Its state directory is a temp
 * directory, so a developer's own sandbox logs are left alone (the pool name is the machine's
 * one `sandbox`, so no sandbox may be up while this runs).
 */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'sandbox');
/** Cached binaries: about 40 s on a busy 2-core machine; the margin is for a busier one. */
const UP_TIMEOUT_MS = 300_000;

describe('scripts/sandbox (the one-command sandbox)', function () {
  this.timeout(UP_TIMEOUT_MS);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gluster-sandbox-test-'));
  const sandbox = (args: readonly string[], timeoutMs = UP_TIMEOUT_MS): Promise<CommandResult> =>
    runCommand(SCRIPT, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, GLUSTER_SANDBOX_DIR: dir },
      timeoutMs,
    });
  const readState = (): SandboxState =>
    JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as SandboxState;
  const kubectl = (args: readonly string[]): Promise<CommandResult> => {
    const state = readState();
    return runCommand(state.kubectl ?? 'kubectl', [
      `--kubeconfig=${path.join(dir, 'kubeconfig')}`,
      `--cache-dir=${path.join(dir, 'test-kubectl-cache')}`,
      ...args,
    ]);
  };
  const getCluster = async (): Promise<GlusterCluster> => {
    const result = await kubectl(['get', 'glc', 'sandbox', '-o', 'json']);
    expect(result.exitCode, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as GlusterCluster;
  };
  const waitForCluster = async (
    what: string,
    done: (cluster: GlusterCluster) => boolean,
    timeoutMs = 90_000,
  ): Promise<GlusterCluster> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cluster = await getCluster();
      if (done(cluster)) return cluster;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting to ${what}: ${JSON.stringify(cluster.status, null, 2)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const waitForVolume = async (
    what: string,
    done: (volume: GlusterVolume) => boolean,
    timeoutMs = 120_000,
  ): Promise<GlusterVolume> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await kubectl(['get', 'gv', 'data', '-o', 'json']);
      expect(result.exitCode, result.stderr).to.equal(0);
      const volume = JSON.parse(result.stdout) as GlusterVolume;
      if (done(volume)) return volume;
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting to ${what}: ${JSON.stringify(volume.status, null, 2)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const readyReason = (cluster: GlusterCluster): string | undefined =>
    cluster.status?.conditions?.find((c) => c.type === 'Ready')?.reason;
  const isSandboxPoolListed = (): boolean => listTestPools().some((p) => p.name === 'sandbox');

  before(function () {
    if (isSandboxPoolListed()) {
      throw new Error(
        'A testbed pool named sandbox exists on this machine (a sandbox is up?); run `scripts/sandbox down` first',
      );
    }
  });

  after(async function () {
    this.timeout(180_000);
    // Whatever a failed assertion left running.
    const result = await sandbox(['down'], 150_000).catch((err: unknown) => err);
    if (isSandboxPoolListed()) await openGlusterTestPool('sandbox').destroy();
    rmSync(dir, { recursive: true, force: true });
    if (result instanceof Error) throw result;
  });

  it('down with nothing up says so and succeeds', async () => {
    const result = await sandbox(['down']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('No sandbox is up; nothing to stop.');
  });

  it('up refuses, starting nothing, while someone else holds a testbed pool named sandbox', async () => {
    const squatter = await startGlusterTestPool({ name: 'sandbox', nodeCount: 1 });
    try {
      const result = await sandbox(['up']);
      expect(result.exitCode).to.equal(1);
      expect(result.stderr).to.contain(
        `The testbed pool sandbox belongs to process ${String(process.pid)}, which still runs`,
      );
      expect(existsSync(path.join(dir, 'state.json'))).to.equal(false);
      // Its pool is untouched.
      const r = await squatter.execOnNode('n1', ['gluster', '--mode=script', 'pool', 'list']);
      expect(r.exitCode).to.equal(0);
    } finally {
      await squatter.destroy();
    }
  });

  let upOutput = '';
  it('up brings up the pool, the control plane and the operator, and shows the example converge', async () => {
    const result = await sandbox(['up']);
    upOutput = result.stdout;
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).to.equal(0);
    // Progress with elapsed times, from the first step on.
    expect(upOutput).to.match(/^\[\s+0\.\ds\] Checking the Debian packages/);
    expect(upOutput).to.match(/^\[\s*\d+\.\ds\] Gluster pool: 4 nodes up/m);
    expect(upOutput).to.match(/^\[\s*\d+\.\ds\] Operator: ready/m);
    expect(upOutput).to.match(/^\[\s*\d+\.\ds\] Converged in \d+\.\d s: 3 members/m);
    // kubectl's own table, with the CRD's printer columns.
    expect(upOutput).to.match(
      /^NAME\s+READY\s+MEMBERS\s+CONNECTED\s+AGE\s+REASON\s+COMMAND-NODE$/m,
    );
    expect(upOutput).to.match(/^sandbox\s+True\s+3\s+3\s+\S+\s+PoolReady\s+10\.250\./m);
    for (const node of ['n1', 'n2', 'n3']) {
      expect(upOutput).to.match(
        new RegExp(`^${node}\\s+10\\.250\\.\\d+\\.\\d+\\s+Connected\\s+yes\\s+running`, 'm'),
      );
    }
    expect(upOutput).to.contain(`export KUBECONFIG=${path.join(dir, 'kubeconfig')}`);
    expect(upOutput).to.contain('scripts/sandbox fault stop-glusterd n2');
    expect(upOutput).to.contain('scripts/sandbox down');
    // The replica 3 GlusterVolume over n1-n3, waited for like the pool.
    expect(upOutput).to.match(
      /^\[\s*\d+\.\ds\] Volume data Started and Ready in \d+\.\d s: 3\/3 bricks online$/m,
    );
    expect(upOutput).to.match(/^data\s+Replicate\s+Started\s+3\/3\s+0\s+True\s/m);
    expect(upOutput).to.contain('scripts/sandbox fault kill-brick n2');
    const volumeResult = await kubectl(['get', 'gv', 'data', '-o', 'json']);
    expect(volumeResult.exitCode, volumeResult.stderr).to.equal(0);
    const volume = JSON.parse(volumeResult.stdout) as GlusterVolume;
    expect(isVolumeReady(volume, 3), JSON.stringify(volume.status, null, 2)).to.equal(true);
    expect(volume.status?.bricks?.map((brick) => brick.path)).to.deep.equal([
      '/bricks/data',
      '/bricks/data',
      '/bricks/data',
    ]);

    // The truth on the nodes: n1-n3 are one pool, the spare n4 is alone.
    const pool = openGlusterTestPool('sandbox');
    const snapshot = await poolSnapshot(pool, pool.nodes);
    expect(snapshot['n1']).to.have.length(3);
    expect(snapshot['n3']).to.have.length(3);
    expect(snapshot['n4']).to.deep.equal(['sandbox-n4']);
  });

  it('is left running: the printed patch adds the spare node, and the operator probes it in', async () => {
    const patch = /^ {2}kubectl patch glc sandbox --type=json -p '(\[\{"op":"add".*\])'$/m.exec(
      upOutput,
    );
    expect(patch, 'the add-a-node command in the output').to.not.equal(null);
    const result = await kubectl(['patch', 'glc', 'sandbox', '--type=json', '-p', patch![1]!]);
    expect(result.exitCode, result.stderr).to.equal(0);
    await waitForCluster('have 4 members', (cluster) => isClusterReady(cluster, 4));
    const pool = openGlusterTestPool('sandbox');
    const snapshot = await poolSnapshot(pool, [pool.nodes[3]!]);
    expect(snapshot['n4']).to.have.length(4);
  });

  it('fault passes through to the testbed: glusterd stopped on n2 shows, and clears', async () => {
    const stop = await sandbox(['fault', 'stop-glusterd', 'n2']);
    expect(stop.exitCode, stop.stderr).to.equal(0);
    expect(stop.stdout).to.contain('Undo: scripts/sandbox fault start-glusterd n2');
    await waitForCluster(
      'see n2 GlusterdDown',
      (cluster) => readyReason(cluster) === 'GlusterdDown',
    );
    const start = await sandbox(['fault', 'start-glusterd', 'n2']);
    expect(start.exitCode, start.stderr).to.equal(0);
    await waitForCluster('be Ready again', (cluster) => isClusterReady(cluster, 4));
  });

  it('fault kill-brick shows the volume Degraded, and start-bricks brings it back to Ready', async () => {
    const kill = await sandbox(['fault', 'kill-brick', 'n2']);
    expect(kill.exitCode, kill.stderr).to.equal(0);
    expect(kill.stdout).to.contain('Undo: scripts/sandbox fault start-bricks n2');
    const degraded = await waitForVolume(
      'see a brick offline',
      (volume) =>
        volume.status?.bricksOnline === '2/3' &&
        volume.status.conditions?.find((c) => c.type === 'Degraded')?.reason === 'BrickOffline',
    );
    expect(degraded.status?.bricks?.find((brick) => !brick.online)?.name).to.match(
      /^\S+:\/bricks\/data$/,
    );
    const start = await sandbox(['fault', 'start-bricks', 'n2']);
    expect(start.exitCode, start.stderr).to.equal(0);
    await waitForVolume('be Ready again', (volume) => isVolumeReady(volume, 3));
  });

  it('up again says it is already up, shows it, and starts nothing', async () => {
    const before = readState();
    const result = await sandbox(['up']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('The sandbox is already up; nothing to start.');
    expect(result.stdout).to.match(/^sandbox\s+True\s+4\s+4\s/m);
    expect(result.stdout).to.contain('export KUBECONFIG=');
    expect(readState().supervisor).to.deep.equal(before.supervisor);
  });

  it('the supervisor starts the operator again after it is killed, and it takes over', async () => {
    const before = readState();
    process.kill(operatorOf(before).pid, 'SIGKILL');
    await until(
      'the supervisor has started another operator',
      () => readState().operator?.restarts === 1,
      30_000,
    );
    const after = readState();
    expect(isProcessAlive(operatorOf(after)), 'the new operator').to.equal(true);
    // Leader once the killed one's Lease has expired (about 15 s), and its watch live.
    const base = `http://127.0.0.1:${String(after.operator!.httpPort)}`;
    const deadline = Date.now() + 90_000;
    let role: unknown;
    while (role !== 'master' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      role = await fetch(`${base}/status`).then(
        async (response) => ((await response.json()) as { role?: unknown }).role,
        () => undefined,
      );
    }
    expect(role, 'role of the new operator').to.equal('master');
    // Ready once its watches are live too: they start when it becomes master, so /readyz may
    // answer 503 for a moment after /status says master.
    let readyz = 0;
    while (readyz !== 200 && Date.now() < deadline) {
      readyz = await fetch(`${base}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (readyz !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(readyz, '/readyz of the new operator').to.equal(200);
    await waitForCluster('stay Ready', (cluster) => isClusterReady(cluster, 4));
    const statusCommand = await sandbox(['status']);
    expect(statusCommand.exitCode, statusCommand.stderr).to.equal(0);
    expect(statusCommand.stdout).to.contain(`operator: pid ${String(after.operator!.pid)} running`);
    expect(statusCommand.stdout).to.contain('restarts: 1');
  });

  it('down stops the operator, the control plane and the pool', async () => {
    const state = readState();
    const result = await sandbox(['down']);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('The sandbox is down');
    await expectAllGone(state);
  });

  it('down after the supervisor was SIGKILLed removes what it left', async () => {
    const up = await sandbox(['up']);
    expect(up.exitCode, up.stderr).to.equal(0);
    const state = readState();
    process.kill(state.supervisor.pid, 'SIGKILL');
    await until('the supervisor is gone', () => !isProcessAlive(state.supervisor));
    // What a crash leaves: the operator, the pool (stale now), kube-apiserver and etcd.
    expect(isProcessAlive(operatorOf(state))).to.equal(true);
    expect(isSandboxPoolListed()).to.equal(true);
    expect(await isPortOpen(serverPort(state))).to.equal(true);

    const status = await sandbox(['status']);
    expect(status.exitCode).to.equal(1);
    expect(status.stdout).to.contain('is gone');

    const down = await sandbox(['down']);
    expect(down.exitCode, down.stderr).to.equal(0);
    // The operator only `down` can find. The stale pool and control plane too, unless another
    // test run on this machine reaped them first (every pool and control plane start does).
    expect(down.stdout).to.match(/Removed what the supervisor left behind: operator process \d+/);
    await expectAllGone(state);
  });

  async function expectAllGone(state: SandboxState): Promise<void> {
    expect(isProcessAlive(state.supervisor), 'supervisor').to.equal(false);
    expect(isProcessAlive(operatorOf(state)), 'operator').to.equal(false);
    expect(isSandboxPoolListed(), 'testbed pool sandbox').to.equal(false);
    expect(await isPortOpen(serverPort(state)), 'kube-apiserver port').to.equal(false);
    for (const file of ['state.json', 'kubeconfig', 'supervisor.lock']) {
      expect(existsSync(path.join(dir, file)), file).to.equal(false);
    }
    // The logs stay, for a look afterwards.
    expect(existsSync(path.join(dir, 'operator.log'))).to.equal(true);
  }
});

function operatorOf(state: SandboxState): { pid: number; startTime: string } {
  if (state.operator === undefined) throw new Error('the state names no operator');
  return state.operator;
}

function serverPort(state: SandboxState): number {
  return Number(new URL(state.server ?? 'https://127.0.0.1:0').port);
}

/** Whether anything accepts connections on 127.0.0.1:port right now. */
function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
