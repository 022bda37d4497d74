import { execInNode, nsenterArgv, type NodeRuntime } from './node-daemons.js';
import { runChecked } from './run-command.js';

/** The nft table the testbed owns inside a node's network namespace, and nothing else. */
const TABLE = ['inet', 'gop_testbed'] as const;

/**
 * Silently drops the node's outgoing TCP packets to `port` (IPv4 and IPv6). Only connections
 * this node opens are hit: replies to connections others open to its own port 24007 have that
 * port as source, not destination, and still flow. Drop rather than reject, so the node's
 * connections hang as they would behind a broken firewall.
 */
export async function dropOutbound(rt: NodeRuntime, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port ${port}`);
  }
  // nft joins its arguments and parses them as one command; no shell is involved.
  await nft(rt, ['add', 'table', ...TABLE]);
  await nft(rt, [
    'add',
    'chain',
    ...TABLE,
    'output',
    '{ type filter hook output priority 0; policy accept; }',
  ]);
  await nft(rt, ['add', 'rule', ...TABLE, 'output', 'tcp', 'dport', String(port), 'drop']);
}

export async function restoreOutbound(rt: NodeRuntime): Promise<void> {
  const listed = await execInNode(rt, ['nft', 'list', 'table', ...TABLE]);
  if (listed.exitCode !== 0) return;
  await nft(rt, ['delete', 'table', ...TABLE]);
}

async function nft(rt: NodeRuntime, args: readonly string[]): Promise<void> {
  await runChecked(nsenterArgv(rt, ['nft', ...args]));
}
