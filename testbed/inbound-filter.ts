import { execInNode, nsenterArgv, type NodeRuntime } from './node-daemons.js';
import { runChecked } from './run-command.js';

/**
 * The nft table for inbound faults inside a node's network namespace, apart from the outbound
 * one (outbound-filter.ts), so that either can be restored without touching the other.
 */
const TABLE = ['inet', 'gop_testbed_in'] as const;

/**
 * Silently drops the TCP packets that reach the node for its own `port` (IPv4 and IPv6), on
 * connections already established too: to a client, the node's SSH (port 22) stops answering
 * without anything being closed or refused, as a hung machine or a broken firewall looks.
 * Connections the node opens to others' `port` are not hit (their replies have it as source).
 */
export async function dropInbound(rt: NodeRuntime, port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port ${port}`);
  }
  // nft joins its arguments and parses them as one command; no shell is involved.
  await nft(rt, ['add', 'table', ...TABLE]);
  await nft(rt, [
    'add',
    'chain',
    ...TABLE,
    'input',
    '{ type filter hook input priority 0; policy accept; }',
  ]);
  await nft(rt, ['add', 'rule', ...TABLE, 'input', 'tcp', 'dport', String(port), 'drop']);
}

/** Removes every dropInbound rule of the node; a no-op when there is none. */
export async function restoreInbound(rt: NodeRuntime): Promise<void> {
  const listed = await execInNode(rt, ['nft', 'list', 'table', ...TABLE]);
  if (listed.exitCode !== 0) return;
  await nft(rt, ['delete', 'table', ...TABLE]);
}

async function nft(rt: NodeRuntime, args: readonly string[]): Promise<void> {
  await runChecked(nsenterArgv(rt, ['nft', ...args]));
}
