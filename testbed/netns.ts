import {
  TESTBED_IPV4_RANGE,
  TESTBED_IPV6_RANGE,
  type NodeLayout,
  type PoolLayout,
} from './pool-layout.js';
import { runChecked } from './run-command.js';

/**
 * Makes the root namespace refuse the testbed ranges unless a live pool's bridge claims a /24
 * of them: without it, a client that still dials a node after its pool is gone would send the
 * packets out through the default route. Left in place on purpose; it routes nothing anywhere.
 */
export async function ensureGuardRoutes(): Promise<void> {
  await runChecked(['ip', '-4', 'route', 'replace', 'unreachable', TESTBED_IPV4_RANGE]);
  await runChecked(['ip', '-6', 'route', 'replace', 'unreachable', TESTBED_IPV6_RANGE]);
}

/** The pool's bridge in the root namespace, with the host's address on it. */
export async function createBridge(layout: PoolLayout): Promise<void> {
  const br = layout.bridge;
  await runChecked(['ip', 'link', 'add', br, 'type', 'bridge']);
  await runChecked([
    'ip',
    'addr',
    'add',
    `${layout.hostIpv4}/${layout.ipv4PrefixLength}`,
    'dev',
    br,
  ]);
  // nodad: the address is usable at once instead of after duplicate address detection.
  await runChecked([
    'ip',
    'addr',
    'add',
    `${layout.hostIpv6}/${layout.ipv6PrefixLength}`,
    'dev',
    br,
    'nodad',
  ]);
  await runChecked(['ip', 'link', 'set', br, 'up']);
}

/** Where a node or a client sits on the pool's bridge. */
export type BridgeEndpoint = Pick<NodeLayout, 'netns' | 'hostVeth' | 'ipv4' | 'ipv6'>;

/**
 * The node's network namespace, joined to the bridge by a veth pair whose inner end is `eth0`.
 * No default route: a node can reach the pool's subnet and nothing else.
 */
export async function createNodeNetwork(layout: PoolLayout, node: NodeLayout): Promise<void> {
  await runChecked(['ip', 'netns', 'add', node.netns]);
  await joinBridge(layout, node);
}

/**
 * Joins an existing network namespace to the pool's bridge: a veth pair whose inner end is
 * `eth0`, with the endpoint's addresses, and no default route.
 */
export async function joinBridge(layout: PoolLayout, endpoint: BridgeEndpoint): Promise<void> {
  const ns = endpoint.netns;
  await runChecked([
    'ip',
    'link',
    'add',
    endpoint.hostVeth,
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    ns,
  ]);
  await runChecked(['ip', 'link', 'set', endpoint.hostVeth, 'master', layout.bridge, 'up']);
  await runChecked([
    'ip',
    '-n',
    ns,
    'addr',
    'add',
    `${endpoint.ipv4}/${layout.ipv4PrefixLength}`,
    'dev',
    'eth0',
  ]);
  await runChecked([
    'ip',
    '-n',
    ns,
    'addr',
    'add',
    `${endpoint.ipv6}/${layout.ipv6PrefixLength}`,
    'dev',
    'eth0',
    'nodad',
  ]);
  await runChecked(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  await runChecked(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
}

/** Host-side end of the node's veth: down cuts the node off from everyone, host included. */
export async function setLinkState(link: string, state: 'up' | 'down'): Promise<void> {
  await runChecked(['ip', 'link', 'set', link, state]);
}
