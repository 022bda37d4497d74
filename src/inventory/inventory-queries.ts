import { isIP } from 'node:net';
import { hostname as systemHostname } from 'node:os';
import { PeerEndpointError, PeerNotFoundError } from './inventory-errors.js';
import type { InventoryPeer, PeerInventory } from './peer-inventory.js';

/**
 * True when the inventory lists no peer. A sync service that answers with an empty list is far
 * more often broken than right; whoever acts on the inventory must check this before removing
 * anything.
 */
export function isEmptyInventory(inventory: PeerInventory): boolean {
  return inventory.replicas.length === 0;
}

/** @throws PeerNotFoundError */
export function getPeer(inventory: PeerInventory, name: string): InventoryPeer {
  const peer = inventory.replicas.find((p) => p.name === name);
  if (peer === undefined) {
    throw new PeerNotFoundError(
      `No peer named "${name}" in the inventory (${describeCount(inventory.replicas.length)})`,
    );
  }
  return peer;
}

/**
 * The peers on the machine called `hostname` (default: this machine), in inventory order. Names
 * compare by their first DNS label, case-insensitively, because peers.json may hold the FQDN and
 * os.hostname() the short name, or the other way round. An IP address is compared whole: its
 * first "label" (10 in 10.0.0.1) says nothing about the host. Peers without a hostname are never
 * local.
 */
export function localPeers(inventory: PeerInventory, hostname?: string): InventoryPeer[] {
  const host = hostKey(hostname || systemHostname());
  if (host === '') return [];
  return inventory.replicas.filter((p) => p.hostname !== undefined && hostKey(p.hostname) === host);
}

/**
 * The one peer that is this host: with no `pid` (or 0) the first local peer in inventory order,
 * otherwise the local peer with that precedence id.
 *
 * @throws PeerNotFoundError
 */
export function localhostPeer(
  inventory: PeerInventory,
  hostname?: string,
  pid?: number,
): InventoryPeer {
  const host = hostname || systemHostname();
  const local = localPeers(inventory, host);
  const first = local[0];
  if (first === undefined) {
    throw new PeerNotFoundError(
      `No peer in the inventory is on host "${host}" (${describeCount(inventory.replicas.length)})`,
    );
  }
  if (pid === undefined || pid === 0) return first;
  const match = local.find((p) => p.pid === pid);
  if (match === undefined) {
    throw new PeerNotFoundError(
      `No peer on host "${host}" has pid ${pid} (its peers have pid ${local.map((p) => p.pid).join(', ')})`,
    );
  }
  return match;
}

/**
 * Where to reach the peer over TCP: "ip:port", "[ipv6]:port", or with `useDns` "domain:port".
 *
 * @throws PeerEndpointError when the peer has no address (or no domain with `useDns`), or port 0
 */
export function peerEndpoint(peer: InventoryPeer, useDns = false): string {
  if (peer.port === 0) {
    throw new PeerEndpointError(
      `Peer "${peer.name}" has port 0, which cannot be reached`,
      peer.name,
    );
  }
  if (useDns) {
    if (!peer.domain) {
      throw new PeerEndpointError(
        `Peer "${peer.name}" has no domain, so it has no DNS endpoint`,
        peer.name,
      );
    }
    return `${peer.domain}:${peer.port}`;
  }
  if (peer.ip_address === '') {
    throw new PeerEndpointError(
      `Peer "${peer.name}" has no ip_address${peer.domain ? '; use its domain (DNS)' : ''}`,
      peer.name,
    );
  }
  return isIP(peer.ip_address) === 6
    ? `[${peer.ip_address}]:${peer.port}`
    : `${peer.ip_address}:${peer.port}`;
}

/** The part of a host name that identifies the machine, lower-cased. */
function hostKey(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if (isIP(trimmed) !== 0) return trimmed;
  return trimmed.split('.')[0] ?? '';
}

function describeCount(count: number): string {
  return count === 1 ? '1 peer' : `${count} peers`;
}
