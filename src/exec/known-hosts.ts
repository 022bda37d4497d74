import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';

/** One usable line of an OpenSSH known_hosts file. */
interface KnownHostEntry {
  readonly marker: 'revoked' | undefined;
  readonly patterns: readonly string[] | undefined; // undefined when hashed
  readonly hashed: { readonly salt: Buffer; readonly hash: Buffer } | undefined;
  readonly keyType: string;
  readonly keyBase64: string;
}

export type HostKeyVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'unknown-host' | 'key-mismatch' | 'key-revoked' };

/**
 * known_hosts in OpenSSH's format: plain and hashed (`|1|salt|hash`) host names, `[host]:port`
 * for non-standard ports, comma-separated patterns with `*`/`?` wildcards and `!` negation, and
 * `@revoked` lines. `@cert-authority` lines are ignored: host certificates are not supported,
 * so such a host is "unknown" rather than silently trusted.
 */
export class KnownHosts {
  private constructor(private readonly entries: readonly KnownHostEntry[]) {}

  static parse(text: string): KnownHosts {
    const entries: KnownHostEntry[] = [];
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let marker: KnownHostEntry['marker'];
      if (fields[0]?.startsWith('@')) {
        const word = fields.shift();
        if (word === '@cert-authority') return;
        if (word !== '@revoked') {
          throw new InvalidArgumentError(`known_hosts line ${index + 1}: unknown marker ${word}`);
        }
        marker = 'revoked';
      }
      const [hosts, keyType, keyBase64] = fields;
      if (hosts === undefined || keyType === undefined || keyBase64 === undefined) {
        throw new InvalidArgumentError(
          `known_hosts line ${index + 1}: expected "hosts key-type base64-key"`,
        );
      }
      entries.push({ marker, keyType, keyBase64, ...parseHosts(hosts, index + 1) });
    });
    return new KnownHosts(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The key types known for a host, so the client can ask the server for one of those. */
  keyTypesFor(host: string, port: number): string[] {
    const names = lookupNames(host, port);
    const types = this.entries
      .filter((entry) => entry.marker === undefined && matchesAny(entry, names))
      .map((entry) => entry.keyType);
    return [...new Set(types)];
  }

  /** `keyBlob` is the host key in SSH wire format, as ssh2's hostVerifier receives it. */
  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const names = lookupNames(host, port);
    const presented = keyBlob.toString('base64');
    const matching = this.entries.filter((entry) => matchesAny(entry, names));
    if (matching.some((entry) => entry.marker === 'revoked' && entry.keyBase64 === presented)) {
      return { ok: false, reason: 'key-revoked' };
    }
    const known = matching.filter((entry) => entry.marker === undefined);
    if (known.length === 0) return { ok: false, reason: 'unknown-host' };
    if (known.some((entry) => entry.keyBase64 === presented)) return { ok: true };
    return { ok: false, reason: 'key-mismatch' };
  }
}

function parseHosts(
  field: string,
  lineNumber: number,
): Pick<KnownHostEntry, 'patterns' | 'hashed'> {
  if (!field.startsWith('|')) {
    return { patterns: field.toLowerCase().split(','), hashed: undefined };
  }
  const [, kind, salt, hash] = field.split('|');
  if (kind !== '1' || salt === undefined || hash === undefined) {
    throw new InvalidArgumentError(`known_hosts line ${lineNumber}: unsupported hashed host name`);
  }
  return {
    patterns: undefined,
    hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') },
  };
}

/** The names OpenSSH looks a host up by: `host` on port 22, `[host]:port` otherwise. */
function lookupNames(host: string, port: number): string[] {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return [port === 22 ? bare : `[${bare}]:${port}`];
}

function matchesAny(entry: KnownHostEntry, names: readonly string[]): boolean {
  return names.some((name) => matchesName(entry, name));
}

function matchesName(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed !== undefined) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.length === entry.hashed.hash.length && timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns ?? []) {
    const negated = pattern.startsWith('!');
    if (globMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  const source = pattern
    .split('')
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`).test(name);
}
