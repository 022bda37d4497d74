import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml, type V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ControlPlane } from '../support/control-plane.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createOperatorHarness, isReadyAt } from '../support/operator-harness.js';
import { runCommand } from '../support/run-command.js';
import { useGlusterTestPool } from '../support/test-pool.js';
import { findFreePorts } from '../support/free-ports.js';
import { metricsReaderToken } from '../support/metrics-reader-token.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DEPLOY_DIR = path.join(REPO, 'deploy');
/** The image's user (Dockerfile USER, deploy/deployment.yaml runAsUser). */
const IMAGE_UID = 65532;

/**
 * Runs `node --enable-source-maps dist/main.js` from `tree` as the image does: in a mount
 * namespace of its own where every file system but /proc, /sys and /dev is read-only (as with
 * readOnlyRootFilesystem), as 65532:65532 with no capabilities and no_new_privs, with only the
 * given environment (no HOME, no PATH). The shell execs node, so the child's pid is node's.
 */
function spawnReadOnly(tree: string, env: Record<string, string>): ChildProcess {
  const script = `
set -eu
findmnt -rn -O rw -o TARGET | while read -r target; do
  case "$target" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
  mount -o remount,bind,ro "$target"
done
for probe in /tmp/.rw-probe "$0/.rw-probe"; do
  if touch "$probe" 2>/dev/null; then echo "still writable: $probe" >&2; exit 97; fi
done
exec setpriv --reuid=${IMAGE_UID} --regid=${IMAGE_UID} --clear-groups --inh-caps=-all \\
  --bounding-set=-all --no-new-privs env -i "$@"`;
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation=private',
      'sh',
      '-c',
      script,
      tree,
      ...assignments,
      process.execPath,
      '--enable-source-maps',
      'dist/main.js',
    ],
    { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

/** VmRSS and VmHWM (peak) of a live process, in MiB. */
function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const mebibytes = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${String(pid)}/status has no ${field}`);
    return Math.round(Number(match[1]) / 102.4) / 10;
  };
  return { rssMiB: mebibytes('VmRSS'), peakMiB: mebibytes('VmHWM') };
}

/** The Deployment as written in deploy/: its container's memory limit and environment. */
function deployedContainer(): { memoryLimitMiB: number; env: Record<string, string> } {
  const [deployment] = loadAllYaml(
    readFileSync(path.join(DEPLOY_DIR, 'deployment.yaml'), 'utf8'),
  ) as V1Deployment[];
  const container = deployment?.spec?.template.spec?.containers[0];
  const limit = /^(\d+)Mi$/.exec(container?.resources?.limits?.['memory'] ?? '');
  if (!container || !limit) throw new Error('deploy/deployment.yaml has no memory limit in Mi');
  const env = Object.fromEntries(
    (container.env ?? [])
      .filter((entry) => entry.value !== undefined && entry.value !== '')
      .map((entry) => [entry.name, entry.value!]),
  );
  return { memoryLimitMiB: Number(limit[1]), env };
}

describe('the runtime tree (scripts/runtime-tree) run as the image runs it', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('tree', 3);
  let cp: ControlPlane;
  let tree: string;
  let scratch: string;
  let kubeconfigPath: string;
  let harness: OperatorHarness;
  let child: ChildProcess | undefined;

  before(async function () {
    this.timeout(600_000);
    cp = await getControlPlane();
    const applied = await cp.kubectl(['apply', '-k', DEPLOY_DIR]);
    expect(applied.exitCode, applied.stderr).to.equal(0);
    const built = await runCommand('bash', [path.join(REPO, 'scripts/runtime-tree')], {
      timeoutMs: 600_000,
    });
    expect(built.exitCode, built.stderr).to.equal(0);
    tree = built.stdout.trimEnd().split('\n').at(-1) ?? '';
    // The service account's identity in one self-contained file the image's user can read (as a
    // mounted token would be).
    scratch = mkdtempSync(path.join(os.tmpdir(), 'runtime-tree-test-'));
    chmodSync(scratch, 0o755);
    const flattened = await cp.kubectl([
      'config',
      'view',
      '--raw',
      '--flatten',
      `--kubeconfig=${await cp.serviceAccountKubeconfig('gluster-operator', 'gluster-operator')}`,
    ]);
    expect(flattened.exitCode, flattened.stderr).to.equal(0);
    kubeconfigPath = path.join(scratch, 'kubeconfig');
    writeFileSync(kubeconfigPath, flattened.stdout, { mode: 0o644 });
    const admin = loadKubeConfig(cp.kubeconfigPath);
    const namespace = await createTestNamespace(admin, 'tree');
    harness = await createOperatorHarness({
      kubeConfig: admin,
      namespace,
      pool: pool().pool,
      resolver: pool().resolver,
    });
  });
  after(() => {
    child?.kill('SIGKILL');
    if (tree) rmSync(tree, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('is what the Dockerfile builds and copies, from a context .dockerignore lets through', () => {
    const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const ignore = readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0], 'everything is left out but what is named').to.equal('*');
    const allowed = new Set(
      ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, '')),
    );
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((match) =>
      match[1]!
        .trim()
        .split(/\s+/)
        .slice(0, -1)
        .map((source) => source.replace(/\/$/, '')),
    );
    expect(copied.sort()).to.deep.equal([...allowed].sort());
    expect(dockerfile).to.match(
      /^RUN (?:.*\\\n)*\s*(?:GLUSTER_OPERATOR_REVISION="\$\{REVISION\}" )?scripts\/runtime-tree \/app$/m,
    );
    expect(dockerfile).to.match(/^COPY --from=build \/app \/app$/m);
    expect(dockerfile).to.match(/^WORKDIR \/app$/m);
    expect(dockerfile).to.match(/^USER 65532:65532$/m);
    expect(dockerfile).to.match(
      /^ENTRYPOINT \["\/nodejs\/bin\/node", "--enable-source-maps", "dist\/main\.js"\]$/m,
    );
  });

  it('holds package.json, the lock file, dist/, production dependencies and the revision, nothing else', () => {
    expect(readdirSync(tree).sort()).to.deep.equal([
      'dist',
      'node_modules',
      'package-lock.json',
      'package.json',
      'revision',
    ]);
    const modules = readdirSync(path.join(tree, 'node_modules'));
    expect(modules).to.include.members(['@kubernetes', 'ssh2', 'winston', 'fast-xml-parser']);
    for (const devOnly of ['typescript', 'tsx', 'mocha', 'chai', 'eslint', 'node']) {
      expect(modules, devOnly).not.to.include(devOnly);
    }
    const files = readdirSync(path.join(tree, 'dist'), { recursive: true }).map(String);
    expect(files).to.include('main.js');
    expect(files.filter((file) => file.endsWith('.d.ts'))).to.deep.equal([]);
  });

  it('starts from it read-only as 65532, forms a pool to Ready, serves its probes, and stops on SIGTERM with 0', async () => {
    const { memoryLimitMiB, env: deployedEnv } = deployedContainer();
    // The Deployment's port is 8080; here any free one, as other processes may hold 8080.
    const [httpPort, eventsPort] = await findFreePorts(2);
    const http = async (urlPath: string, token?: string): Promise<number> =>
      (
        await fetch(`http://127.0.0.1:${String(httpPort)}${urlPath}`, {
          ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
        })
      ).status;
    child = spawnReadOnly(tree, {
      // The Deployment's own settings (NODE_OPTIONS among them), then this test's.
      ...deployedEnv,
      NODE_ENV: 'production',
      KUBECONFIG: kubeconfigPath,
      WATCH_NAMESPACE: harness.namespace,
      PROGRESS_REQUEUE_MS: '500',
      POD_NAME: 'gluster-operator-test',
      POD_NAMESPACE: 'gluster-operator',
      // A documentation address (RFC 5737): recorded in the events EndpointSlice, never reached.
      POD_IP: '192.0.2.1',
      LEADER_ELECTION_LEASE_NAME: `leader-${harness.namespace}`,
      HTTP_PORT: String(httpPort),
      EVENTS_HOST: '127.0.0.1',
      EVENTS_PORT: String(eventsPort),
    });
    const running = child;
    const pid = running.pid;
    if (pid === undefined) throw new Error('the operator did not start');
    let stdout = '';
    let stderr = '';
    running.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    running.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('"message":"Started gluster-operator"')) {
      if (running.exitCode !== null || Date.now() > deadline)
        throw new Error(`not started (exit ${String(running.exitCode)}):\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const nodes = [0, 1, 2].map((index) => pool().node(index));
    await harness.apply('pool', {
      nodes: nodes.map((node) => ({ address: node.ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
      resyncInterval: '10s',
    });
    await harness.waitFor('pool', 'be Ready with 3 members', (cluster) => isReadyAt(cluster, 3));
    const snapshot = await poolSnapshot(pool().pool, nodes);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([3, 3, 3]);
    // The Deployment's probes and its metrics annotation.
    expect(await http('/healthz')).to.equal(200);
    expect(await http('/readyz')).to.equal(200);
    // The Deployment protects /metrics (HTTP_AUTH=kubernetes): a token of a metrics reader only.
    expect(deployedEnv['HTTP_AUTH']).to.equal('kubernetes');
    expect(await http('/metrics')).to.equal(401);
    expect(await http('/metrics', await metricsReaderToken(cp))).to.equal(200);
    const memory = memoryOf(pid);
    process.stderr.write(
      `      operator from the runtime tree: RSS ${String(memory.rssMiB)} MiB, peak ${String(memory.peakMiB)} MiB (limit ${String(memoryLimitMiB)} Mi)\n`,
    );
    expect(memory.peakMiB).to.be.below(memoryLimitMiB / 2);

    running.kill('SIGTERM');
    await exited(running);
    expect(running.exitCode, `${stdout}\n${stderr}`).to.equal(0);
    expect(stdout).to.contain('"message":"Stopped gluster-operator"');
    // Nothing tried to write (EROFS) or went where 65532 may not (EACCES), and nothing failed.
    expect(`${stdout}\n${stderr}`).not.to.match(/EROFS|EACCES|read-only file system/i);
    expect(stdout.split('\n').filter((line) => line.includes('"level":"error"'))).to.deep.equal([]);
  });
});
