import type { GlusterTestPool, TestNode } from '../../testbed/gluster-test-pool.js';
import { parsePeerRows, runGluster } from '../../testbed/gluster-commands.js';

/**
 * Ground truth for assertions, read inside the node without SSH and parsed by the testbed's own
 * small parser, not by the code under test: each node's pool as host name sets.
 */
export async function poolSnapshot(
  pool: GlusterTestPool,
  nodes: readonly TestNode[],
): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    nodes.map(async (node) => {
      const rows = parsePeerRows(await runGluster(pool, node, ['pool', 'list']));
      const names = rows.map((row) =>
        row.hostname === 'localhost' ? node.hostname : row.hostname,
      );
      return [node.name, names.sort()] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** Creates a volume with one brick on each given node (not started: glusterd checks definitions). */
export async function createVolume(
  pool: GlusterTestPool,
  on: TestNode,
  name: string,
  brickNodes: readonly TestNode[],
): Promise<void> {
  const bricks = brickNodes.map((node) => `${node.hostname}:/bricks/${name}`);
  const result = await runGluster(pool, on, ['volume', 'create', name, ...bricks, 'force']);
  if (!result.stdout.includes('<opRet>0</opRet>')) {
    throw new Error(`volume create ${name} failed: ${result.stdout}${result.stderr}`);
  }
}

export async function deleteVolume(
  pool: GlusterTestPool,
  on: TestNode,
  name: string,
): Promise<void> {
  const result = await runGluster(pool, on, ['volume', 'delete', name]);
  if (!result.stdout.includes('<opRet>0</opRet>')) {
    throw new Error(`volume delete ${name} failed: ${result.stdout}${result.stderr}`);
  }
}
