import type { GlusterCluster } from '../api/gluster-cluster.js';
import type { DesiredNodes } from '../core/desired-nodes.js';
import { resolveDesiredNodes } from '../core/desired-nodes.js';
import type { Logger } from '../observability/logger.js';
import type { EventSink } from './event-sink.js';
import type { InventoryReader } from './inventory-reader.js';

export interface DesiredNodeList extends DesiredNodes {
  /** When the inventory should be read again (inventory sources only). */
  readonly nextReadInMs?: number;
}

/**
 * The nodes in force for a pass: spec.nodes, or the inventory's (the last good list when a read
 * fails, with a Warning Event the first time a failure says something new).
 */
export async function readDesiredNodes(
  deps: {
    readonly inventory: Pick<InventoryReader, 'read'>;
    readonly events: EventSink;
    readonly logger: Logger;
  },
  clusterKey: string,
  cluster: GlusterCluster,
  signal: AbortSignal,
): Promise<DesiredNodeList> {
  const { spec } = cluster;
  if (!spec.inventory) return resolveDesiredNodes({ spec });
  const previous = cluster.status?.inventory;
  const reading = await deps.inventory.read(
    clusterKey,
    cluster.metadata.namespace,
    spec.inventory,
    signal,
  );
  const desired = resolveDesiredNodes({
    spec,
    source: reading.source,
    read: reading.read,
    ...(previous ? { previous } : {}),
  });
  const condition = desired.inventory?.condition;
  if (condition?.status === 'False') {
    deps.logger.warn('Kept the last good node list', {
      reason: condition.reason,
      error: condition.message,
      nodes: desired.nodes.length,
    });
    const before = cluster.status?.conditions?.find((c) => c.type === 'InventorySynced');
    if (before?.message !== condition.message) {
      await deps.events.record(cluster, {
        type: 'Warning',
        reason: condition.reason,
        message: condition.message,
        action: 'ReadInventory',
      });
    }
  }
  return { ...desired, nextReadInMs: reading.nextReadInMs };
}
