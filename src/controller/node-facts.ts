/** How long a node's gluster version and the pool's op-version are trusted before reading again. */
export const FACTS_REFRESH_MS = 10 * 60_000;

/**
 * What rarely changes about a pool's nodes, kept between passes so a pass does not ask again:
 * each node's gluster version (per address and glusterd UUID: a reinstalled node has a new
 * UUID) and the pool's op-version. Both are read again after FACTS_REFRESH_MS, a node's version
 * also after its glusterd was seen down (it may have been upgraded).
 */
export class NodeFacts {
  private readonly versions = new Map<string, { readonly version: string; readonly atMs: number }>();
  private opVersionEntry: { readonly value: number; readonly atMs: number } | undefined;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly refreshMs = FACTS_REFRESH_MS,
  ) {}

  versionOf(address: string, uuid: string): string | undefined {
    const entry = this.versions.get(key(address, uuid));
    return entry && this.now() - entry.atMs < this.refreshMs ? entry.version : undefined;
  }

  rememberVersion(address: string, uuid: string, version: string): void {
    this.versions.set(key(address, uuid), { version, atMs: this.now() });
  }

  /** glusterd on `address` was down: it may come back as another version. */
  forgetNode(address: string): void {
    for (const entry of this.versions.keys()) {
      if (entry.startsWith(`${address}\n`)) this.versions.delete(entry);
    }
  }

  get opVersion(): number | undefined {
    const entry = this.opVersionEntry;
    return entry && this.now() - entry.atMs < this.refreshMs ? entry.value : undefined;
  }

  rememberOpVersion(value: number): void {
    this.opVersionEntry = { value, atMs: this.now() };
  }
}

function key(address: string, uuid: string): string {
  return `${address}\n${uuid}`;
}
