import { XMLParser } from 'fast-xml-parser';
import type { GlusterTestPool, TestNode } from './gluster-test-pool.js';
import type { CommandResult } from './run-command.js';
import { TestbedError } from './testbed-error.js';
import { waitUntil } from './wait-until.js';

/**
 * Just enough of the Gluster CLI for the testbed's own tests and fixture capture: the operator's
 * real parsers live in src/gluster and are tested against the fixtures captured with this.
 */
export function runGluster(
  pool: GlusterTestPool,
  node: TestNode | string,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  return pool.execOnNode(node, ['gluster', '--mode=script', '--xml', ...args], opts);
}

export interface PeerRow {
  readonly hostname: string;
  /** Every name and address the reporting node knows the peer by. */
  readonly hostnames: readonly string[];
  readonly connected: boolean;
  readonly state: number | undefined;
}

const parser = new XMLParser({
  isArray: (_name, jpath) =>
    jpath === 'cliOutput.peerStatus.peer' ||
    jpath === 'cliOutput.peerStatus.peer.hostnames.hostname',
  parseTagValue: false,
});

/** Rows of `pool list` or `peer status`; throws unless the CLI ran and reported success. */
export function parsePeerRows(r: CommandResult): PeerRow[] {
  if (r.exitCode !== 0) throw new TestbedError(`gluster exited ${r.exitCode}: ${r.stderr.trim()}`);
  const doc = parser.parse(r.stdout) as {
    cliOutput?: { opRet?: string; peerStatus?: { peer?: Record<string, unknown>[] } | '' };
  };
  const out = doc.cliOutput;
  if (out?.opRet !== '0') throw new TestbedError(`gluster failed: ${r.stdout}`);
  const peers =
    out.peerStatus === '' || out.peerStatus === undefined ? [] : (out.peerStatus.peer ?? []);
  return peers.map((p) => ({
    hostname: String(p['hostname']),
    hostnames: ((p['hostnames'] as { hostname?: string[] } | undefined)?.hostname ?? []).map(
      String,
    ),
    connected: p['connected'] === '1',
    state: p['state'] === undefined ? undefined : Number(p['state']),
  }));
}

/** Probes each of `others` from `from`, and waits until every node sees every other in state 3. */
export async function formPool(
  pool: GlusterTestPool,
  from: TestNode,
  others: readonly TestNode[],
): Promise<void> {
  for (const node of others) {
    const r = await runGluster(pool, from, ['peer', 'probe', node.hostname]);
    if (!r.stdout.includes('<opRet>0</opRet>')) {
      throw new TestbedError(`Probe of ${node.hostname} failed: ${r.stdout}${r.stderr}`);
    }
  }
  const members = [from, ...others];
  await Promise.all(
    members.map((node) =>
      waitUntil(`${node.name} to see ${members.length - 1} connected peers`, async () => {
        const rows = parsePeerRows(await runGluster(pool, node, ['peer', 'status']));
        const healthy = rows.filter((p) => p.connected && p.state === 3);
        return healthy.length === members.length - 1 ? true : undefined;
      }),
    ),
  );
}

/** Waits until `observer` reports `subject` with the given connected flag. */
export async function waitForPeerConnected(
  pool: GlusterTestPool,
  observer: TestNode,
  subject: TestNode,
  connected: boolean,
  timeoutMs = 60_000,
): Promise<void> {
  await waitUntil(
    `${observer.name} to see ${subject.name} ${connected ? 'connected' : 'disconnected'}`,
    async () => {
      const rows = parsePeerRows(await runGluster(pool, observer, ['peer', 'status']));
      const names = [subject.hostname, subject.ipv4, subject.ipv6];
      const row = rows.find((p) => [p.hostname, ...p.hostnames].some((h) => names.includes(h)));
      return row?.connected === connected ? true : undefined;
    },
    { timeoutMs },
  );
}

export interface OpResult {
  readonly opRet: number;
  readonly opErrno: number;
  readonly opErrstr: string;
}

const opParser = new XMLParser({ parseTagValue: false });

/** The outcome gluster reports in its XML (it fails with exit code 0 as often as not). */
export function parseOpResult(r: CommandResult): OpResult {
  const doc = opParser.parse(r.stdout) as {
    cliOutput?: { opRet?: string; opErrno?: string; opErrstr?: string };
  };
  const out = doc.cliOutput;
  if (out?.opRet === undefined) {
    throw new TestbedError(`gluster printed no result (exit ${r.exitCode}): ${r.stderr.trim()}`);
  }
  return {
    opRet: Number(out.opRet),
    opErrno: Number(out.opErrno ?? 0),
    opErrstr: out.opErrstr ?? '',
  };
}

export interface BrickStatusRow {
  readonly hostname: string;
  readonly path: string;
  readonly online: boolean;
  /** undefined while offline (gluster reports -1). */
  readonly pid: number | undefined;
}

const statusParser = new XMLParser({
  isArray: (_name, jpath) => jpath === 'cliOutput.volStatus.volumes.volume.node',
  parseTagValue: false,
});

/** The brick rows of `volume status <volume>` (not the self-heal daemons'). */
export function parseBrickStatus(r: CommandResult): BrickStatusRow[] {
  const doc = statusParser.parse(r.stdout) as {
    cliOutput?: {
      opRet?: string;
      volStatus?: { volumes?: { volume?: { node?: Record<string, unknown>[] } } };
    };
  };
  const out = doc.cliOutput;
  if (out?.opRet !== '0') throw new TestbedError(`gluster volume status failed: ${r.stdout}`);
  return (out.volStatus?.volumes?.volume?.node ?? [])
    .filter((n) => String(n['path']).startsWith('/'))
    .map((n) => {
      const pid = Number(n['pid']);
      return {
        hostname: String(n['hostname']),
        path: String(n['path']),
        online: n['status'] === '1',
        pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
      };
    });
}

export interface HealSummaryRow {
  /** `host:/path` */
  readonly brick: string;
  /** `Connected`, or why the brick could not be read. */
  readonly status: string;
  /** Entries still to heal on that brick; undefined when it could not be read. */
  readonly totalEntries: number | undefined;
}

const healParser = new XMLParser({
  isArray: (_name, jpath) => jpath === 'cliOutput.healInfo.bricks.brick',
  parseTagValue: false,
});

/** Rows of `volume heal <volume> info summary`, one per brick. */
export function parseHealSummary(r: CommandResult): HealSummaryRow[] {
  const doc = healParser.parse(r.stdout) as {
    cliOutput?: {
      opRet?: string;
      healInfo?: { bricks?: { brick?: Record<string, unknown>[] } };
    };
  };
  const out = doc.cliOutput;
  if (out?.opRet !== '0') throw new TestbedError(`gluster volume heal info failed: ${r.stdout}`);
  return (out.healInfo?.bricks?.brick ?? []).map((b) => {
    const total = b['totalNumberOfEntries'];
    return {
      brick: String(b['name']),
      status: String(b['status']),
      totalEntries: total === undefined ? undefined : Number(total),
    };
  });
}
