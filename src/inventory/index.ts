// Node inventories: the peers.json format of the Go `peers` package, its lookup chain, atomic
// dumps, the sync service, and the queries that pick peers out of it.
export {
  InventoryError,
  InventoryFormatError,
  InventoryReadError,
  InventorySyncError,
  InventoryWriteError,
  PeerEndpointError,
  PeerNotFoundError,
} from './inventory-errors.js';
export type { InventoryProblem, InventorySyncFailure } from './inventory-errors.js';
export {
  MAX_INVENTORY_BYTES,
  emptyPeerInventory,
  parsePeerInventory,
  serializePeerInventory,
} from './peer-inventory.js';
export type { InventoryPeer, PeerInventory } from './peer-inventory.js';
export {
  INVENTORY_FILE_NAME,
  PEERS_PATH_VARIABLE,
  SYSTEM_INVENTORY_PATH,
  dumpInventory,
  inventoryLookupPaths,
  loadInventory,
  loadInventoryFrom,
} from './load-inventory.js';
export type { InventoryLookupOptions, LoadedInventory } from './load-inventory.js';
export {
  DEFAULT_SYNC_TIMEOUT_MS,
  MAX_SYNC_REDIRECTS,
  PEERS_SYNC_APIKEY_VARIABLE,
  PEERS_SYNC_URL_VARIABLE,
  syncInventory,
  syncInventoryFromEnv,
} from './sync-inventory.js';
export type { SyncOptions } from './sync-inventory.js';
export {
  getPeer,
  isEmptyInventory,
  localPeers,
  localhostPeer,
  peerEndpoint,
} from './inventory-queries.js';
