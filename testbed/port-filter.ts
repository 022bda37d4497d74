import { execInNode, nsenterArgv, type NodeRuntime } from './node-daemons.js';
import { runChecked } from './run-command.js';

/**
 * Which packets a port filter drops inside a node's network namespace, each direction in an nft
 * table of its own (the testbed's, and nothing else), so either can be restored without the other:
 * - `outbound`: the node's own TCP packets to `port` elsewhere. Replies to connections others
 *   open to the node's `port` have it as source and still flow.
 * - `inbound`: TCP packets that reach the node for its own `port`, on established connections
 *   too: to a client the node (its SSH on 22, say) stops answering without anything being closed
 *   or refused, as a hung machine or a broken firewall looks.
 * Drop rather than reject, so connections hang as they would behind a broken firewall.
 */
export type FilterDirection = 'inbound' | 'outbound';

const TABLES: Readonly<Record<FilterDirection, readonly [string, string]>> = {
  outbound: ['inet', 'gop_testbed'],
  inbound: ['inet', 'gop_testbed_in'],
};
const HOOKS: Readonly<Record<FilterDirection, string>> = { outbound: 'output', inbound: 'input' };

export async function dropPort(
  rt: NodeRuntime,
  direction: FilterDirection,
  port: number,
): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid port ${port}`);
  }
  const table = TABLES[direction];
  const hook = HOOKS[direction];
  // nft joins its arguments and parses them as one command; no shell is involved.
  await nft(rt, ['add', 'table', ...table]);
  await nft(rt, [
    'add',
    'chain',
    ...table,
    hook,
    `{ type filter hook ${hook} priority 0; policy accept; }`,
  ]);
  await nft(rt, ['add', 'rule', ...table, hook, 'tcp', 'dport', String(port), 'drop']);
}

/** Removes every dropPort rule of that direction on the node; a no-op when there is none. */
export async function restorePort(rt: NodeRuntime, direction: FilterDirection): Promise<void> {
  const table = TABLES[direction];
  const listed = await execInNode(rt, ['nft', 'list', 'table', ...table]);
  if (listed.exitCode !== 0) return;
  await nft(rt, ['delete', 'table', ...table]);
}

async function nft(rt: NodeRuntime, args: readonly string[]): Promise<void> {
  await runChecked(nsenterArgv(rt, ['nft', ...args]));
}
