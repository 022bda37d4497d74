/** How long a node's gluster version and the pool's op-version are trusted before reading again. */
export const FACTS_REFRESH_MS = 10 * 60_000;
/** A probe handshake that has not finished after this long will not finish by itself. */
export const PROBE_STUCK_AFTER_MS = 2 * 60_000;

/**
 * What rarely changes about a pool's nodes, kept between passes so a pass does not ask again:
 * each node's gluster version (per address, dropped when the node answers with another glusterd
 * UUID: reinstalled), the pool's op-version, and the volumes of a lone node that gluster refused
 * to probe for them (so the next passes read them again and say NodeHasVolumes instead of
 * probing again). Both are read again after FACTS_REFRESH_MS, a node's version
 * also after its glusterd was seen down (it may have been upgraded).
 */
export class NodeFacts {
  private readonly versions = new Map<
    string,
    { readonly uuid: string; readonly version: string; readonly atMs: number }
  >();
  private opVersionEntry: { readonly value: number; readonly atMs: number } | undefined;
  /** Volumes a lone node turned out to have (gluster refused to probe it), per address. */
  private readonly volumes = new Map<
    string,
    { readonly uuid: string; readonly names: readonly string[]; readonly atMs: number }
  >();
  /** Spec nodes seen Probing, pass after pass, since when. */
  private readonly probingSince = new Map<string, number>();

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

  /** The volumes lone node `address` (glusterd `uuid`) has, while fresh. */
  volumesOf(address: string, uuid: string): readonly string[] | undefined {
    const entry = this.volumes.get(address);
    if (!entry || entry.uuid !== uuid || this.now() - entry.atMs >= this.refreshMs)
      return undefined;
    return entry.names;
  }

  rememberVolumes(address: string, uuid: string, names: readonly string[]): void {
    this.volumes.set(address, { uuid, names, atMs: this.now() });
  }

  forgetVolumes(address: string): void {
    this.volumes.delete(address);
  }

  /** The nodes Probing in this pass's final look (the others are no longer probing). */
  noteProbing(addresses: readonly string[]): void {
    for (const address of this.probingSince.keys()) {
      if (!addresses.includes(address)) this.probingSince.delete(address);
    }
    for (const address of addresses) {
      if (!this.probingSince.has(address)) this.probingSince.set(address, this.now());
    }
  }

  /** Nodes that have been Probing, every pass, for PROBE_STUCK_AFTER_MS or longer. */
  stuckProbing(): Set<string> {
    const nowMs = this.now();
    return new Set(
      [...this.probingSince]
        .filter(([, sinceMs]) => nowMs - sinceMs >= PROBE_STUCK_AFTER_MS)
        .map(([address]) => address),
    );
  }

  get opVersion(): number | undefined {
    const entry = this.opVersionEntry;
    return entry && this.now() - entry.atMs < this.refreshMs ? entry.value : undefined;
  }

  rememberOpVersion(value: number): void {
    this.opVersionEntry = { value, atMs: this.now() };
  }
}
