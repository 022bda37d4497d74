import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GlusterCluster } from '../src/api/gluster-cluster.js';
import type { GlusterVolume } from '../src/api/gluster-volume.js';
import { isProcessAlive } from '../testbed/process-identity.js';
import {
  getSandboxCluster,
  getSandboxVolume,
  isClusterReady,
  isVolumeReady,
  renderClusterView,
  summarizeCluster,
  summarizeVolume,
} from './cluster-view.js';
import type { Reporter } from './console-reporter.js';
import { describeError } from './describe-error.js';
import { sandboxDown } from './down.js';
import { renderInstructions } from './instructions.js';
import { sandboxKubectl, type Kubectl } from './kubectl.js';
import { liveSandboxPool, removeLeftovers } from './leftovers.js';
import { logTail } from './operator-process.js';
import { ProgressFollower } from './progress-log.js';
import { REPO_ROOT, SANDBOX, sandboxCommand, type SandboxPaths } from './sandbox-layout.js';
import { sandboxClusterManifest, sandboxVolumeManifest } from './sandbox-manifest.js';
import { readSandboxState, type SandboxState } from './sandbox-state.js';
import { SandboxError } from './sandbox-error.js';
import { renderReadySandbox } from './status.js';

/** Pool and control plane start in parallel (about 5 s); the limit is for a very busy machine. */
const SUPERVISOR_READY_TIMEOUT_MS = 5 * 60_000;
/** Three lone nodes → Ready took about 3 s in bench:apply-to-ready. */
const CONVERGE_TIMEOUT_MS = 3 * 60_000;
/** Create → Started and Ready took about 6 s (under load) in bench:volume-started. */
const VOLUME_READY_TIMEOUT_MS = 3 * 60_000;
const POLL_MS = 250;

/**
 * `up`: start the supervisor (detached: it outlives this command), show its steps as they
 * happen, apply the GlusterCluster, show it converge, then its replica 3 GlusterVolume until it
 * is Started and Ready, and print what to try. Already up: say so and print the same again. Any failure: the error, the log, and everything torn down again.
 */
export async function sandboxUp(paths: SandboxPaths, reporter: Reporter): Promise<number> {
  const existing = readSandboxState(paths);
  if (existing !== undefined && isProcessAlive(existing.supervisor)) {
    if (existing.phase === 'ready') {
      reporter.print(
        `The sandbox is already up; nothing to start. (\`${sandboxCommand()} down\` removes it.)\n`,
      );
      reporter.print(await renderReadySandbox(paths, existing));
      return 0;
    }
    throw new SandboxError(
      `A sandbox is ${existing.phase} (supervisor pid ${String(existing.supervisor.pid)}); wait for it, or \`${sandboxCommand()} down\`. Its log: ${paths.supervisorLog}`,
    );
  }
  const foreignPool = liveSandboxPool();
  if (foreignPool !== undefined) {
    throw new SandboxError(
      foreignPool.ownerPid === null
        ? `A testbed pool named ${SANDBOX.poolName} was started by hand (testbed/cli.ts up); remove it with \`npx tsx testbed/cli.ts down --name ${SANDBOX.poolName}\``
        : `The testbed pool ${SANDBOX.poolName} belongs to process ${String(foreignPool.ownerPid)}, which still runs`,
    );
  }
  const removed = await removeLeftovers(paths, existing);
  if (removed.length > 0)
    reporter.step(`Removed what an earlier sandbox left: ${removed.join(', ')}`);

  // Ctrl-C here must not leave a half-started sandbox (the supervisor has its own session, so the
  // terminal's SIGINT does not reach it).
  const interrupt = new AbortController();
  const onInterrupt = (): void => {
    interrupt.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onInterrupt);
  const checkInterrupted = (): void => {
    if (interrupt.signal.aborted) throw new SandboxError('Interrupted');
  };
  try {
    const supervisor = spawnSupervisor(paths);
    reporter.step(
      `Started the sandbox supervisor (pid ${String(supervisor.pid)}, log ${paths.supervisorLog})`,
    );
    const state = await followSupervisor(paths, reporter, supervisor, checkInterrupted);
    const kubectl = sandboxKubectl(state.kubectl ?? 'kubectl', paths);
    await applyCluster(paths, kubectl, state, reporter);
    await waitForConvergence(kubectl, reporter, checkInterrupted);
    await applyVolume(paths, kubectl, reporter);
    await waitForVolume(kubectl, reporter, checkInterrupted);
    reporter.print('');
    reporter.print(await renderClusterView(kubectl));
    reporter.print('');
    reporter.print(
      renderInstructions({
        paths,
        nodes: state.nodes ?? [],
        httpPort: state.operator?.httpPort,
        command: sandboxCommand(),
      }),
    );
    return 0;
  } catch (err) {
    reporter.step(`Failed: ${describeError(err)}`);
    reporter.step(`Logs: ${paths.supervisorLog}, ${paths.operatorLog}`);
    reporter.step('Tearing the sandbox down again');
    await sandboxDown(paths, reporter);
    return interrupt.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    process.off('SIGHUP', onInterrupt);
  }
}

function spawnSupervisor(paths: SandboxPaths): ChildProcess {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // The previous run's logs stay one generation, for a look at what went wrong there.
  for (const log of [paths.supervisorLog, paths.operatorLog]) {
    if (existsSync(log)) renameSync(log, `${log}.1`);
  }
  writeFileSync(paths.progressFile, '', { mode: 0o600 });
  const logFd = openSync(paths.supervisorLog, 'a', 0o600);
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'sandbox', 'supervisor-main.ts')],
      {
        cwd: REPO_ROOT,
        // A session of its own: it outlives this command and the terminal.
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, GLUSTER_SANDBOX_DIR: paths.dir },
      },
    );
    if (child.pid === undefined) throw new SandboxError(`Could not start ${process.execPath}`);
    child.unref();
    return child;
  } finally {
    closeSync(logFd);
  }
}

/** Shows the supervisor's steps until it is ready; its failure is this command's. */
async function followSupervisor(
  paths: SandboxPaths,
  reporter: Reporter,
  supervisor: ChildProcess,
  checkInterrupted: () => void,
): Promise<SandboxState> {
  let exit: string | undefined;
  supervisor.once('exit', (code, signal) => {
    exit = signal === null ? `exited with ${String(code)}` : `was killed by ${signal}`;
  });
  const follower = new ProgressFollower(paths.progressFile);
  const deadline = Date.now() + SUPERVISOR_READY_TIMEOUT_MS;
  for (;;) {
    for (const entry of follower.readNew()) reporter.step(entry.message);
    const state = readSandboxState(paths);
    // The state file may still be the one of an earlier run until the new supervisor writes it.
    const ours = state?.supervisor.pid === supervisor.pid ? state : undefined;
    if (ours?.phase === 'ready') {
      // Lines written between the read above and the state: shown before returning.
      for (const entry of follower.readNew()) reporter.step(entry.message);
      return ours;
    }
    if (ours?.phase === 'failed') {
      await waitForExit(supervisor, () => exit !== undefined);
      throw new SandboxError(`The sandbox could not start: ${ours.error ?? 'no reason given'}`);
    }
    if (exit !== undefined) {
      throw new SandboxError(
        `The sandbox supervisor ${exit} while starting; the end of ${paths.supervisorLog}:\n${logTail(paths.supervisorLog)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new SandboxError(
        `The sandbox was not up after ${String(SUPERVISOR_READY_TIMEOUT_MS / 1000)} s; the end of ${paths.supervisorLog}:\n${logTail(paths.supervisorLog)}`,
      );
    }
    checkInterrupted();
    await sleep(100);
  }
}

async function applyCluster(
  paths: SandboxPaths,
  kubectl: Kubectl,
  state: SandboxState,
  reporter: Reporter,
): Promise<void> {
  const nodes = state.nodes ?? [];
  const file = paths.clusterManifest;
  writeFileSync(file, sandboxClusterManifest(nodes), { mode: 0o600 });
  await kubectl.runOrThrow(['apply', '-f', file]);
  const declared = nodes.slice(0, SANDBOX.declaredNodeCount);
  reporter.step(
    `Applied GlusterCluster ${SANDBOX.clusterName} in namespace ${SANDBOX.namespace} (${declared.map((n) => `${n.name} ${n.ipv4}`).join(', ')}) from ${file}`,
  );
}

async function applyVolume(
  paths: SandboxPaths,
  kubectl: Kubectl,
  reporter: Reporter,
): Promise<void> {
  const file = paths.volumeManifest;
  writeFileSync(file, sandboxVolumeManifest(), { mode: 0o600 });
  await kubectl.runOrThrow(['apply', '-f', file]);
  reporter.step(
    `Applied GlusterVolume ${SANDBOX.volumeName} (replica 3 over the ${String(SANDBOX.declaredNodeCount)} nodes, bricks at ${SANDBOX.volumeBrickTemplate}) from ${file}`,
  );
}

/** Polls the volume and its events, printing each change, until Started, 3/3 online and Ready. */
async function waitForVolume(
  kubectl: Kubectl,
  reporter: Reporter,
  checkInterrupted: () => void,
): Promise<void> {
  const startedMs = reporter.elapsedMs();
  const deadline = Date.now() + VOLUME_READY_TIMEOUT_MS;
  const seenEvents = new Set<string>();
  let lastSummary = '';
  let volume: GlusterVolume | undefined;
  for (;;) {
    checkInterrupted();
    for (const event of await newEvents(kubectl, seenEvents, SANDBOX.volumeName)) {
      reporter.step(`  event ${event}`);
    }
    volume = await getSandboxVolume(kubectl);
    if (volume !== undefined) {
      const summary = summarizeVolume(volume);
      if (summary !== lastSummary) {
        reporter.step(`GlusterVolume ${SANDBOX.volumeName}: ${summary}`);
        lastSummary = summary;
      }
      if (isVolumeReady(volume, SANDBOX.declaredNodeCount)) {
        const seconds = (reporter.elapsedMs() - startedMs) / 1000;
        reporter.step(
          `Volume ${SANDBOX.volumeName} Started and Ready in ${seconds.toFixed(1)} s: ${String(SANDBOX.declaredNodeCount)}/${String(SANDBOX.declaredNodeCount)} bricks online`,
        );
        return;
      }
    }
    if (Date.now() > deadline) {
      throw new SandboxError(
        `GlusterVolume ${SANDBOX.volumeName} was not Ready after ${String(VOLUME_READY_TIMEOUT_MS / 1000)} s; last status: ${JSON.stringify(volume?.status ?? null, null, 2)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** Polls the resource and its events, printing each change, until Ready with every node. */
async function waitForConvergence(
  kubectl: Kubectl,
  reporter: Reporter,
  checkInterrupted: () => void,
): Promise<void> {
  const startedMs = reporter.elapsedMs();
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  const seenEvents = new Set<string>();
  let lastSummary = '';
  let cluster: GlusterCluster | undefined;
  for (;;) {
    checkInterrupted();
    for (const event of await newEvents(kubectl, seenEvents, SANDBOX.clusterName)) {
      reporter.step(`  event ${event}`);
    }
    cluster = await getSandboxCluster(kubectl);
    if (cluster !== undefined) {
      const summary = summarizeCluster(cluster);
      if (summary !== lastSummary) {
        reporter.step(`GlusterCluster ${SANDBOX.clusterName}: ${summary}`);
        lastSummary = summary;
      }
      if (isClusterReady(cluster, SANDBOX.declaredNodeCount)) {
        const seconds = (reporter.elapsedMs() - startedMs) / 1000;
        reporter.step(
          `Converged in ${seconds.toFixed(1)} s: ${String(SANDBOX.declaredNodeCount)} members, every member sees every other connected`,
        );
        return;
      }
    }
    if (Date.now() > deadline) {
      throw new SandboxError(
        `GlusterCluster ${SANDBOX.clusterName} was not Ready after ${String(CONVERGE_TIMEOUT_MS / 1000)} s; last status: ${JSON.stringify(cluster?.status ?? null, null, 2)}`,
      );
    }
    await sleep(POLL_MS);
  }
}

interface EventList {
  items: { metadata: { uid: string }; reason?: string; message?: string; type?: string }[];
}

async function newEvents(
  kubectl: Kubectl,
  seen: Set<string>,
  objectName: string,
): Promise<string[]> {
  const result = await kubectl.run([
    'get',
    'events',
    `--field-selector=involvedObject.name=${objectName}`,
    '--sort-by=.metadata.creationTimestamp',
    '-o',
    'json',
  ]);
  if (result.exitCode !== 0) return [];
  const fresh: string[] = [];
  for (const event of (JSON.parse(result.stdout) as EventList).items) {
    if (seen.has(event.metadata.uid)) continue;
    seen.add(event.metadata.uid);
    fresh.push(`${event.type ?? 'Normal'} ${event.reason ?? ''}: ${event.message ?? ''}`);
  }
  return fresh;
}

async function waitForExit(child: ChildProcess, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!hasExited() && child.exitCode === null && Date.now() < deadline) await sleep(100);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
