import type { InventorySpec } from '../api/gluster-cluster.js';
import { parseDurationMs } from '../core/duration.js';
import type { InventoryRead } from '../core/desired-nodes.js';
import { InventoryError, InventorySyncError } from '../inventory/inventory-errors.js';
import { parsePeerInventory } from '../inventory/peer-inventory.js';
import { syncInventory } from '../inventory/sync-inventory.js';
import type { SyncOptions } from '../inventory/sync-inventory.js';
import type { PeerInventory } from '../inventory/peer-inventory.js';
import type { InventoryObjects } from '../kube/inventory-objects.js';
import { KubeApiError, NotFoundError } from '../kube/kube-errors.js';
import { formatKubeTime } from '../kube/kube-time.js';

export const DEFAULT_INVENTORY_SYNC_MS = 5 * 60_000;
const DEFAULT_CONFIG_MAP_KEY = 'peers.json';
const DEFAULT_API_KEY_KEY = 'apiKey';
const SYNC_TIMEOUT_MS = 15_000;
/** A failed read is tried again sooner than a good one is refreshed (a blip should not last 5m). */
const RETRY_FAILED_READ_MS = 30_000;

export interface InventoryReaderDeps {
  readonly objects: InventoryObjects;
  readonly now: () => Date;
  /** Injected for tests; the real one fetches with X-Api-Key. */
  readonly sync?: (
    url: string,
    apiKey: string | undefined,
    options: SyncOptions,
  ) => Promise<PeerInventory>;
}

export interface InventoryReading {
  /** For status: "ConfigMap <name>/<key>" or the URL without credentials or query. */
  readonly source: string;
  readonly read: InventoryRead;
  /** When this resource should be looked at again for the next read. */
  readonly nextReadInMs: number;
}

interface CachedRead {
  readonly fingerprint: string;
  readonly read: InventoryRead;
  readonly readAtMs: number;
}

/**
 * Reads a GlusterCluster's inventory source, at most once per syncInterval: passes come far more
 * often (every change, every progress requeue) than an inventory service should be asked. A
 * failure is an InventoryRead of kind 'failed' with a reason, never an exception: what to do
 * about it (keep the last good list) is the core's decision.
 */
export class InventoryReader {
  readonly #deps: InventoryReaderDeps;
  readonly #cache = new Map<string, CachedRead>();

  constructor(deps: InventoryReaderDeps) {
    this.#deps = deps;
  }

  async read(
    clusterKey: string,
    namespace: string,
    spec: InventorySpec,
    signal?: AbortSignal,
  ): Promise<InventoryReading> {
    const source = describeInventorySource(spec);
    const intervalMs = parseDurationMs(spec.syncInterval ?? '') ?? DEFAULT_INVENTORY_SYNC_MS;
    // Any change to the source re-reads at once.
    const fingerprint = JSON.stringify([spec.configMapRef, spec.url, spec.apiKeySecretRef]);
    const nowMs = this.#deps.now().getTime();
    const validForMs = (read: InventoryRead): number =>
      read.kind === 'failed' ? Math.min(intervalMs, RETRY_FAILED_READ_MS) : intervalMs;
    const cached = this.#cache.get(clusterKey);
    if (cached?.fingerprint === fingerprint && nowMs - cached.readAtMs < validForMs(cached.read)) {
      return {
        source,
        read: cached.read,
        nextReadInMs: cached.readAtMs + validForMs(cached.read) - nowMs,
      };
    }
    const read = await this.#readNow(namespace, spec, source, signal);
    signal?.throwIfAborted();
    this.#cache.set(clusterKey, { fingerprint, read, readAtMs: nowMs });
    return { source, read, nextReadInMs: validForMs(read) };
  }

  forget(clusterKey: string): void {
    this.#cache.delete(clusterKey);
  }

  async #readNow(
    namespace: string,
    spec: InventorySpec,
    source: string,
    signal: AbortSignal | undefined,
  ): Promise<InventoryRead> {
    const at = formatKubeTime(this.#deps.now());
    const failed = (reason: string, message: string): InventoryRead => ({
      kind: 'failed',
      reason,
      message,
      at,
    });
    try {
      const inventory = spec.configMapRef
        ? await this.#fromConfigMap(namespace, spec.configMapRef, source)
        : await this.#fromUrl(namespace, spec, signal);
      if (inventory === undefined) {
        return failed('InventoryUnavailable', `${source}: the ConfigMap has no such key`);
      }
      return { kind: 'read', replicas: inventory.replicas, at };
    } catch (error) {
      if (error instanceof InventorySyncError && error.failure === 'bad-format') {
        return failed('InventoryInvalid', error.message);
      }
      if (error instanceof InventorySyncError) return failed('InventoryUnavailable', error.message);
      if (error instanceof InventoryError) return failed('InventoryInvalid', error.message);
      if (error instanceof MissingApiKeyError) return failed('InventoryUnavailable', error.message);
      if (error instanceof NotFoundError) {
        return failed('InventoryUnavailable', `${source}: ${error.message}`);
      }
      if (error instanceof KubeApiError) return failed('InventoryUnavailable', error.message);
      throw error;
    }
  }

  async #fromConfigMap(
    namespace: string,
    ref: NonNullable<InventorySpec['configMapRef']>,
    source: string,
  ): Promise<PeerInventory | undefined> {
    const text = await this.#deps.objects.readConfigMapKey(
      namespace,
      ref.name,
      ref.key ?? DEFAULT_CONFIG_MAP_KEY,
    );
    return text === undefined ? undefined : parsePeerInventory(text, source);
  }

  async #fromUrl(
    namespace: string,
    spec: InventorySpec,
    signal: AbortSignal | undefined,
  ): Promise<PeerInventory> {
    const url = spec.url ?? '';
    let apiKey: string | undefined;
    const ref = spec.apiKeySecretRef;
    if (ref) {
      // The CRD insists on https with a key; checked again, since the key must never go in clear.
      if (!url.startsWith('https://')) {
        throw new MissingApiKeyError(`${describeUrl(url)}: an API key is only sent over https://`);
      }
      const key = ref.key ?? DEFAULT_API_KEY_KEY;
      apiKey = await this.#deps.objects.readSecretKey(namespace, ref.name, key);
      if (!apiKey?.trim()) {
        throw new MissingApiKeyError(`Secret ${namespace}/${ref.name} has no key ${key}`);
      }
      apiKey = apiKey.trim();
    }
    const sync = this.#deps.sync ?? syncInventory;
    return sync(url, apiKey, { timeoutMs: SYNC_TIMEOUT_MS, ...(signal ? { signal } : {}) });
  }
}

class MissingApiKeyError extends Error {}

/** "ConfigMap <name>/<key>", or the URL without user information or query (they may be secret). */
export function describeInventorySource(spec: InventorySpec): string {
  if (spec.configMapRef) {
    return `ConfigMap ${spec.configMapRef.name}/${spec.configMapRef.key ?? DEFAULT_CONFIG_MAP_KEY}`;
  }
  return describeUrl(spec.url ?? '');
}

function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}
