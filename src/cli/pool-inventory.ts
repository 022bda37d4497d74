import { isIP } from 'node:net';
import type { PoolMember } from '../gluster/peer.js';
import type { InventoryPeer, PeerInventory } from '../inventory/index.js';

/** glusterd's management port: what a peer of the pool listens on for other members. */
const GLUSTERD_PORT = 24007;

/**
 * A `pool list` as peers.json: the node asked first, then the others in gluster's order, pid
 * 1, 2, … (0 means "the first local peer" to peers.json readers, so it is not used). name is
 * the member's host name (its address when it has none), ip_address its address (from gluster's
 * names, else from `addresses`, else the name itself), port glusterd's.
 */
export function poolInventory(
  members: readonly PoolMember[],
  context: {
    readonly askedNode: string;
    /** Host name → address, resolved by the caller. */
    readonly addresses: ReadonlyMap<string, string>;
    readonly now: Date;
  },
): PeerInventory {
  const ordered = [
    ...members.filter((member) => member.isLocal),
    ...members.filter((member) => !member.isLocal),
  ];
  const used = new Set<string>();
  const replicas = ordered.map((member, index): InventoryPeer => {
    const names = member.hostnames.filter((name) => name !== 'localhost');
    const hostname = names.find((name) => isIP(name) === 0);
    const ipAddress =
      names.find((name) => isIP(name) !== 0) ??
      (hostname === undefined ? undefined : context.addresses.get(hostname)) ??
      hostname ??
      member.hostname;
    let name = hostname ?? ipAddress;
    // Names are unique in peers.json; two aliases of one name would be a broken pool anyway.
    if (used.has(name)) name = `${name}-${member.uuid.slice(0, 8)}`;
    used.add(name);
    return {
      pid: index + 1,
      name,
      description: `glusterd ${member.uuid}${member.isLocal ? ` (the node asked, ${context.askedNode})` : ''}`,
      ...(hostname === undefined ? {} : { hostname }),
      ip_address: ipAddress,
      port: GLUSTERD_PORT,
    };
  });
  return {
    info: {
      source: 'gluster pool list',
      node: context.askedNode,
      generated: context.now.toISOString(),
      generator: 'gluster-operator dump',
    },
    replicas,
  };
}

/** The host names of a pool list that need resolving to an address. */
export function namesToResolve(members: readonly PoolMember[]): string[] {
  return members.flatMap((member) => {
    const names = member.hostnames.filter((name) => name !== 'localhost');
    if (names.some((name) => isIP(name) !== 0)) return [];
    const hostname = names.find((name) => isIP(name) === 0);
    return hostname === undefined ? [] : [hostname];
  });
}
