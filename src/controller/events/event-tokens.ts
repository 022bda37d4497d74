import { createHmac } from 'node:crypto';
import type { GlusterCluster } from '../../api/gluster-cluster.js';

/** A pool's token could not be had: the Secret named in spec is missing or unfit. */
export class EventTokenError extends Error {
  override readonly name = 'EventTokenError';
}

export interface EventTokensDeps {
  /** The operator's events key (read or created once, then kept). */
  readonly readKey: () => Promise<Buffer>;
  /** A Secret's data in the resource's namespace; undefined when it does not exist. */
  readonly readSecret: (
    namespace: string,
    name: string,
  ) => Promise<Readonly<Record<string, string>> | undefined>;
}

/** RFC 6750's token68, which a Bearer header carries unchanged; 32 to 256 characters. */
const TOKEN = /^[A-Za-z0-9\-._~+/]{32,256}=*$/;

/** How long the operator's key is kept before it is read again (a rotation takes effect). */
const KEY_TTL_MS = 5 * 60_000;

/**
 * The bearer token each pool's nodes send with their events: the one in spec.events's Secret,
 * or one derived for the resource (HMAC-SHA256 of its UID under the operator's key), so a node
 * of one pool can never post as another, and no Secret per pool is needed.
 */
export class EventTokens {
  private key: { value: Buffer; readMs: number } | undefined;

  constructor(
    private readonly deps: EventTokensDeps,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** @throws EventTokenError for an unusable Secret named in spec; API errors as they come */
  async tokenFor(cluster: GlusterCluster): Promise<string> {
    const ref = cluster.spec.events?.tokenSecretRef;
    if (ref) {
      const data = await this.deps.readSecret(cluster.metadata.namespace, ref.name);
      const where = `Secret ${cluster.metadata.namespace}/${ref.name}`;
      if (data === undefined) throw new EventTokenError(`The ${where} does not exist`);
      const key = ref.key ?? 'token';
      const encoded = Object.hasOwn(data, key) ? data[key] : undefined;
      const token =
        encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8').trim();
      if (token === undefined || !TOKEN.test(token)) {
        throw new EventTokenError(
          `The ${where} must hold a token of 32 to 256 characters (letters, digits, -._~+/) under "${key}"`,
        );
      }
      return token;
    }
    const uid = cluster.metadata.uid;
    if (uid === undefined) throw new EventTokenError('The resource has no UID yet');
    return createHmac('sha256', await this.operatorKey())
      .update(`gluster-operator/events/v1/${uid}`)
      .digest('base64url');
  }

  private async operatorKey(): Promise<Buffer> {
    const now = this.nowMs();
    if (this.key && now - this.key.readMs < KEY_TTL_MS) return this.key.value;
    const value = await this.deps.readKey();
    this.key = { value, readMs: now };
    return value;
  }
}
