import type { InventoryPeer, PeerInventory } from '../../../src/inventory/peer-inventory.js';

/** A valid peer; override any field. */
export function aPeer(name: string, overrides: Partial<InventoryPeer> = {}): InventoryPeer {
  return { pid: 1, name, ip_address: '10.250.0.11', port: 24007, ...overrides };
}

export function anInventory(
  replicas: readonly InventoryPeer[],
  info: Record<string, unknown> = {},
): PeerInventory {
  return { info, replicas };
}

/** peers.json text for a document given as a plain value (may be invalid on purpose). */
export function peersJson(document: unknown): string {
  return JSON.stringify(document, null, 2);
}
