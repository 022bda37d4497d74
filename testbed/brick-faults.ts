import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseOpResult } from './gluster-commands.js';
import { execInNode, isInNode, type NodeRuntime } from './node-daemons.js';
import { nodeFiles } from './pool-files.js';
import { isPidGone, isPidReaped } from './process-identity.js';
import { TestbedError } from './testbed-error.js';
import { validateBrickPath, validateVolumeName } from './volume-names.js';

/**
 * SIGKILLs the brick process (glusterfsd) that serves `brickPath` of `volume` on the node, as a
 * crash or the OOM killer would, and waits until it is gone and reaped. glusterd notices, marks the brick
 * offline and does not restart it by itself.
 *
 * The process is found through the pid file glusterd keeps for each brick under the node's
 * /run/gluster/vols/<volume>/, and only signalled if it runs in the node's network namespace with
 * `--brick-name <brickPath>` on its command line: PIDs are shared with the host, so a name match
 * would find other nodes' bricks too. With brick multiplexing on (off by default) one process
 * serves several bricks, and they all go.
 */
export async function killBrick(rt: NodeRuntime, volume: string, brickPath: string): Promise<void> {
  validateVolumeName(volume);
  validateBrickPath(brickPath);
  const pid = await brickPid(rt, volume, brickPath);
  if (pid === undefined) {
    throw new TestbedError(
      `No brick process of volume ${volume} serves ${rt.node.hostname}:${brickPath}`,
    );
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Exited by itself in the meantime.
  }
  // Until it is reaped, not merely dead: glusterd counts a zombie as a running brick, and
  // `volume start force` would skip it ("discovered already-running brick"). Bricks are
  // daemons, reaped by PID 1, which may take a second or more.
  const deadline = Date.now() + 30_000;
  while (!isPidReaped(pid)) {
    if (Date.now() > deadline) {
      throw new TestbedError(
        isPidGone(pid)
          ? `Brick process ${pid} on ${rt.node.hostname} died but nothing reaped it within 30 s`
          : `Brick process ${pid} on ${rt.node.hostname} survived SIGKILL`,
      );
    }
    await delay(20);
  }
}

/**
 * `gluster volume start <volume> force` on the node: glusterd starts every brick of the volume
 * that is not running, on every node whose glusterd it reaches, and leaves running ones alone.
 * Resolves when glusterd has accepted the command; a brick is online once it has signed in with
 * glusterd, shortly after (poll `volume status`).
 */
export async function startBricks(rt: NodeRuntime, volume: string): Promise<void> {
  validateVolumeName(volume);
  const r = await execInNode(
    rt,
    ['gluster', '--mode=script', '--xml', 'volume', 'start', volume, 'force'],
    { timeoutMs: 120_000 },
  );
  // gluster reports failures in the XML, with exit code 0 as often as not.
  const result = parseOpResult(r);
  if (result.opRet !== 0) {
    throw new TestbedError(
      `gluster volume start ${volume} force on ${rt.node.hostname} failed: ${result.opErrstr}`,
      { cause: result },
    );
  }
}

/** The running brick process of that volume and path on the node, if any. */
async function brickPid(
  rt: NodeRuntime,
  volume: string,
  brickPath: string,
): Promise<number | undefined> {
  const dir = join(nodeFiles(rt.poolName, rt.node.name).run, 'gluster', 'vols', volume);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.pid'));
  } catch {
    return undefined;
  }
  for (const name of names) {
    let pid: number;
    try {
      pid = Number((await readFile(join(dir, name), 'utf8')).trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 0 || isPidGone(pid)) continue;
    if ((await servesBrick(pid, brickPath)) && (await isInNode(rt, pid))) return pid;
  }
  return undefined;
}

async function servesBrick(pid: number, brickPath: string): Promise<boolean> {
  let argv: string[];
  try {
    argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return false;
  }
  const at = argv.indexOf('--brick-name');
  return at >= 0 && argv[at + 1] === brickPath;
}
