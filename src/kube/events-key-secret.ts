import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { ConflictError, NotFoundError, toKubeError } from './kube-errors.js';

/** The data key of the operator's events key Secret. */
export const EVENTS_KEY_KEY = 'key';

/** A key shorter than this is refused: every pool's token is derived from it. */
const MIN_KEY_BYTES = 32;

/** The operator's events key (from which each pool's token is derived) could not be had. */
export class EventsKeyError extends Error {
  override readonly name = 'EventsKeyError';
}

/**
 * Reads the operator's events key from the Secret `name` in `namespace` (the operator's own),
 * creating it with 32 random bytes when it does not exist: the key never leaves the API server
 * and the operator's memory, and deleting the Secret (or replacing its key) rotates every pool's
 * token at their next registration check.
 */
export async function readOrCreateEventsKey(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<Buffer> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return keyOf(await core.readNamespacedSecret({ namespace, name }), namespace, name);
    } catch (error) {
      const failure = toKubeError(error);
      if (!(failure instanceof NotFoundError)) throw failure;
    }
    try {
      const body = {
        metadata: { name, labels: { 'app.kubernetes.io/part-of': 'gluster-operator' } },
        type: 'Opaque',
        data: { [EVENTS_KEY_KEY]: randomBytes(32).toString('base64') },
      };
      const created = await core.createNamespacedSecret({
        namespace,
        // client-node types bodies as its model classes, which are data only; it sends plain
        // objects all the same.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
        body,
      });
      return keyOf(created, namespace, name);
    } catch (error) {
      const failure = toKubeError(error);
      // Another replica created it first: read theirs.
      if (!(failure instanceof ConflictError)) throw failure;
    }
  }
  throw new EventsKeyError(
    `The events key Secret ${namespace}/${name} could not be read or created`,
  );
}

function keyOf(
  secret: { readonly data?: Record<string, string> },
  namespace: string,
  name: string,
): Buffer {
  const encoded = secret.data?.[EVENTS_KEY_KEY];
  const key = encoded === undefined ? undefined : Buffer.from(encoded, 'base64');
  if (key === undefined || key.length < MIN_KEY_BYTES) {
    throw new EventsKeyError(
      `The Secret ${namespace}/${name} must hold at least ${MIN_KEY_BYTES} bytes under "${EVENTS_KEY_KEY}"`,
    );
  }
  return key;
}
