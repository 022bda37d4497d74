import type { GlusterCluster, GlusterClusterStatus } from '../api/gluster-cluster.js';
import type { GlusterClusterApi, ObjectKey } from './gluster-cluster-api.js';
import { ConflictError } from './kube-errors.js';

export interface StatusWriteOptions {
  /** Writes tried in all before a run of conflicts is given up. Default 5. */
  readonly maxAttempts?: number;
}

export interface StatusWriteResult {
  /** False when the computed status equalled the stored one: nothing was sent. */
  readonly written: boolean;
  /** The object as stored after the call (as read when nothing was written). */
  readonly cluster: GlusterCluster;
  /** Writes refused with 409 before the outcome. */
  readonly conflicts: number;
}

/**
 * Writes the status `compute` derives from the current object, only when it differs from the
 * stored status, through the /status subresource and conditional on the resourceVersion read.
 * On a conflict (someone else wrote the object meanwhile: a spec edit, another status write) it
 * reads again and recomputes from the fresh object, so a status is never computed from one
 * version and written over another. Gives up with a ConflictError after `maxAttempts` writes.
 *
 * `compute` must be pure and cheap: it may run once per attempt. A NotFoundError (the object was
 * deleted) and any other failure propagate as they are.
 */
export async function writeStatusIfChanged(
  api: Pick<GlusterClusterApi, 'get' | 'replaceStatus'>,
  key: ObjectKey,
  compute: (current: GlusterCluster) => GlusterClusterStatus,
  options: StatusWriteOptions = {},
): Promise<StatusWriteResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  let conflicts = 0;
  for (;;) {
    const current = await api.get(key.namespace, key.name);
    const status = compute(current);
    if (isSameJson(current.status ?? {}, status)) {
      return { written: false, cluster: current, conflicts };
    }
    try {
      const stored = await api.replaceStatus({ ...current, status });
      return { written: true, cluster: stored, conflicts };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      conflicts++;
      if (conflicts >= maxAttempts) {
        throw new ConflictError(
          `Failed to write the status of GlusterCluster ${key.namespace}/${key.name}: ${String(conflicts)} writes in a row met a newer version`,
          {
            cause: error,
            code: 409,
            ...(error.reason === undefined ? {} : { reason: error.reason }),
          },
        );
      }
    }
  }
}

/**
 * Equality as the API server would store the two values: JSON data, key order irrelevant,
 * properties whose value is undefined absent. Nothing else is ignored (a new lastTransitionTime
 * is a change).
 */
function isSameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, index) => isSameJson(item, b[index]));
  }
  const left = definedEntries(a);
  const right = definedEntries(b);
  if (left.size !== right.size) return false;
  for (const [name, value] of left) {
    if (!right.has(name) || !isSameJson(value, right.get(name))) return false;
  }
  return true;
}

function definedEntries(value: object): Map<string, unknown> {
  return new Map(Object.entries(value).filter(([, field]) => field !== undefined));
}
