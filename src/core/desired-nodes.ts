import type {
  Condition,
  GlusterClusterSpec,
  GlusterNodeSpec,
  InventoryAddressField,
  InventoryNode,
  InventoryStatus,
} from '../api/gluster-cluster.js';
import { checkHostAddress } from '../api/host-address.js';
import { SPEC_RULES } from '../api/spec-rules.js';
import { compact } from './compact.js';

/** A peers.json replica, as much of it as the node list needs. */
export interface InventoryReplica {
  readonly name: string;
  readonly ip_address: string;
  readonly hostname?: string;
  readonly domain?: string;
  readonly aws_instance?: Readonly<Record<string, string>>;
}

/** The outcome of reading an inventory source once (done by an adapter; the core has no I/O). */
export type InventoryRead =
  | { readonly kind: 'read'; readonly replicas: readonly InventoryReplica[]; readonly at: string }
  | {
      readonly kind: 'failed';
      /** CamelCase, e.g. InventoryUnavailable, InventoryInvalid. */
      readonly reason: string;
      readonly message: string;
      readonly at: string;
    };

export type InventoryCondition = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'> & {
  readonly type: 'InventorySynced';
};

export interface DesiredNodes {
  /** The nodes this pass works towards. Empty only when an inventory never gave a good list. */
  readonly nodes: readonly GlusterNodeSpec[];
  /** Present for an inventory source: what status.inventory and InventorySynced should say. */
  readonly inventory?: { readonly status: InventoryStatus; readonly condition: InventoryCondition };
}

// The CRD's limits for spec.nodes: an inventory must not get around them.
const MAX_NODES = SPEC_RULES.maxNodes;
const NODE_NAME = new RegExp(SPEC_RULES.namePattern);
const ZONE = new RegExp(SPEC_RULES.zonePattern);
const ZONE_KEYS = ['availability_zone', 'zone', 'placement_availability_zone'] as const;

/**
 * The nodes in force for a pass. Inline `nodes` are taken as they are. For an inventory, a read
 * that gave a valid, non-empty list replaces the list in force; anything else (a failed read, an
 * invalid entry, no replicas at all) keeps the last good list from status, because an inventory
 * that breaks must never shrink the pool. With no good list yet, there are no nodes: the pass
 * changes nothing.
 */
export function resolveDesiredNodes(input: {
  readonly spec: GlusterClusterSpec;
  /** The inventory's description for status ("ConfigMap pool/peers.json"). */
  readonly source?: string;
  readonly read?: InventoryRead;
  readonly previous?: InventoryStatus;
}): DesiredNodes {
  const { spec, source = '', read, previous } = input;
  if (!spec.inventory) return { nodes: spec.nodes ?? [] };
  // A different source's list is not a last good list for this one.
  const lastGood = previous?.source === source ? previous : undefined;
  const kept = (lastGood?.nodes ?? []).map(toNodeSpec);
  const keeping = (reason: string, why: string, at?: string): DesiredNodes => {
    const message =
      kept.length > 0
        ? `${why}. Keeping the last good list of ${String(kept.length)} nodes` +
          (lastGood?.lastSuccessfulSyncTime ? ` (read ${lastGood.lastSuccessfulSyncTime})` : '')
        : `${why}. No good list has been read yet, so nothing is changed`;
    return {
      nodes: kept,
      inventory: {
        status: compact<InventoryStatus>({
          source,
          lastSyncTime: at ?? lastGood?.lastSyncTime,
          lastSuccessfulSyncTime: lastGood?.lastSuccessfulSyncTime,
          nodes: lastGood?.nodes,
          message,
        }),
        condition: { type: 'InventorySynced', status: 'False', reason, message },
      },
    };
  };

  if (read === undefined) return keeping('InventoryNotRead', `${source} has not been read yet`);
  if (read.kind === 'failed') return keeping(read.reason, read.message, read.at);
  const mapped = nodesFromInventory(read.replicas, spec.inventory.addressFrom ?? 'IPAddress');
  if ('problem' in mapped) {
    return keeping('InventoryInvalid', `${source}: ${mapped.problem}`, read.at);
  }
  if (mapped.nodes.length === 0) {
    return keeping(
      'InventoryEmpty',
      `${source} lists no replicas; an empty list is never applied (it would remove every node)`,
      read.at,
    );
  }
  const message = `Read ${String(mapped.nodes.length)} nodes from ${source}`;
  return {
    nodes: mapped.nodes.map(toNodeSpec),
    inventory: {
      status: {
        source,
        lastSyncTime: read.at,
        lastSuccessfulSyncTime: read.at,
        nodes: mapped.nodes,
      },
      condition: { type: 'InventorySynced', status: 'True', reason: 'Synced', message },
    },
  };
}

/**
 * Replicas → nodes, with the rules spec.nodes has: a valid address, unique addresses and names,
 * at most 64. One bad replica rejects the whole list: half an inventory is not the owner's intent.
 */
export function nodesFromInventory(
  replicas: readonly InventoryReplica[],
  addressFrom: InventoryAddressField,
): { readonly nodes: readonly InventoryNode[] } | { readonly problem: string } {
  if (replicas.length > MAX_NODES) {
    return {
      problem: `lists ${String(replicas.length)} replicas; a pool has at most ${String(MAX_NODES)}`,
    };
  }
  const nodes: InventoryNode[] = [];
  const addresses = new Set<string>();
  const names = new Set<string>();
  for (const [index, replica] of replicas.entries()) {
    const where = `replicas[${String(index)}] (${replica.name})`;
    const address = addressOf(replica, addressFrom);
    if (!address) return { problem: `${where} has no ${FIELD_NAMES[addressFrom]}` };
    const check = checkHostAddress(address);
    if (!check.valid) return { problem: `${where}: ${check.reason}` };
    const key = address.replace(/\.$/, '').toLowerCase();
    if (addresses.has(key)) return { problem: `${where}: address ${address} is listed twice` };
    addresses.add(key);
    const name =
      NODE_NAME.test(replica.name) && replica.name.length <= SPEC_RULES.nameMaxLength
        ? replica.name
        : undefined;
    if (name !== undefined) {
      if (names.has(name)) return { problem: `${where}: name ${name} is listed twice` };
      names.add(name);
    }
    const zone = ZONE_KEYS.map((zoneKey) => replica.aws_instance?.[zoneKey]).find(
      (value) =>
        value !== undefined && value.length <= SPEC_RULES.zoneMaxLength && ZONE.test(value),
    );
    nodes.push(compact<InventoryNode>({ address, name, zone }));
  }
  return { nodes };
}

const FIELD_NAMES: Readonly<Record<InventoryAddressField, string>> = {
  IPAddress: 'ip_address',
  Hostname: 'hostname',
  Domain: 'domain',
};

function addressOf(replica: InventoryReplica, field: InventoryAddressField): string | undefined {
  switch (field) {
    case 'IPAddress':
      return replica.ip_address || undefined;
    case 'Hostname':
      return replica.hostname || undefined;
    case 'Domain':
      return replica.domain || undefined;
  }
}

function toNodeSpec(node: InventoryNode): GlusterNodeSpec {
  return compact<GlusterNodeSpec>({
    address: node.address,
    name: node.name,
    zone: node.zone,
    allowForceDetach: undefined,
    reclaimFromOtherPool: undefined,
  });
}
