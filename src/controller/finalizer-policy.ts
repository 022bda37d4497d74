import type { CustomResourceApi } from '../kube/custom-resource-api.js';

interface Finalizable {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
  };
}

/**
 * A pass's first step on the object it read: keeps the operator's `finalizer` exactly when
 * deleting the resource has work to do (`actsOnDeletion`: GlusterCluster's `deletionPolicy:
 * Dissolve`, GlusterVolume's `Delete`); otherwise the resource goes at once when deleted. Returns
 * the object as it now is, or undefined for a resource being deleted without the finalizer:
 * nothing is left to do for it, and what the operator kept for it is forgotten first.
 */
export async function applyFinalizerPolicy<TObject extends Finalizable>(
  api: Pick<CustomResourceApi<TObject>, 'addFinalizer' | 'removeFinalizer'>,
  object: TObject,
  policy: { readonly finalizer: string; readonly actsOnDeletion: boolean },
  forget: () => Promise<void>,
): Promise<TObject | undefined> {
  const { namespace, name, deletionTimestamp, finalizers } = object.metadata;
  const hasFinalizer = finalizers?.includes(policy.finalizer) ?? false;
  if (deletionTimestamp !== undefined) {
    if (hasFinalizer) return object;
    await forget();
    return undefined;
  }
  if (policy.actsOnDeletion && !hasFinalizer) return api.addFinalizer(namespace, name);
  if (!policy.actsOnDeletion && hasFinalizer) return api.removeFinalizer(namespace, name);
  return object;
}
