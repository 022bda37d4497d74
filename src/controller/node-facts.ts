/** How long a node's gluster version and the pool's op-version are trusted before reading again. */
export const FACTS_REFRESH_MS = 10 * 60_000;

/**
 * What rarely changes about a pool's nodes, kept between passes so a pass does not ask again:
 * each node's gluster version (per address, dropped when the node answers with another glusterd
 * UUID: reinstalled) and the pool's op-version. Both are read again after FACTS_REFRESH_MS, a node's version
 * also after its glusterd was seen down (it may have been upgraded).
 */
export class NodeFacts {
  private readonly versions = new Map<
    string,
    { readonly uuid: string; readonly version: string; readonly atMs: number }
  >();
  private opVersionEntry: { readonly value: number; readonly atMs: number } | undefined;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly refreshMs = FACTS_REFRESH_MS,
  ) {}

  /** The version `address` reported, while fresh, with the glusterd UUID it had then. */
  versionOf(address: string): { readonly uuid: string; readonly version: string } | undefined {
    const entry = this.versions.get(address);
    return entry && this.now() - entry.atMs < this.refreshMs ? entry : undefined;
  }

  rememberVersion(address: string, uuid: string, version: string): void {
    this.versions.set(address, { uuid, version, atMs: this.now() });
  }

  /** glusterd on `address` was down, or is another glusterd now: ask its version again. */
  forgetNode(address: string): void {
    this.versions.delete(address);
  }

  get opVersion(): number | undefined {
    const entry = this.opVersionEntry;
    return entry && this.now() - entry.atMs < this.refreshMs ? entry.value : undefined;
  }

  rememberOpVersion(value: number): void {
    this.opVersionEntry = { value, atMs: this.now() };
  }
}
