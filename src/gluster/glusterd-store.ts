import type { CallOptions, GlusterCli } from './gluster-cli.js';

/** The verb a store read is logged and counted under. */
export const STORE_READ_VERB = 'store read';

/**
 * What a node's glusterd keeps on disk about itself (`glusterd.info`, `peers/`, `vols/` in its
 * working directory), and whether anything listens on glusterd's management port in the node's
 * network namespace.
 */
export interface GlusterdStoreSummary {
  /** The glusterd UUID (`UUID=` of glusterd.info). */
  readonly uuid: string;
  /** The names of the files in `peers/`: one per peer glusterd knows, named by its UUID. */
  readonly peerFiles: readonly string[];
  /** The names of the directories in `vols/`: one per volume. */
  readonly volumeNames: readonly string[];
  /** Something listens on the management port (glusterd.vol's, else 24007). */
  readonly isListening: boolean;
}

// A constant script: nothing from a spec, a status or a node is ever put into it. It reads
// glusterd.vol for the working directory and port as glusterd does (Debian's defaults
// otherwise), prints the store's three facts between markers, and counts LISTEN sockets (state
// 0A) on the port in /proc/net/tcp{,6}, which show the reader's own network namespace.
const SCRIPT = [
  'conf=/etc/glusterfs/glusterd.vol',
  'opt() { sed -n "s/^[[:space:]]*option[[:space:]][[:space:]]*$1[[:space:]][[:space:]]*\\([^[:space:]]*\\).*/\\1/p" "$conf" 2>/dev/null | head -n 1; }',
  'dir=$(opt working-directory); dir=${dir:-/var/lib/glusterd}',
  'port=$(opt transport.socket.listen-port); port=${port:-24007}',
  'case $port in *[!0-9]*) exit 3;; esac',
  'echo "--info"; cat "$dir/glusterd.info" || exit 3',
  'echo "--peers"; ls -A "$dir/peers" || exit 3',
  'echo "--vols"; ls -A "$dir/vols" || exit 3',
  'echo "--listening"',
  'awk -v p="$(printf %04X "$port")" \'$4 == "0A" { n = split($2, a, ":"); if (a[n] == p) c++ } END { print c + 0 }\' /proc/net/tcp /proc/net/tcp6 2>/dev/null',
].join('\n');

/** The argv of a store read: `sh -c` with the constant script. */
export const STORE_READ_ARGV: readonly string[] = ['sh', '-c', SCRIPT];

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads `node`'s glusterd store without the gluster CLI: one short shell command instead of a
 * CLI call, which starts a Python process (`gsyncd --version`) every time and costs ~0.1 s of
 * CPU. Good for one question only: is this node lone (no peers, no volumes) with glusterd up?
 * The store is what glusterd wrote, not what it runs with, so nothing but a probe may be decided
 * on it. Undefined when the answer cannot be read (no store there, a restricted shell, an odd
 * output); transport failures (SSH, deadline) are thrown as the CLI's are.
 */
export async function readGlusterdStore(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<GlusterdStoreSummary | undefined> {
  const result = await cli.runProgram(node, STORE_READ_ARGV, STORE_READ_VERB, options);
  if (result.exitCode !== 0) return undefined;
  return parseGlusterdStore(result.stdout);
}

/** The store read's output, or undefined when it is not exactly what the script prints. */
export function parseGlusterdStore(stdout: string): GlusterdStoreSummary | undefined {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const section = /^--(info|peers|vols|listening)$/.exec(line)?.[1];
    if (section !== undefined) {
      if (sections.has(section)) return undefined;
      current = [];
      sections.set(section, current);
    } else if (line !== '') {
      if (!current) return undefined;
      current.push(line);
    }
  }
  const info = sections.get('info');
  const peers = sections.get('peers');
  const vols = sections.get('vols');
  const listening = sections.get('listening');
  if (!info || !peers || !vols || !listening || listening.length !== 1) return undefined;
  const uuids = info.filter((line) => line.startsWith('UUID=')).map((line) => line.slice(5));
  const [uuid] = uuids;
  if (uuids.length !== 1 || uuid === undefined || !UUID_PATTERN.test(uuid)) return undefined;
  const [count] = listening;
  if (count === undefined || !/^\d+$/.test(count)) return undefined;
  return {
    uuid: uuid.toLowerCase(),
    peerFiles: peers,
    volumeNames: vols,
    isListening: Number(count) > 0,
  };
}

/** Lone by its store: no peers, no volumes, and glusterd listening. */
export function isLoneAndListening(summary: GlusterdStoreSummary): boolean {
  return summary.peerFiles.length === 0 && summary.volumeNames.length === 0 && summary.isListening;
}
