import { rmSync } from 'node:fs';
import { detachLoopDevice, loopDevicesUnder } from './brick-filesystem.js';
import { clientFiles } from './pool-files.js';
import {
  BRIDGE_PREFIX,
  CLIENT_NETNS_PREFIX,
  clientNetnsPattern,
  clientVethPattern,
  layoutPool,
  NETNS_PREFIX,
  VETH_PREFIX,
  type ClientLayout,
  type PoolLayout,
} from './pool-layout.js';
import { poolDir, removePoolDir, STATE_ROOT, type PoolState } from './pool-state.js';
import { isPidGone, isProcessAlive, sleepSync } from './process-identity.js';
import { runCommandSync } from './run-command.js';
import { TestbedError } from './testbed-error.js';

/**
 * Removes everything of a pool: its processes, its clients, namespaces, links, loop devices and
 * directory. Synchronous so that it also runs from 'exit' and signal handlers; it goes on past
 * individual failures and throws at the end if anything is left.
 *
 * Mounts need no unmounting: they live only in each node's and client's private mount namespace,
 * which goes away with its last process, and with the brick filesystem the loop device under it
 * (autoclear). So do the nft rules of a node's network namespace. Clients are found by name
 * (`gopc-<pool>-c<j>`, `gopv<k>c<j>`), so one whose start was interrupted goes too.
 */
export function teardownPool(state: PoolState): void {
  const layout = layoutPool(state.name, state.index, state.nodeCount);
  const problems: string[] = [];
  const clientNetns = listNetns().filter((n) => clientNetnsPattern(layout.name).test(n));

  killNamespaceProcesses(
    [...layout.nodes.map((n) => n.netns), ...clientNetns],
    state.holders.flatMap((h) => (h !== null && isProcessAlive(h) ? [h.pid] : [])),
    problems,
  );
  releaseLoopDevices(poolDir(layout.name), problems);
  // Links first: deleting a veth is synchronous, while a deleted namespace takes its end of the
  // pair down only later, from a kernel work queue.
  const clientVeths = listLinks().filter((l) => clientVethPattern(layout.index).test(l));
  for (const link of [...layout.nodes.map((n) => n.hostVeth), ...clientVeths]) {
    deleteLink(link, problems);
  }
  for (const ns of [...layout.nodes.map((n) => n.netns), ...clientNetns]) deleteNetns(ns, problems);
  deleteLink(layout.bridge, problems);
  removePoolDir(state.name);

  const left = leftovers(layout);
  if (left.length > 0 || problems.length > 0) {
    throw new TestbedError(
      `Teardown of pool ${state.name} incomplete: ${[...problems, ...left.map((l) => `${l} still exists`)].join('; ')}`,
    );
  }
}

/** Removes one client of a pool: its processes (the FUSE mounts' too), veth, namespace, files. */
export function teardownClient(poolName: string, client: ClientLayout): void {
  const problems: string[] = [];
  killNamespaceProcesses([client.netns], [], problems);
  deleteLink(client.hostVeth, problems);
  deleteNetns(client.netns, problems);
  rmSync(clientFiles(poolName, client.name).dir, { recursive: true, force: true });
  const left = [
    ...(listNetns().includes(client.netns) ? [`netns ${client.netns}`] : []),
    ...(listLinks().includes(client.hostVeth) ? [`link ${client.hostVeth}`] : []),
  ];
  if (left.length > 0 || problems.length > 0) {
    throw new TestbedError(
      `Teardown of client ${client.hostname} incomplete: ${[...problems, ...left.map((l) => `${l} still exists`)].join('; ')}`,
    );
  }
}

/**
 * What of the pool is still visible in `ip netns list`, `ip link` and `losetup --list`: node and
 * client namespaces and veths, the bridge, loop devices of the pool's brick images.
 */
export function leftovers(layout: PoolLayout): string[] {
  const netns = listNetns();
  const links = listLinks();
  const netnsSet = new Set(netns);
  const linkSet = new Set(links);
  return [
    ...layout.nodes.filter((n) => netnsSet.has(n.netns)).map((n) => `netns ${n.netns}`),
    ...netns.filter((n) => clientNetnsPattern(layout.name).test(n)).map((n) => `netns ${n}`),
    ...layout.nodes.filter((n) => linkSet.has(n.hostVeth)).map((n) => `link ${n.hostVeth}`),
    ...links.filter((l) => clientVethPattern(layout.index).test(l)).map((l) => `link ${l}`),
    ...(linkSet.has(layout.bridge) ? [`link ${layout.bridge}`] : []),
    ...loopDevicesUnder(poolDir(layout.name)).map((d) => `loop ${d.device} (${d.backingFile})`),
  ];
}

/**
 * Removes namespaces, links and loop devices that look like the testbed's but belong to no known
 * pool: the remains of a run whose state directory was deleted by hand. Call only under the state
 * lock, with every pool that has a state file.
 */
export function sweepOrphans(known: readonly PoolLayout[]): void {
  const knownNetns = new Set(known.flatMap((l) => l.nodes.map((n) => n.netns)));
  const knownLinks = new Set(known.flatMap((l) => [l.bridge, ...l.nodes.map((n) => n.hostVeth)]));
  const isKnownClientNetns = (ns: string): boolean =>
    known.some((l) => clientNetnsPattern(l.name).test(ns));
  const isKnownClientVeth = (link: string): boolean =>
    known.some((l) => clientVethPattern(l.index).test(link));
  const problems: string[] = [];
  const orphanNetns = listNetns().filter(
    (n) =>
      (n.startsWith(NETNS_PREFIX) && !knownNetns.has(n)) ||
      (n.startsWith(CLIENT_NETNS_PREFIX) && !isKnownClientNetns(n)),
  );
  killNamespaceProcesses(orphanNetns, [], problems);
  for (const ns of orphanNetns) deleteNetns(ns, problems);
  const ours = new RegExp(`^(?:${BRIDGE_PREFIX}\\d+|${VETH_PREFIX}\\d+[nc]\\d+)$`);
  for (const link of listLinks()) {
    if (ours.test(link) && !knownLinks.has(link) && !isKnownClientVeth(link)) {
      deleteLink(link, problems);
    }
  }
  // A loop device outlives its namespace only if something else still holds the filesystem;
  // detaching then just marks it for autoclear, so what stays is not reported here.
  const knownDirs = known.map((l) => `${poolDir(l.name)}/`);
  for (const loop of loopDevicesUnder(STATE_ROOT)) {
    if (!knownDirs.some((d) => loop.backingFile.startsWith(d))) detachLoopDevice(loop.device);
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

/**
 * Waits for the kernel to detach the loop devices of brick images whose namespaces are gone
 * (autoclear), and detaches any that stays.
 */
function releaseLoopDevices(dir: string, problems: string[]): void {
  const deadline = Date.now() + 5_000;
  while (loopDevicesUnder(dir).length > 0 && Date.now() < deadline) sleepSync(20);
  const failures = new Map<string, string>();
  for (const loop of loopDevicesUnder(dir)) {
    const failure = detachLoopDevice(loop.device);
    if (failure !== undefined) failures.set(loop.device, failure);
  }
  // A detach that could not happen at once (the device still open) completes on release.
  const after = Date.now() + 2_000;
  while (loopDevicesUnder(dir).length > 0 && Date.now() < after) sleepSync(20);
  // A device that went on its own in the meantime is no failure; the caller's leftovers check
  // reports every device that stays.
  for (const loop of loopDevicesUnder(dir)) {
    const failure = failures.get(loop.device);
    if (failure !== undefined) problems.push(failure);
  }
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
