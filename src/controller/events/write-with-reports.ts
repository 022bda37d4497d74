import type { CustomObject, CustomResourceApi } from '../../kube/custom-resource-api.js';
import { ConflictError, NotFoundError } from '../../kube/kube-errors.js';
import type { Leadership } from '../pass/leadership.js';

/** Writes refused with 409 before this one gives up (the pass the event started writes anyway). */
const MAX_ATTEMPTS = 4;

/**
 * Writes the resource's status with `apply` laid over the stored one: read, apply, replace
 * conditional on the resourceVersion read, and on a conflict all three again (a pass may have
 * written meanwhile: the reports go over its status, not over an older one). Nothing is written
 * when there is no status yet, when `apply` changes nothing, or by a replica that does not lead.
 * Returns whether it wrote.
 */
export async function writeWithReports<T extends CustomObject & { readonly status?: S }, S>(
  api: Pick<CustomResourceApi<T>, 'get' | 'replaceStatus'>,
  key: { readonly namespace: string; readonly name: string },
  apply: (status: S) => S,
  leadership: Leadership | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let current: T;
    try {
      current = await api.get(key.namespace, key.name);
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
    if (current.status === undefined) return false;
    const next = apply(current.status);
    if (next === current.status) return false;
    // The standby never acts on events; nor does a leader whose lease ran out.
    if (leadership !== undefined && leadership.remainingMs() <= 0) return false;
    try {
      await api.replaceStatus({ ...current, status: next });
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return false;
}
