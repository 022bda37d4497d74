/**
 * Regenerates test/fixtures/gluster/ from real glusterd: `tsx testbed/capture-fixtures.ts`.
 *
 * One six-node pool walks through the states the operator must read: n1 alone, n1+n2, n1..n4
 * (with n4's glusterd down for a while), and n5+n6 as a second, separate pool. Every command runs
 * through execOnNode (no SSH) with LANG=C. Writes each answer to its own file and rewrites the
 * table in README.md between the capture markers; the rest of the README is prose kept by hand.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formPool, runGluster, waitForPeerConnected } from './gluster-commands.js';
import { startGlusterTestPool, type GlusterTestPool, type TestNode } from './gluster-test-pool.js';
import type { CommandResult } from './run-command.js';
import { waitUntil } from './wait-until.js';

const OUT_DIR = fileURLToPath(new URL('../test/fixtures/gluster/', import.meta.url));
const BEGIN = '<!-- captures:begin -->';
const END = '<!-- captures:end -->';

interface Capture {
  readonly file: string;
  readonly node: string;
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly opRet: string;
  readonly opErrno: string;
  readonly opErrstr: string;
  readonly stderr: string;
  readonly what: string;
}

const captures: Capture[] = [];

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const pool = await startGlusterTestPool({ name: 'fixtures', nodeCount: 6 });
  try {
    await capture(pool);
  } finally {
    await pool.destroy();
  }
  await writeFile(join(OUT_DIR, 'captures.json'), `${JSON.stringify(captures, null, 2)}\n`);
  await updateReadme();
}

async function capture(pool: GlusterTestPool): Promise<void> {
  const [n1, n2, n3, n4, n5, n6] = pool.nodes as [
    TestNode,
    TestNode,
    TestNode,
    TestNode,
    TestNode,
    TestNode,
  ];
  const c = new Capturer(pool);
  // An address in the pool's subnet that no node has: ARP goes unanswered on the bridge.
  const unassigned = n1.ipv4.replace(/\.\d+$/, '.250');

  // n1 alone.
  await c.text('version.txt', n1, ['gluster', '--version'], 'plain `gluster --version`');
  await c.xml('pool-list-lone.xml', n1, ['pool', 'list'], 'lone node: just the localhost row');
  await c.xml('peer-status-none.xml', n1, ['peer', 'status'], 'lone node: no peers');
  await c.xml('volume-info-none.xml', n1, ['volume', 'info'], 'no volumes');
  await c.xml(
    'volume-get-op-version.xml',
    n1,
    ['volume', 'get', 'all', 'cluster.op-version'],
    'cluster op-version',
  );
  await c.xml('probe-localhost.xml', n1, ['peer', 'probe', 'localhost'], 'probe of `localhost`');
  await c.xml(
    'probe-self-by-name.xml',
    n1,
    ['peer', 'probe', n1.hostname],
    "probe of the node's own name",
  );
  await c.xml(
    'probe-self-by-address.xml',
    n1,
    ['peer', 'probe', n1.ipv4],
    "probe of the node's own address",
  );
  await c.xml(
    'probe-unresolvable.xml',
    n1,
    ['peer', 'probe', 'no-such-host.invalid'],
    'probe of a name that does not resolve',
  );
  await c.xml(
    'probe-unreachable.xml',
    n1,
    ['peer', 'probe', unassigned],
    'probe of an address in the subnet that nobody has',
  );
  await c.xml(
    'probe-ipv6-address.xml',
    n1,
    ['peer', 'probe', n3.ipv6],
    "probe of a live node's IPv6 address (Debian's glusterd.vol: IPv4 only)",
  );
  await c.xml('detach-localhost.xml', n1, ['peer', 'detach', 'localhost'], 'detach of `localhost`');
  await c.xml(
    'detach-self-by-name.xml',
    n1,
    ['peer', 'detach', n1.hostname],
    "detach of the node's own name",
  );
  await c.xml(
    'detach-not-member.xml',
    n1,
    ['peer', 'detach', n3.hostname],
    'detach of a node that is not a member',
  );
  await c.xml(
    'detach-unresolvable.xml',
    n1,
    ['peer', 'detach', 'no-such-host.invalid'],
    'detach of a name that does not resolve',
  );

  // A node whose glusterd is not running, from its own side and from a prober's.
  await pool.stopGlusterd(n3);
  await c.xml(
    'probe-connection-refused.xml',
    n1,
    ['peer', 'probe', n3.hostname],
    'probe of a node whose glusterd is stopped (connection refused)',
  );
  await c.raw(
    'cli-glusterd-down-xml.json',
    n3,
    ['gluster', '--mode=script', '--xml', 'pool', 'list'],
    'CLI with --xml while the local glusterd is stopped',
  );
  await c.raw(
    'cli-glusterd-down-text.json',
    n3,
    ['gluster', '--mode=script', 'pool', 'list'],
    'CLI without --xml while the local glusterd is stopped',
  );
  await pool.startGlusterd(n3);
  // The CLI gives up after --timeout, but glusterd goes on probing: until the connection attempt
  // fails (ARP, about 3 s), the address is a pending peer and a new probe of it says so.
  await c.raw(
    'cli-timeout-xml.json',
    n1,
    ['gluster', '--mode=script', '--xml', '--timeout=1', 'peer', 'probe', unassigned],
    '--timeout=1 on a probe that takes longer',
  );
  await c.xml(
    'probe-while-pending.xml',
    n1,
    ['peer', 'probe', unassigned],
    'probe of an address whose earlier probe is still pending (it fails later)',
  );
  await waitUntilNotPending(pool, n1, unassigned);
  await c.raw(
    'cli-timeout-text.json',
    n1,
    ['gluster', '--mode=script', '--timeout=1', 'peer', 'probe', unassigned],
    'the same without --xml',
  );
  await waitUntilNotPending(pool, n1, unassigned);

  // n1 + n2.
  await c.xml(
    'probe-success.xml',
    n1,
    ['peer', 'probe', n2.hostname],
    'probe of a new node by name',
  );
  await waitForPeerConnected(pool, n1, n2, true);
  await waitUntilInCluster(pool, [n1, n2]);
  await c.xml('pool-list-one-peer.xml', n1, ['pool', 'list'], 'n1 and n2: one peer plus localhost');
  await c.xml('peer-status-one-peer.xml', n1, ['peer', 'status'], 'n1 and n2: one peer');
  await c.xml(
    'peer-status-one-peer-other-side.xml',
    n2,
    ['peer', 'status'],
    "the same pool from the probed node's side",
  );
  await c.xml(
    'probe-already-member.xml',
    n1,
    ['peer', 'probe', n2.hostname],
    'probe of a node already in the pool',
  );
  await c.xml(
    'probe-already-member-by-address.xml',
    n1,
    ['peer', 'probe', n2.ipv4],
    'probe by address of a member probed by name',
  );

  // n5 + n6: a second pool.
  await formPool(pool, n5, [n6]);
  await c.xml(
    'probe-member-of-another-pool.xml',
    n1,
    ['peer', 'probe', n5.hostname],
    'probe of a node that belongs to another pool',
  );

  // n1..n4, n4 by address.
  await c.xml(
    'probe-success-by-address.xml',
    n1,
    ['peer', 'probe', n4.ipv4],
    'probe of a new node by IPv4 address',
  );
  await runGluster(pool, n1, ['peer', 'probe', n3.hostname]);
  await waitUntilInCluster(pool, [n1, n2, n3, n4]);
  await c.xml(
    'pool-list-many.xml',
    n1,
    ['pool', 'list'],
    'four members: three peers plus localhost',
  );
  await c.xml('peer-status-many.xml', n1, ['peer', 'status'], 'four members: three peers');

  // n4's glusterd down, as the others see it.
  await pool.stopGlusterd(n4);
  await waitForPeerConnected(pool, n1, n4, false);
  await c.xml(
    'peer-status-peer-down.xml',
    n1,
    ['peer', 'status'],
    "n4's glusterd stopped, seen from n1",
  );
  await c.xml(
    'pool-list-peer-down.xml',
    n1,
    ['pool', 'list'],
    "n4's glusterd stopped, seen from n1",
  );
  await c.xml(
    'detach-other-member-down.xml',
    n1,
    ['peer', 'detach', n3.hostname],
    'detach of n3 while another member (n4) is down',
  );
  await pool.startGlusterd(n4);
  await waitForPeerConnected(pool, n1, n4, true);
  await waitUntilInCluster(pool, [n1, n2, n3, n4]);

  // Volumes. Not started first: the brick checks read the volume definitions.
  const bricks = (nodes: readonly TestNode[], dir: string): string[] =>
    nodes.map((n) => `${n.hostname}:/bricks/${dir}`);
  await c.xml(
    'volume-create.xml',
    n1,
    ['volume', 'create', 'v1', ...bricks([n2], 'b1'), 'force'],
    'create a one-brick volume on n2',
  );
  await c.xml('volume-info-one.xml', n1, ['volume', 'info'], 'one volume, one brick, not started');
  await c.xml(
    'volume-create-two-hosts.xml',
    n1,
    ['volume', 'create', 'v2', ...bricks([n2, n3], 'b2'), 'force'],
    'create a two-brick distribute volume on n2 and n3',
  );
  await c.xml(
    'detach-brick-host.xml',
    n1,
    ['peer', 'detach', n2.hostname],
    'detach of a node that hosts some bricks of v2 (nothing started)',
  );
  await c.xml(
    'detach-brick-host-force.xml',
    n1,
    ['peer', 'detach', n2.hostname, 'force'],
    'the same with force',
  );
  await c.xml(
    'volume-create-replica.xml',
    n1,
    ['volume', 'create', 'v3', 'replica', '3', ...bricks([n1, n2, n3], 'b3'), 'force'],
    'create a replica 3 volume on n1..n3',
  );
  await c.xml(
    'volume-start.xml',
    n1,
    ['volume', 'start', 'v2'],
    'start v2 (brick processes on n2 and n3)',
  );
  await c.xml(
    'volume-info-many.xml',
    n1,
    ['volume', 'info'],
    'three volumes (v2 started), six bricks on n1..n3',
  );
  await c.xml(
    'detach-brick-host-started.xml',
    n1,
    ['peer', 'detach', n2.hostname],
    'detach of a node that hosts bricks of a started volume',
  );

  // A node without bricks leaves.
  await c.xml(
    'detach-success.xml',
    n1,
    ['peer', 'detach', n4.hostname],
    'detach of a member without bricks',
  );
  await c.xml('pool-list-after-detach.xml', n1, ['pool', 'list'], 'n1..n3 after n4 left');
  await c.xml('pool-list-detached-node.xml', n4, ['pool', 'list'], "the detached node's own view");

  // A node that holds every brick of a volume may leave: glusterd refuses only partial volumes.
  await runGluster(pool, n1, ['peer', 'probe', n4.hostname]);
  await waitUntilInCluster(pool, [n1, n2, n3, n4]);
  await c.xml(
    'volume-create-one-node.xml',
    n1,
    ['volume', 'create', 'v4', ...bricks([n4], 'b4'), 'force'],
    'create a volume whose only brick is on n4',
  );
  await c.xml(
    'detach-all-bricks-on-peer.xml',
    n1,
    ['peer', 'detach', n4.hostname],
    'detach of a node that hosts all the bricks of a volume',
  );
  await c.xml(
    'volume-info-after-detach-all-bricks.xml',
    n1,
    ['volume', 'info', 'v4'],
    'that volume afterwards: glusterd deleted it with the peer',
  );

  // A peer whose glusterd is down is detached (second pool: n5 detaches n6).
  await pool.stopGlusterd(n6);
  await waitForPeerConnected(pool, n5, n6, false);
  await c.xml(
    'detach-down-peer.xml',
    n5,
    ['peer', 'detach', n6.hostname],
    'detach of the (only) peer while its glusterd is down',
  );
  await c.xml(
    'detach-down-peer-force.xml',
    n5,
    ['peer', 'detach', n6.hostname, 'force'],
    'the same with force',
  );
  await c.xml(
    'pool-list-after-detach-down-peer.xml',
    n5,
    ['pool', 'list'],
    'n5 after detaching n6',
  );
  await pool.startGlusterd(n6);
  await c.xml(
    'pool-list-detached-while-down.xml',
    n6,
    ['pool', 'list'],
    'n6, detached while down, after it comes back',
  );
}

/**
 * Waits until glusterd has given up an abandoned probe of `address`. A pending probe is not
 * listed by `pool list`; only a new probe tells, with "already in peer list" (opErrno 2).
 */
async function waitUntilNotPending(
  pool: GlusterTestPool,
  node: TestNode,
  address: string,
): Promise<void> {
  await waitUntil(`the probe of ${address} from ${node.name} to fail`, async () => {
    const r = await runGluster(pool, node, ['peer', 'probe', address]);
    return r.stdout.includes('<opErrno>2</opErrno>') ? undefined : true;
  });
}

/** Every node of `members` sees all the others connected and in state 3. */
async function waitUntilInCluster(
  pool: GlusterTestPool,
  members: readonly TestNode[],
): Promise<void> {
  for (const observer of members) {
    for (const subject of members) {
      if (subject !== observer) await waitForPeerConnected(pool, observer, subject, true);
    }
  }
  await waitUntil('all peers in state 3', async () => {
    for (const node of members) {
      const r = await runGluster(pool, node, ['peer', 'status']);
      const states = [...r.stdout.matchAll(/<state>(\d+)<\/state>/g)].map((m) => m[1]);
      if (states.length !== members.length - 1 || states.some((s) => s !== '3')) return undefined;
    }
    return true;
  });
}

class Capturer {
  constructor(private readonly pool: GlusterTestPool) {}

  /** `gluster --mode=script --xml ARGS`; the file is its stdout. */
  async xml(file: string, node: TestNode, args: readonly string[], what: string): Promise<void> {
    const r = await runGluster(this.pool, node, args, { timeoutMs: 180_000 });
    await this.save(file, node, ['gluster', '--mode=script', '--xml', ...args], r, r.stdout, what);
  }

  /** Any argv; the file is its stdout. */
  async text(file: string, node: TestNode, argv: readonly string[], what: string): Promise<void> {
    const r = await this.pool.execOnNode(node, argv, { timeoutMs: 60_000 });
    await this.save(file, node, argv, r, r.stdout, what);
  }

  /** Any argv; the file is JSON with its exit code, stdout and stderr. */
  async raw(file: string, node: TestNode, argv: readonly string[], what: string): Promise<void> {
    const r = await this.pool.execOnNode(node, argv, { timeoutMs: 180_000 });
    const body = `${JSON.stringify({ argv, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }, null, 2)}\n`;
    await this.save(file, node, argv, r, body, what);
  }

  private async save(
    file: string,
    node: TestNode,
    argv: readonly string[],
    r: CommandResult,
    body: string,
    what: string,
  ): Promise<void> {
    await writeFile(join(OUT_DIR, file), body);
    const tag = (name: string): string =>
      new RegExp(`<${name}>([^<]*)</${name}>`).exec(r.stdout)?.[1] ?? '';
    captures.push({
      file,
      node: node.hostname,
      argv,
      exitCode: r.exitCode,
      opRet: tag('opRet'),
      opErrno: tag('opErrno'),
      opErrstr: tag('opErrstr'),
      stderr: r.stderr.trim(),
      what,
    });
    process.stdout.write(
      `${file}: exit ${r.exitCode} opRet ${tag('opRet') || '-'} opErrno ${tag('opErrno') || '-'}\n`,
    );
  }
}

async function updateReadme(): Promise<void> {
  const path = join(OUT_DIR, 'README.md');
  let readme: string;
  try {
    readme = await readFile(path, 'utf8');
  } catch {
    readme = `# Gluster CLI fixtures\n\n${BEGIN}\n${END}\n`;
  }
  const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = captures.map(
    (x) =>
      `| [${x.file}](${x.file}) | ${cell(x.what)} | ${x.node} | \`${cell(x.argv.join(' '))}\` | ${x.exitCode} | ${x.opRet || '-'} | ${x.opErrno || '-'} | ${cell(x.opErrstr) || '-'} |`,
  );
  const table = [
    '| file | what | on | command | exit | opRet | opErrno | opErrstr |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${BEGIN} / ${END} markers`);
  await writeFile(path, `${readme.slice(0, start + BEGIN.length)}\n${table}\n${readme.slice(end)}`);
}

await main();
