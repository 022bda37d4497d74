import type { CustomObject, CustomResourceApi } from './custom-resource-api.js';
import { ConflictError, NotFoundError } from './kube-errors.js';

export interface StatusWriteOptions {
  /** Writes tried in all before a run of conflicts is given up. Default 5. */
  readonly maxAttempts?: number;
}

export interface StatusWriteResult {
  /**
   * `written`; `unchanged` (the stored status already equals it: nothing sent); `superseded`
   * (the object now has another generation, or is gone: the status describes a spec that is no
   * longer in force, so it was not written).
   */
  readonly outcome: 'written' | 'unchanged' | 'superseded';
  /** Writes refused with 409 before the outcome. */
  readonly conflicts: number;
}

/**
 * Writes `status`, computed by a pass from `snapshot` (the object as the pass read it), through
 * the /status subresource, conditional on the resourceVersion, only when it differs from the
 * stored status. The status is stamped with the snapshot's generation and is never written over
 * another one: on a conflict it reads again, and if the generation moved on (a spec edit during
 * the pass) or the object is gone (or was replaced by another of the same name), it gives up
 * with `superseded`; if only the resourceVersion
 * moved (metadata, another status write), it writes the same status on the fresh object.
 * Gives up with a ConflictError after `maxAttempts` writes.
 */
export async function writeStatusIfChanged<T extends CustomObject & { readonly status?: unknown }>(
  api: Pick<CustomResourceApi<T>, 'get' | 'replaceStatus'>,
  snapshot: T,
  status: NonNullable<T['status']>,
  options: StatusWriteOptions = {},
): Promise<StatusWriteResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const { namespace, name } = snapshot.metadata;
  let conflicts = 0;
  let current = snapshot;
  for (;;) {
    if (isSameJson(current.status ?? {}, status)) return { outcome: 'unchanged', conflicts };
    try {
      await api.replaceStatus({ ...current, status });
      return { outcome: 'written', conflicts };
    } catch (error) {
      // Deleted since the pass read it: its status no longer matters.
      if (error instanceof NotFoundError) return { outcome: 'superseded', conflicts };
      if (!(error instanceof ConflictError)) throw error;
      conflicts++;
      if (conflicts >= maxAttempts) {
        throw new ConflictError(
          `Failed to write the status of ${kindOf(snapshot)} ${namespace}/${name}: ${String(conflicts)} writes in a row met a newer version`,
          {
            cause: error,
            code: 409,
            ...(error.reason === undefined ? {} : { reason: error.reason }),
          },
        );
      }
    }
    try {
      current = await api.get(namespace, name);
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'superseded', conflicts };
      throw error;
    }
    // Another spec (a new generation), or another object of the same name (deleted, created).
    if (
      current.metadata.generation !== snapshot.metadata.generation ||
      current.metadata.uid !== snapshot.metadata.uid
    ) {
      return { outcome: 'superseded', conflicts };
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

/** The object's kind for a message (GlusterCluster, GlusterVolume). */
function kindOf(object: CustomObject): string {
  const { kind } = object as { readonly kind?: unknown };
  return typeof kind === 'string' ? kind : 'object';
}
