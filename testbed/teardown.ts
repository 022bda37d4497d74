import {
  BRIDGE_PREFIX,
  layoutPool,
  NETNS_PREFIX,
  VETH_PREFIX,
  type PoolLayout,
} from './pool-layout.js';
import { removePoolDir, type PoolState } from './pool-state.js';
import { isPidGone, isProcessAlive, sleepSync } from './process-identity.js';
import { runCommandSync } from './run-command.js';
import { TestbedError } from './testbed-error.js';

/**
 * Removes everything of a pool: its processes, namespaces, links and directory. Synchronous so
 * that it also runs from 'exit' and signal handlers; it goes on past individual failures and
 * throws at the end if anything is left.
 *
 * Mounts need no unmounting: they live only in each node's private mount namespace, which goes
 * away with its last process. So do the nft rules of a node's network namespace.
 */
export function teardownPool(state: PoolState): void {
  const layout = layoutPool(state.name, state.index, state.nodeCount);
  const problems: string[] = [];

  killNamespaceProcesses(
    layout.nodes.map((n) => n.netns),
    state.holders.flatMap((h) => (h !== null && isProcessAlive(h) ? [h.pid] : [])),
    problems,
  );
  // Links first: deleting a veth is synchronous, while a deleted namespace takes its end of the
  // pair down only later, from a kernel work queue.
  for (const node of layout.nodes) deleteLink(node.hostVeth, problems);
  for (const node of layout.nodes) deleteNetns(node.netns, problems);
  deleteLink(layout.bridge, problems);
  removePoolDir(state.name);

  const left = leftovers(layout);
  if (left.length > 0 || problems.length > 0) {
    throw new TestbedError(
      `Teardown of pool ${state.name} incomplete: ${[...problems, ...left.map((l) => `${l} still exists`)].join('; ')}`,
    );
  }
}

/** What of the pool is still visible in `ip netns list` and `ip link`. */
export function leftovers(layout: PoolLayout): string[] {
  const netns = new Set(listNetns());
  const links = new Set(listLinks());
  return [
    ...layout.nodes.filter((n) => netns.has(n.netns)).map((n) => `netns ${n.netns}`),
    ...layout.nodes.filter((n) => links.has(n.hostVeth)).map((n) => `link ${n.hostVeth}`),
    ...(links.has(layout.bridge) ? [`link ${layout.bridge}`] : []),
  ];
}

/**
 * Removes namespaces and links that look like the testbed's but belong to no known pool: the
 * remains of a run whose state directory was deleted by hand. Call only under the state lock,
 * with every pool that has a state file.
 */
export function sweepOrphans(known: readonly PoolLayout[]): void {
  const knownNetns = new Set(known.flatMap((l) => l.nodes.map((n) => n.netns)));
  const knownLinks = new Set(known.flatMap((l) => [l.bridge, ...l.nodes.map((n) => n.hostVeth)]));
  const problems: string[] = [];
  const orphanNetns = listNetns().filter((n) => n.startsWith(NETNS_PREFIX) && !knownNetns.has(n));
  killNamespaceProcesses(orphanNetns, [], problems);
  for (const ns of orphanNetns) deleteNetns(ns, problems);
  const ours = new RegExp(`^(?:${BRIDGE_PREFIX}\\d+|${VETH_PREFIX}\\d+n\\d+)$`);
  for (const link of listLinks()) {
    if (ours.test(link) && !knownLinks.has(link)) deleteLink(link, problems);
  }
  if (problems.length > 0) {
    throw new TestbedError(`Could not remove orphaned testbed resources: ${problems.join('; ')}`);
  }
}

export function listNetns(): string[] {
  const r = runCommandSync(['ip', '-j', 'netns', 'list']);
  if (r.exitCode !== 0) throw new TestbedError(`ip netns list failed: ${r.stderr.trim()}`);
  // An empty list prints nothing at all rather than [].
  if (r.stdout.trim() === '') return [];
  return (JSON.parse(r.stdout) as { name: string }[]).map((e) => e.name);
}

export function listLinks(): string[] {
  const r = runCommandSync(['ip', '-j', 'link', 'show']);
  if (r.exitCode !== 0) throw new TestbedError(`ip link show failed: ${r.stderr.trim()}`);
  return (JSON.parse(r.stdout) as { ifname: string }[]).map((e) => e.ifname);
}

export function netnsPids(netns: string): number[] {
  const r = runCommandSync(['ip', 'netns', 'pids', netns]);
  // A namespace that does not exist has no processes.
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/**
 * SIGKILLs everything in the namespaces, repeatedly: a daemon can fork between listing and
 * killing. SIGKILL because the pool's files are about to be deleted anyway.
 */
function killNamespaceProcesses(
  netnsNames: readonly string[],
  extraPids: readonly number[],
  problems: string[],
): void {
  let pids = [...extraPids];
  for (let round = 0; round < 5; round++) {
    pids = [...new Set([...pids, ...netnsNames.flatMap(netnsPids)])];
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + 5_000;
    while (pids.some((p) => !isPidGone(p)) && Date.now() < deadline) sleepSync(20);
    pids = pids.filter((p) => !isPidGone(p));
  }
  if (pids.length > 0) problems.push(`processes ${pids.join(', ')} survived SIGKILL`);
}

function deleteNetns(netns: string, problems: string[]): void {
  if (!listNetns().includes(netns)) return;
  const r = runCommandSync(['ip', 'netns', 'delete', netns]);
  if (r.exitCode !== 0) problems.push(`ip netns delete ${netns}: ${r.stderr.trim()}`);
}

function deleteLink(link: string, problems: string[]): void {
  if (!listLinks().includes(link)) return;
  const r = runCommandSync(['ip', 'link', 'delete', link]);
  // Deleting a namespace deletes its veth end, and with it the pair: a race, not a problem.
  if (r.exitCode !== 0 && listLinks().includes(link)) {
    problems.push(`ip link delete ${link}: ${r.stderr.trim()}`);
  }
}
