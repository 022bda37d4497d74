import type {
  ConditionType,
  DeletionPolicy,
  GlusterClusterSpec,
  GlusterClusterStatus,
  InventoryAddressField,
  InventorySpec,
  NodeState,
  RemovalPolicy,
} from '../../src/api/gluster-cluster.js';

/**
 * GlusterCluster spec and status values with every field set, checked by the compiler: a field
 * added to src/api/gluster-cluster.ts does not compile here until it is given a value, and the CRD
 * test then proves the schema keeps it (the API server prunes fields it does not know).
 */

/** T with every optional field, at any depth, made required. */
export type Complete<T> = T extends readonly (infer E)[]
  ? readonly Complete<E>[]
  : T extends object
    ? { readonly [K in keyof T]-?: Complete<T[K]> }
    : T;

/**
 * Every member of a string union, as a list the compiler holds to be complete:
 * `everyValue<RemovalPolicy>()(['Detach'])` does not compile.
 */
export function everyValue<T extends string>() {
  return <const L extends readonly T[]>(
    values: L & ([T] extends [L[number]] ? unknown : 'is missing a member of the union'),
  ): L => values;
}

export const REMOVAL_POLICIES = everyValue<RemovalPolicy>()(['Detach', 'Retain']);
export const DELETION_POLICIES = everyValue<DeletionPolicy>()(['Retain', 'Dissolve']);
export const CONDITION_TYPES = everyValue<ConditionType>()([
  'Ready',
  'Reconciling',
  'Stalled',
  'Degraded',
  'InventorySynced',
  'EventsDelivery',
]);
export const INVENTORY_ADDRESS_FIELDS = everyValue<InventoryAddressField>()([
  'IPAddress',
  'Hostname',
  'Domain',
]);
export const NODE_STATES = everyValue<NodeState>()([
  'Connected',
  'Disconnected',
  'Probing',
  'Pending',
  'Unreachable',
  'HostKeyMismatch',
  'GlusterdDown',
  'Rejected',
  'InOtherPool',
  'StaleView',
  'Detaching',
  'Unknown',
]);

/**
 * A spec with every optional field set, none of them to its default, but for `inventory`: nodes
 * and inventory exclude each other, so the inventory's fields are in the two specs below.
 */
export const COMPLETE_SPEC: Complete<Omit<GlusterClusterSpec, 'inventory'>> = {
  nodes: [
    {
      address: 'gluster-1.storage.example.com',
      name: 'gluster-1',
      zone: 'rack-a',
      allowForceDetach: true,
      reclaimFromOtherPool: true,
    },
    {
      address: 'fd42:676f:70::12',
      name: 'gluster-2',
      zone: 'eu-west-1b',
      allowForceDetach: false,
      reclaimFromOtherPool: false,
    },
  ],
  ssh: { user: 'gluster-admin', port: 2222, secretRef: { name: 'gluster-ssh' }, sudo: true },
  removalPolicy: 'Retain',
  deletionPolicy: 'Dissolve',
  paused: true,
  resyncInterval: '1h30m',
  events: {
    enabled: true,
    receiverUrl: 'https://gluster-events.example.com:8443',
    tokenSecretRef: { name: 'gluster-events-token', key: 'bearer' },
  },
};

/** An inventory with every field but configMapRef (it excludes url). */
export const COMPLETE_URL_INVENTORY: Complete<Omit<InventorySpec, 'configMapRef'>> = {
  url: 'https://inventory.example.com/v1/peers.json',
  apiKeySecretRef: { name: 'inventory-api-key', key: 'token' },
  addressFrom: 'Hostname',
  syncInterval: '30s',
};
export const COMPLETE_CONFIG_MAP_INVENTORY: Complete<
  Omit<InventorySpec, 'url' | 'apiKeySecretRef'>
> = {
  configMapRef: { name: 'gluster-peers', key: 'pool-a.json' },
  addressFrom: 'Domain',
  syncInterval: '2m',
};
// Between them, the two inventories hold every field of InventorySpec (checked by the compiler).
type CoveredInventoryFields =
  keyof typeof COMPLETE_URL_INVENTORY | keyof typeof COMPLETE_CONFIG_MAP_INVENTORY;
export const EVERY_INVENTORY_FIELD_COVERED: [
  Exclude<keyof InventorySpec, CoveredInventoryFields>,
] extends [never]
  ? true
  : 'an InventorySpec field is in neither sample' = true;

/** COMPLETE_SPEC with an inventory instead of nodes. */
export function completeInventorySpec(
  inventory: InventorySpec,
): Complete<Omit<GlusterClusterSpec, 'nodes' | 'inventory'>> & { inventory: InventorySpec } {
  const { ssh, removalPolicy, deletionPolicy, paused, resyncInterval, events } = COMPLETE_SPEC;
  return { ssh, removalPolicy, deletionPolicy, paused, resyncInterval, events, inventory };
}

const T0 = '2026-11-22T03:00:00Z';
const T1 = '2026-11-22T03:05:00Z';

/** A status with every optional field set, every condition type and every node state. */
export const COMPLETE_STATUS: Complete<GlusterClusterStatus> = {
  observedGeneration: 3,
  conditions: CONDITION_TYPES.map((type, index) => ({
    type,
    status: (['True', 'False', 'Unknown'] as const)[index % 3]!,
    observedGeneration: 3,
    lastTransitionTime: T0,
    reason: `${type}Reason`,
    message: `The ${type} condition, as a sentence.`,
  })),
  commandNode: 'gluster-1.storage.example.com',
  opVersion: 100000,
  members: 4,
  connected: 1,
  nodes: NODE_STATES.map((state, index) => ({
    address: `gluster-${String(index + 1)}.storage.example.com`,
    name: `gluster-${String(index + 1)}`,
    zone: 'rack-a',
    uuid: `0c5e4d6e-1b3a-4f2c-9d7e-${String(index).padStart(12, '0')}`,
    state,
    stateStr: 'Peer in Cluster',
    sshReachable: state !== 'Unreachable',
    glusterdRunning: state !== 'Unreachable' && state !== 'GlusterdDown',
    glusterVersion: '10.3',
    lastSeen: T1,
    message: `The node is ${state}.`,
    views: [
      { observer: 'gluster-1.storage.example.com', status: 'Connected' },
      { observer: 'gluster-2.storage.example.com', status: 'Disconnected' },
    ],
    reportedDown: {
      event: 'PEER_DISCONNECT',
      reporters: ['gluster-1.storage.example.com', 'gluster-3.storage.example.com'],
      time: T1,
    },
  })),
  unmanagedMembers: [
    { hostname: '10.250.0.99', uuid: '7f1d2c3b-0000-4000-8000-000000000099', connected: false },
  ],
  inventory: {
    source: 'https://inventory.example.com/v1/peers.json',
    lastSyncTime: T1,
    lastSuccessfulSyncTime: T0,
    nodes: [{ address: '10.250.0.11', name: 'gluster-1', zone: 'eu-west-1a' }],
    message: 'The last read failed: HTTP 503. Keeping the last good list of 1 nodes',
  },
  events: {
    url: 'https://gluster-events.example.com:8443/v1/events/storage/pool-a',
    registered: 2,
    nodes: 3,
    lastCheckTime: T1,
    lastEventTime: T0,
  },
};
