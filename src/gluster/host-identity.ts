import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { OperatorError } from '../errors.js';

/** Resolves a host name to its addresses (normalized); an IP address resolves to itself. */
export type Resolver = (host: string) => Promise<readonly string[]>;

export class HostResolutionError extends OperatorError {
  constructor(
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not resolve ${host} to an address`, options);
  }
}

/** The system resolver (/etc/hosts, DNS), IPv4 and IPv6. */
export const systemResolver: Resolver = async (host) => {
  const bare = stripBrackets(host);
  if (isIP(bare) !== 0) return [normalizeHost(bare)];
  try {
    const addresses = await lookup(bare, { all: true, order: 'verbatim' });
    return addresses.map((entry) => normalizeHost(entry.address));
  } catch (cause) {
    throw new HostResolutionError(host, { cause });
  }
};

/** A resolver over a fixed table (name → addresses), for tests and offline tools. */
export function tableResolver(table: Readonly<Record<string, readonly string[]>>): Resolver {
  return (host) => {
    const bare = stripBrackets(host);
    if (isIP(bare) !== 0) return Promise.resolve([normalizeHost(bare)]);
    const addresses = table[normalizeHost(bare)];
    if (!addresses) return Promise.reject(new HostResolutionError(host));
    return Promise.resolve(addresses.map(normalizeHost));
  };
}

/**
 * One spelling per host: IPv6 in its canonical compressed form (`FD42:0:0::0011` and
 * `fd42::11` are one address), IPv4-mapped IPv6 as IPv4, names lower case without a final dot.
 */
export function normalizeHost(host: string): string {
  const bare = stripBrackets(host.trim());
  if (isIP(bare) === 6) {
    const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
    if (mapped) {
      const high = parseInt(mapped[1] ?? '0', 16);
      const low = parseInt(mapped[2] ?? '0', 16);
      return [high >> 8, high & 255, low >> 8, low & 255].join('.');
    }
    return canonical;
  }
  return bare.toLowerCase().replace(/\.$/, '');
}

/**
 * peer-ops' convert_hosts_to_ip: each host as an IP address (the first its resolver gives),
 * with `localhost` standing for `localNode`, the node whose view the list came from.
 * @throws HostResolutionError for a name that does not resolve
 */
export async function convertHostsToIp(
  hosts: readonly string[],
  options: { readonly localNode?: string; readonly resolver?: Resolver } = {},
): Promise<string[]> {
  const resolver = options.resolver ?? systemResolver;
  return Promise.all(
    hosts.map(async (host) => {
      const name =
        host === 'localhost' && options.localNode !== undefined ? options.localNode : host;
      const [first] = await resolver(name);
      if (first === undefined) throw new HostResolutionError(name);
      return first;
    }),
  );
}

/** Something gluster knows by a UUID and some names (a peer, a pool member). */
export interface NamedPeer {
  readonly uuid: string;
  readonly hostnames: readonly string[];
}

/**
 * Decides whether two spellings name the same machine: by UUID when both sides know it, else by
 * any shared name or resolved address. Caches lookups for its lifetime (one operation), so a
 * pool of N members costs N lookups, not N².
 */
export class HostMatcher {
  private readonly cache = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(private readonly resolver: Resolver = systemResolver) {}

  /** The host's own spelling plus every address it resolves to; unresolvable is just the name. */
  identityOf(host: string): Promise<ReadonlySet<string>> {
    const key = normalizeHost(host);
    let identity = this.cache.get(key);
    if (!identity) {
      identity = this.resolver(host).then(
        (addresses) => new Set([key, ...addresses.map(normalizeHost)]),
        () => new Set([key]),
      );
      this.cache.set(key, identity);
    }
    return identity;
  }

  async isSameHost(a: string, b: string): Promise<boolean> {
    const [left, right] = await Promise.all([this.identityOf(a), this.identityOf(b)]);
    for (const name of left) if (right.has(name)) return true;
    return false;
  }

  /** The peer that is `target` (by UUID when known, else by any of its names), if any. */
  async findPeer<P extends NamedPeer>(
    peers: readonly P[],
    target: { readonly host: string; readonly uuid?: string | undefined },
  ): Promise<P | undefined> {
    if (target.uuid !== undefined) {
      const byUuid = peers.find((peer) => peer.uuid === target.uuid);
      if (byUuid) return byUuid;
    }
    // The same spelling needs no lookup; most pools are addressed the way they were probed.
    const spelling = normalizeHost(target.host);
    const bySpelling = peers.find((peer) =>
      peer.hostnames.some((name) => normalizeHost(name) === spelling),
    );
    if (bySpelling) return bySpelling;
    for (const peer of peers) {
      for (const name of peer.hostnames) {
        if (await this.isSameHost(name, target.host)) return peer;
      }
    }
    return undefined;
  }
}

function stripBrackets(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}
