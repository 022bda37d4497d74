/**
 * Measures bring-up and teardown time and memory per node: `tsx testbed/measure-pool.ts 3 8`.
 * Memory is the proportional set size (PSS) of every process in a node's network namespace, so
 * pages shared between nodes (the glusterd binary and libraries) are split between them.
 */
import { readFile } from 'node:fs/promises';
import { startGlusterTestPool } from './gluster-test-pool.js';
import { runCommand } from './run-command.js';

async function pssKiB(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function rssKiB(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function nodeMemory(netns: string): Promise<{ pssKiB: number; rssKiB: number }> {
  const r = await runCommand(['ip', 'netns', 'pids', netns]);
  const pids = r.stdout.split('\n').filter(Boolean).map(Number);
  const pss = await Promise.all(pids.map(pssKiB));
  const rss = await Promise.all(pids.map(rssKiB));
  return { pssKiB: pss.reduce((a, b) => a + b, 0), rssKiB: rss.reduce((a, b) => a + b, 0) };
}

const counts = process.argv.slice(2).map(Number);
for (const nodeCount of counts.length > 0 ? counts : [3, 8]) {
  const t0 = performance.now();
  const pool = await startGlusterTestPool({ name: `measure${nodeCount}`, nodeCount });
  const upMs = performance.now() - t0;
  const mem = await Promise.all(pool.nodes.map((n) => nodeMemory(n.netns)));
  const t1 = performance.now();
  await pool.destroy();
  const downMs = performance.now() - t1;
  const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length / 1024;
  process.stdout.write(
    `${nodeCount} nodes: up ${(upMs / 1000).toFixed(2)} s, down ${(downMs / 1000).toFixed(2)} s, ` +
      `per node PSS ${avg(mem.map((m) => m.pssKiB)).toFixed(1)} MiB, RSS ${avg(mem.map((m) => m.rssKiB)).toFixed(1)} MiB\n`,
  );
}
