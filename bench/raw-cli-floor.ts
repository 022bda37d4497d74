import { parsePeerRows, runGluster } from '../testbed/gluster-commands.js';
import type { GlusterTestPool, TestNode } from '../testbed/gluster-test-pool.js';

/** The floor: probes with the CLI inside n1, then polls every node until all see a full mesh. */
export async function formWithRawCli(pool: GlusterTestPool): Promise<number> {
  const [first, ...others] = pool.nodes as [TestNode, ...TestNode[]];
  const started = performance.now();
  for (const node of others) {
    const result = await runGluster(pool, first, ['peer', 'probe', node.ipv4]);
    if (!result.stdout.includes('<opRet>0</opRet>'))
      throw new Error(`probe failed: ${result.stdout}`);
  }
  for (;;) {
    const views = await Promise.all(
      pool.nodes.map(async (node) =>
        parsePeerRows(await runGluster(pool, node, ['peer', 'status'])),
      ),
    );
    const healthy = views.every(
      (rows) => rows.filter((row) => row.connected && row.state === 3).length === others.length,
    );
    if (healthy) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Back to lone nodes, with the CLI directly (not measured). */
export async function dissolve(pool: GlusterTestPool): Promise<void> {
  const [first, ...others] = pool.nodes as [TestNode, ...TestNode[]];
  for (const node of others) await runGluster(pool, first, ['peer', 'detach', node.ipv4]);
  for (const node of pool.nodes) {
    const rows = parsePeerRows(await runGluster(pool, node, ['peer', 'status']));
    if (rows.length > 0) throw new Error(`${node.name} still has peers after dissolving`);
  }
}
