import { TestbedError } from './testbed-error.js';

/**
 * Names and addresses of a pool, derived from its name, index and size only, so that teardown
 * of a crashed run can be computed from the state file alone.
 *
 * Interface names carry the pool index rather than the pool name: Linux limits them to 15
 * characters. Network namespaces and host names carry the pool name.
 */
export interface NodeLayout {
  /** `n1`, `n2`, ... */
  readonly name: string;
  /** `<pool>-n1`: what glusterd is probed with; listed in the pool's hosts file. */
  readonly hostname: string;
  readonly netns: string;
  /** Root-namespace end of the veth pair, enslaved to the bridge. */
  readonly hostVeth: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

/**
 * A client of the pool (`startClient`): a network namespace on the pool's bridge at an address of
 * the pool's subnet that no node uses, with its own mount and UTS namespaces.
 */
export interface ClientLayout {
  /** `c1`, `c2`, ... */
  readonly name: string;
  /** `<pool>-c1` */
  readonly hostname: string;
  readonly netns: string;
  readonly hostVeth: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface PoolLayout {
  readonly name: string;
  readonly index: number;
  readonly bridge: string;
  readonly hostIpv4: string;
  readonly hostIpv6: string;
  readonly ipv4PrefixLength: 24;
  readonly ipv6PrefixLength: 64;
  readonly nodes: readonly NodeLayout[];
}

/** Every pool lives in these ranges; the root namespace gets an unreachable route for them. */
export const TESTBED_IPV4_RANGE = '10.250.0.0/16';
export const TESTBED_IPV6_RANGE = 'fd42:676f:70::/48';
export const NETNS_PREFIX = 'gop-';
/**
 * Clients' namespaces have a prefix of their own: a testbed of an older checkout sweeps every
 * `gop-` namespace it does not know as an orphan, and it knows nodes only.
 */
export const CLIENT_NETNS_PREFIX = 'gopc-';
export const BRIDGE_PREFIX = 'gopb';
export const VETH_PREFIX = 'gopv';
export const MAX_POOL_INDEX = 255;
export const MAX_NODE_COUNT = 64;
/** Clients live at .201 to .250: above every node (at most .74), below the broadcast address. */
export const MAX_CLIENT_COUNT = 50;
const CLIENT_HOST_BASE = 200;

// A DNS label that also reads well inside `gop-<pool>-n<i>`: no leading or trailing hyphen.
const POOL_NAME = /^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/;

export function isValidPoolName(name: string): boolean {
  return POOL_NAME.test(name);
}

export function validatePoolName(name: string): void {
  if (!isValidPoolName(name)) {
    throw new TestbedError(
      `Invalid pool name ${JSON.stringify(name)}: use 1-16 lowercase letters, digits and inner hyphens, starting with a letter`,
    );
  }
}

export function layoutPool(name: string, index: number, nodeCount: number): PoolLayout {
  validatePoolName(name);
  if (!Number.isInteger(index) || index < 0 || index > MAX_POOL_INDEX) {
    throw new TestbedError(`Invalid pool index ${index}`);
  }
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODE_COUNT) {
    throw new TestbedError(`Invalid node count ${nodeCount}: use 1 to ${MAX_NODE_COUNT}`);
  }
  const nodes: NodeLayout[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    nodes.push({
      name: `n${i}`,
      hostname: `${name}-n${i}`,
      netns: `${NETNS_PREFIX}${name}-n${i}`,
      hostVeth: `${VETH_PREFIX}${index}n${i}`,
      ipv4: `10.250.${index}.${10 + i}`,
      // The host part repeats the IPv4 one as text (node 1: ::11) so the two are easy to match.
      ipv6: canonicalIpv6(`fd42:676f:70:${index.toString(16)}::${10 + i}`),
    });
  }
  return {
    name,
    index,
    bridge: `${BRIDGE_PREFIX}${index}`,
    hostIpv4: `10.250.${index}.1`,
    hostIpv6: canonicalIpv6(`fd42:676f:70:${index.toString(16)}::1`),
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 64,
    nodes,
  };
}

/** Client `index` (1-based) of a pool: `c<index>`, at `10.250.<k>.<200 + index>`. */
export function layoutClient(pool: PoolLayout, index: number): ClientLayout {
  if (!Number.isInteger(index) || index < 1 || index > MAX_CLIENT_COUNT) {
    throw new TestbedError(`Invalid client index ${index}: use 1 to ${MAX_CLIENT_COUNT}`);
  }
  const host = CLIENT_HOST_BASE + index;
  return {
    name: `c${index}`,
    hostname: `${pool.name}-c${index}`,
    netns: `${CLIENT_NETNS_PREFIX}${pool.name}-c${index}`,
    hostVeth: `${VETH_PREFIX}${pool.index}c${index}`,
    ipv4: `10.250.${pool.index}.${host}`,
    ipv6: canonicalIpv6(`fd42:676f:70:${pool.index.toString(16)}::${host}`),
  };
}

/** Matches the network namespace of any client of the pool, whatever its index. */
export function clientNetnsPattern(poolName: string): RegExp {
  // A valid pool name has nothing a regular expression would read as syntax.
  validatePoolName(poolName);
  return new RegExp(`^${CLIENT_NETNS_PREFIX}${poolName}-c\\d+$`);
}

/** Matches the host-side veth of any client of the pool with this index. */
export function clientVethPattern(poolIndex: number): RegExp {
  return new RegExp(`^${VETH_PREFIX}${poolIndex}c\\d+$`);
}

/**
 * The RFC 5952 text form, as ssh writes it into known_hosts and as `ip` prints it
 * (pool 0's `fd42:676f:70:0::11` is `fd42:676f:70::11`).
 */
export function canonicalIpv6(address: string): string {
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Lines for /etc/hosts inside every node, and for tests that build their own resolver. */
export function renderHostsFile(layout: PoolLayout): string {
  const lines = [
    '127.0.0.1 localhost',
    '::1 localhost ip6-localhost ip6-loopback',
    ...layout.nodes.map((n) => `${n.ipv4} ${n.hostname}`),
    ...layout.nodes.map((n) => `${n.ipv6} ${n.hostname}`),
  ];
  return `${lines.join('\n')}\n`;
}
