import type { SshCredentials, SshCredentialsSource } from '../kube/ssh-credentials.js';

/** How long a read Secret is used before it is read again. */
export const CREDENTIALS_TTL_MS = 60_000;

/**
 * The SSH Secrets, read at most once per CREDENTIALS_TTL_MS each (per namespace and name), so a
 * pass does not cost an API request for a Secret that rarely changes. A changed Secret is
 * invalidated by the Secret watch at once (`invalidate`), and picked up within the TTL should
 * that watch be down; a failed read is not kept (the next pass reads again); loads at the same
 * time share one read. Entries of Secrets no pass asked for within the TTL are dropped.
 */
export class CredentialsCache implements SshCredentialsSource {
  private readonly entries = new Map<
    string,
    { readonly credentials: Promise<SshCredentials>; readonly atMs: number }
  >();

  constructor(
    private readonly source: SshCredentialsSource,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = CREDENTIALS_TTL_MS,
  ) {}

  async load(namespace: string, secretName: string): Promise<SshCredentials> {
    const key = `${namespace}/${secretName}`;
    const nowMs = this.now();
    for (const [other, entry] of this.entries) {
      if (nowMs - entry.atMs >= this.ttlMs) this.entries.delete(other);
    }
    const cached = this.entries.get(key);
    if (cached) return cached.credentials;
    // Kept while it is being read, so passes that ask at once share one read.
    const credentials = this.source.load(namespace, secretName);
    const entry = { credentials, atMs: nowMs };
    this.entries.set(key, entry);
    try {
      return await credentials;
    } catch (error) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw error;
    }
  }

  /**
   * The Secret changed (or is gone): the next load reads it again. A read in flight is dropped
   * too, since it may have started before the change.
   */
  invalidate(namespace: string, secretName: string): void {
    this.entries.delete(`${namespace}/${secretName}`);
  }
}
