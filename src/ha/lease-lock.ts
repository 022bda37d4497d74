import {
  CoordinationV1Api,
  PatchStrategy,
  V1MicroTime,
  setHeaderOptions,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';
import { NotFoundError, toKubeError } from '../kube/kube-errors.js';
import { withSignal } from '../kube/request-options.js';

/**
 * The annotation on the Lease where every replica records itself: a JSON object of identity →
 * its last heartbeat (an RFC 3339 time, for people to read). See docs/high-availability.md.
 */
export const REPLICAS_ANNOTATION = 'glusteroperator.io/leader-election-replicas';

/** The leader election record, as client-go keeps it in a coordination.k8s.io/v1 Lease. */
export interface LeaseRecord {
  /** '' when nobody holds the lease (never held, or released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: Date | undefined;
  readonly renewTime: Date | undefined;
  readonly leaseTransitions: number;
}

/** Identity → last heartbeat, as written by that replica (never compared with another clock). */
export type ReplicaHeartbeats = Readonly<Record<string, string>>;

/** The Lease as read: the record, the replicas' heartbeats, and the version to write against. */
export interface LeaseSnapshot {
  readonly resourceVersion: string;
  readonly record: LeaseRecord;
  readonly replicas: ReplicaHeartbeats;
}

/** What an update changes: the record, the heartbeats, or both; anything absent is left alone. */
export interface LeaseChange {
  readonly record?: LeaseRecord;
  readonly replicas?: ReplicaHeartbeats;
}

/**
 * The election's port to the one Lease it contends for. Every method throws KubeApiError
 * subclasses (src/kube/kube-errors.ts); `signal` bounds the request.
 */
export interface LeaseLock {
  /** "namespace/name", for logs. */
  readonly description: string;
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<LeaseSnapshot | undefined>;
  /** Creates the Lease; ConflictError when it exists already (another replica was first). */
  create(
    record: LeaseRecord,
    replicas: ReplicaHeartbeats,
    signal: AbortSignal,
  ): Promise<LeaseSnapshot>;
  /**
   * Changes the Lease only if it is still at `resourceVersion`: ConflictError when anyone wrote
   * since (optimistic concurrency: the other writer won). Returns the Lease as stored.
   */
  update(resourceVersion: string, change: LeaseChange, signal: AbortSignal): Promise<LeaseSnapshot>;
}

export interface LeaseKey {
  readonly namespace: string;
  readonly name: string;
}

/**
 * The client-node adapter. Updates are JSON merge patches that carry `metadata.resourceVersion`,
 * which the API server treats as a precondition (409 when it moved): labels, other annotations
 * and owner references on the Lease are kept, and a heartbeat never rewrites the spec (so it can
 * never look like a renewal to anyone).
 */
export function createLeaseLock(kubeConfig: KubeConfig, key: LeaseKey): LeaseLock {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const { namespace, name } = key;
  const description = `${namespace}/${name}`;
  return {
    description,
    async get(signal) {
      try {
        return toSnapshot(await api.readNamespacedLease({ namespace, name }, withSignal(signal)));
      } catch (error) {
        const kubeError = toKubeError(error, `read Lease ${description}`);
        if (kubeError instanceof NotFoundError) return undefined;
        throw kubeError;
      }
    },
    async create(record, replicas, signal) {
      const body = {
        metadata: { name, namespace, annotations: { [REPLICAS_ANNOTATION]: encode(replicas) } },
        spec: toSpec(record),
      };
      try {
        return toSnapshot(
          await api.createNamespacedLease(
            // client-node types bodies as its model classes, which are data only; it sends plain
            // objects all the same.
            // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
            { namespace, body },
            withSignal(signal),
          ),
        );
      } catch (error) {
        throw toKubeError(error, `create Lease ${description}`);
      }
    },
    async update(resourceVersion, change, signal) {
      const body = {
        metadata: {
          resourceVersion,
          ...(change.replicas === undefined
            ? {}
            : { annotations: { [REPLICAS_ANNOTATION]: encode(change.replicas) } }),
        },
        ...(change.record === undefined ? {} : { spec: toSpec(change.record) }),
      };
      try {
        return toSnapshot(
          await api.patchNamespacedLease(
            { namespace, name, body },
            withSignal(signal, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
          ),
        );
      } catch (error) {
        throw toKubeError(error, `update Lease ${description}`);
      }
    },
  };
}

/** The Lease spec as sent: MicroTimes as V1MicroTime, which writes the six fractional digits. */
interface LeaseSpecBody {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly leaseTransitions: number;
  readonly acquireTime?: V1MicroTime;
  readonly renewTime?: V1MicroTime;
}

function toSpec(record: LeaseRecord): LeaseSpecBody {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions,
    ...(record.acquireTime ? { acquireTime: new V1MicroTime(record.acquireTime.getTime()) } : {}),
    ...(record.renewTime ? { renewTime: new V1MicroTime(record.renewTime.getTime()) } : {}),
  };
}

function toSnapshot(lease: V1Lease): LeaseSnapshot {
  const spec = lease.spec;
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec?.holderIdentity ?? '',
      leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
      acquireTime: toDate(spec?.acquireTime),
      renewTime: toDate(spec?.renewTime),
      leaseTransitions: spec?.leaseTransitions ?? 0,
    },
    replicas: decode(lease.metadata?.annotations?.[REPLICAS_ANNOTATION]),
  };
}

/** client-node 2.0.1 types MicroTimes as Dates but hands back the server's string. */
function toDate(value: unknown): Date | undefined {
  if (!(value instanceof Date) && typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function encode(replicas: ReplicaHeartbeats): string {
  const sorted = Object.fromEntries(
    Object.entries(replicas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return JSON.stringify(sorted);
}

/** Anything unreadable (edited by hand, another tool) counts as no heartbeats: they come back. */
function decode(text: string | undefined): ReplicaHeartbeats {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
