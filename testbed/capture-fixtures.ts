/**
 * Regenerates test/fixtures/gluster/ from real glusterd: `tsx testbed/capture-fixtures.ts
 * [peers] [volumes]` (both when none is named).
 *
 * peers: one six-node pool walks through the states the operator must read: n1 alone, n1+n2,
 * n1..n4 (with n4's glusterd down for a while), and n5+n6 as a second, separate pool.
 * volumes: a four-node pool creates volumes without force on each node's brick filesystem
 * (/bricks, a filesystem of its own: bricks go in sub-directories of it) and walks them through
 * every volume operation the operator makes and reads, with the refusals it maps.
 *
 * Every command runs through execOnNode (no SSH) with LANG=C. Writes each answer to its own file
 * and rewrites the table in README.md between the capture markers; the rest of the README is prose
 * kept by hand. A part captured alone replaces its own rows of captures.json and keeps the others.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formPool, runGluster, waitForPeerConnected } from './gluster-commands.js';
import {
  startGlusterTestPool,
  type GlusterTestPool,
  type TestClient,
  type TestNode,
} from './gluster-test-pool.js';
import type { CommandResult } from './run-command.js';
import { TestbedError } from './testbed-error.js';
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

const PARTS = {
  peers: { pool: 'fixtures', nodeCount: 6, capture },
  volumes: { pool: 'vofix', nodeCount: 4, capture: captureVolumes },
} satisfies Record<
  string,
  { pool: string; nodeCount: number; capture: (pool: GlusterTestPool) => Promise<void> }
>;
type Part = keyof typeof PARTS;

async function main(): Promise<void> {
  const parts = selectParts(process.argv.slice(2));
  await mkdir(OUT_DIR, { recursive: true });
  for (const part of parts) {
    const { pool: name, nodeCount, capture: run } = PARTS[part];
    const pool = await startGlusterTestPool({ name, nodeCount });
    try {
      await run(pool);
    } finally {
      await pool.destroy();
    }
  }
  const all =
    parts.length === Object.keys(PARTS).length ? captures : mergeCaptures(await readCaptures());
  await writeFile(join(OUT_DIR, 'captures.json'), `${JSON.stringify(all, null, 2)}\n`);
  await updateReadme(all);
}

function selectParts(args: readonly string[]): Part[] {
  const isPart = (arg: string): arg is Part => Object.hasOwn(PARTS, arg);
  const unknown = args.filter((arg) => !isPart(arg));
  if (unknown.length > 0) {
    throw new Error(`Unknown part ${unknown.join(', ')}: use ${Object.keys(PARTS).join(', ')}`);
  }
  return args.length === 0 ? (Object.keys(PARTS) as Part[]) : args.filter(isPart);
}

async function readCaptures(): Promise<Capture[]> {
  try {
    return JSON.parse(await readFile(join(OUT_DIR, 'captures.json'), 'utf8')) as Capture[];
  } catch {
    return [];
  }
}

/** The earlier captures, each replaced in place by this run's of the same file; new ones last. */
function mergeCaptures(earlier: readonly Capture[]): Capture[] {
  const fresh = new Map(captures.map((c) => [c.file, c]));
  const merged = earlier.map((c) => fresh.get(c.file) ?? c);
  const known = new Set(earlier.map((c) => c.file));
  return [...merged, ...captures.filter((c) => !known.has(c.file))];
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
 * Volumes on a pool of four: created without force on sub-directories of each node's brick
 * filesystem, then every operation and read the operator makes, each refusal it maps. Refusals
 * that would mark bricks as in use (glusterd prepares the bricks it checked before it refuses) use
 * paths nothing uses afterwards.
 */
async function captureVolumes(pool: GlusterTestPool): Promise<void> {
  const [n1, n2, n3, n4] = pool.nodes as [TestNode, TestNode, TestNode, TestNode];
  const c = new Capturer(pool);
  const brick = (node: TestNode, path: string): string => `${node.hostname}:${path}`;
  const set = (nodes: readonly TestNode[], path: string): string[] =>
    nodes.map((node) => brick(node, path));
  const unassigned = n1.ipv4.replace(/\.\d+$/, '.250');
  await formPool(pool, n1, [n2, n3, n4]);
  // glusterd creates the last component of a brick path only.
  for (const node of pool.nodes) {
    await execChecked(pool, node, [
      'mkdir',
      '-p',
      '/bricks/r3',
      '/bricks/ar',
      '/bricks/ec',
      '/bricks/dr',
      '/bricks/one',
      '/bricks/x',
    ]);
  }

  // Creates refused, each with bricks nothing uses afterwards.
  await c.xml(
    'volume-create-root-filesystem.xml',
    n1,
    ['volume', 'create', 'rootfs', 'transport', 'tcp', brick(n1, '/run/rootfs-brick')],
    "a brick on the root filesystem (the node's /run is a directory of it), without force",
    'refused',
  );
  await c.xml(
    'volume-create-mount-point.xml',
    n1,
    ['volume', 'create', 'mountpoint', 'transport', 'tcp', brick(n1, '/bricks')],
    'a brick that is a mount point (the brick filesystem itself)',
    'refused',
  );
  await c.xml(
    'volume-create-parent-missing.xml',
    n1,
    ['volume', 'create', 'noparent', 'transport', 'tcp', brick(n1, '/bricks/no/such/brick')],
    'a brick whose parent directory does not exist',
    'refused',
  );
  await c.xml(
    'volume-create-same-server.xml',
    n1,
    [
      'volume',
      'create',
      'sameserver',
      'replica',
      '3',
      'transport',
      'tcp',
      ...['a', 'b', 'c'].map((x) => brick(n1, `/bricks/x/same-${x}`)),
    ],
    'a replica set with its three bricks on one server',
    'refused',
  );
  await c.xml(
    'volume-create-host-not-in-pool.xml',
    n1,
    ['volume', 'create', 'foreign', 'transport', 'tcp', `${unassigned}:/bricks/x/foreign`],
    'a brick on an address that is no member',
    'refused',
  );

  // Creates without force.
  const r3 = ['volume', 'create', 'r3', 'replica', '3', 'transport', 'tcp'];
  await c.xml(
    'volume-create-replica3.xml',
    n1,
    [...r3, ...set([n1, n2, n3], '/bricks/r3/brick')],
    'replica 3 on n1..n3 (/bricks/r3/brick), without force',
    'accepted',
  );
  await c.xml(
    'volume-create-arbiter.xml',
    n1,
    [
      'volume',
      'create',
      'ar',
      'replica',
      '3',
      'arbiter',
      '1',
      'transport',
      'tcp',
      ...set([n1, n2, n3], '/bricks/ar/brick'),
    ],
    'replica 3 arbiter 1 on n1..n3',
    'accepted',
  );
  await c.xml(
    'volume-create-disperse.xml',
    n1,
    [
      'volume',
      'create',
      'ec',
      'disperse',
      '3',
      'redundancy',
      '1',
      'transport',
      'tcp',
      ...set([n1, n2, n3], '/bricks/ec/brick'),
    ],
    'disperse 3 redundancy 1 on n1..n3',
    'accepted',
  );
  await c.xml(
    'volume-create-distributed-replicate.xml',
    n1,
    [
      'volume',
      'create',
      'dr',
      'replica',
      '2',
      'transport',
      'tcp',
      ...set([n1, n2, n3, n4], '/bricks/dr/brick'),
    ],
    'replica 2 over n1..n4: two sets',
    'accepted',
  );
  await c.xml(
    'volume-create-one-brick.xml',
    n1,
    ['volume', 'create', 'one', 'transport', 'tcp', brick(n1, '/bricks/one/brick')],
    'a distribute volume of one brick',
    'accepted',
  );
  await c.xml(
    'volume-create-exists.xml',
    n1,
    [...r3, ...set([n1, n2, n3], '/bricks/r3/brick')],
    'the same create again',
    'refused',
  );
  await c.xml(
    'volume-create-overlapping-brick.xml',
    n1,
    ['volume', 'create', 'overlap', 'transport', 'tcp', brick(n2, '/bricks/r3/brick')],
    'a brick that is a brick of r3',
    'refused',
  );

  // Reads and refusals of a volume that does not exist or was never started.
  await c.xml(
    'volume-info-missing.xml',
    n1,
    ['volume', 'info', 'nope'],
    'no such volume',
    'refused',
  );
  await c.xml(
    'volume-start-missing.xml',
    n1,
    ['volume', 'start', 'nope'],
    'start of a volume that does not exist',
    'refused',
  );
  await c.xml(
    'volume-status-detail-missing.xml',
    n1,
    ['volume', 'status', 'nope', 'detail'],
    'status of a volume that does not exist',
    'refused',
  );
  await c.xml(
    'volume-stop-not-started.xml',
    n1,
    ['volume', 'stop', 'ar'],
    'stop of a volume never started',
    'refused',
  );
  await c.xml(
    'volume-status-detail-not-started.xml',
    n1,
    ['volume', 'status', 'ar', 'detail'],
    'status of a volume never started',
    'refused',
  );
  await c.xml(
    'volume-heal-summary-not-started.xml',
    n1,
    ['volume', 'heal', 'ar', 'info', 'summary'],
    'heal info of a volume never started',
    'refused',
  );

  // Start.
  await c.xml('volume-start-replica3.xml', n1, ['volume', 'start', 'r3'], 'start r3', 'accepted');
  await c.xml(
    'volume-start-already-started.xml',
    n1,
    ['volume', 'start', 'r3'],
    'start of a started volume',
    'refused',
  );
  for (const name of ['ar', 'ec', 'dr', 'one']) {
    await mustGluster(pool, n1, ['volume', 'start', name]);
  }
  await c.xml(
    'volume-delete-started.xml',
    n1,
    ['volume', 'delete', 'one'],
    'delete of a started volume',
    'refused',
  );

  // Options.
  await c.xml(
    'volume-set.xml',
    n1,
    ['volume', 'set', 'r3', 'performance.cache-size', '64MB', 'cluster.min-free-disk', '5%'],
    'two options in one command',
    'accepted',
  );
  await c.xml(
    'volume-set-unknown-option.xml',
    n1,
    ['volume', 'set', 'r3', 'performance.nosuch', 'on'],
    'an option glusterd does not know',
    'refused',
  );
  await c.xml(
    'volume-set-invalid-value.xml',
    n1,
    ['volume', 'set', 'r3', 'performance.cache-size', 'banana'],
    'a value that is not a size',
    'refused',
  );
  await c.xml(
    'volume-set-out-of-range.xml',
    n1,
    ['volume', 'set', 'r3', 'cluster.min-free-disk', '200%'],
    'a value out of range',
    'refused',
  );
  await c.xml(
    'volume-set-user-option.xml',
    n1,
    ['volume', 'set', 'r3', 'user.note', "it's $(id) `id` *"],
    'a user.* option whose value has shell syntax (literal text)',
    'accepted',
  );
  await c.xml(
    'volume-info-replica3.xml',
    n1,
    ['volume', 'info', 'r3'],
    'r3: started, options set',
    'accepted',
  );
  await c.xml('volume-get-all.xml', n1, ['volume', 'get', 'r3', 'all'], 'every option', 'accepted');
  await c.xml(
    'volume-get-one.xml',
    n1,
    ['volume', 'get', 'r3', 'performance.cache-size'],
    'one option',
    'accepted',
  );
  await c.xml(
    'volume-get-unknown-option.xml',
    n1,
    ['volume', 'get', 'r3', 'performance.nosuch'],
    'an option glusterd does not know',
    'refused',
  );
  await c.xml(
    'volume-get-missing-volume.xml',
    n1,
    ['volume', 'get', 'nope', 'all'],
    'options of a volume that does not exist',
    'refused',
  );
  await c.xml(
    'volume-reset.xml',
    n1,
    ['volume', 'reset', 'r3', 'performance.cache-size'],
    'reset of one option',
    'accepted',
  );
  await c.xml(
    'volume-reset-unknown-option.xml',
    n1,
    ['volume', 'reset', 'r3', 'performance.nosuch'],
    'reset of an option glusterd does not know',
    'refused',
  );
  await c.xml(
    'volume-reset-user-option.xml',
    n1,
    ['volume', 'reset', 'r3', 'user.note'],
    'reset of a user.* option that is set',
    'refused',
  );
  await c.xml('volume-info-disperse.xml', n1, ['volume', 'info', 'ec'], 'ec', 'accepted');

  // Status and heal of healthy volumes.
  await c.xml(
    'volume-status-detail.xml',
    n1,
    ['volume', 'status', 'r3', 'detail'],
    'r3, every brick online',
    'accepted',
  );
  await c.xml(
    'volume-status-detail-one-brick.xml',
    n1,
    ['volume', 'status', 'one', 'detail'],
    'a volume of one brick',
    'accepted',
  );
  await c.xml(
    'volume-status-tasks-none.xml',
    n1,
    ['volume', 'status', 'r3', 'tasks'],
    'no task ever ran',
    'accepted',
  );
  await c.xml(
    'volume-heal-summary.xml',
    n1,
    ['volume', 'heal', 'r3', 'info', 'summary'],
    'r3, nothing to heal',
    'accepted',
  );
  await c.xml(
    'volume-heal-summary-disperse.xml',
    n1,
    ['volume', 'heal', 'ec', 'info', 'summary'],
    'ec, nothing to heal',
    'accepted',
  );
  await c.xml(
    'volume-heal-summary-not-replicated.xml',
    n1,
    ['volume', 'heal', 'one', 'info', 'summary'],
    'heal info of a distribute volume',
    'refused',
  );
  await c.xml(
    'volume-rebalance-not-distributed.xml',
    n1,
    ['volume', 'rebalance', 'ec', 'start'],
    'rebalance of a volume of one set',
    'refused',
  );

  // n3's brick of r3 killed, and files written meanwhile: entries to heal.
  const client = await pool.startClient();
  const r3Mount = await client.mount('r3');
  await pool.killBrick(n3, 'r3', '/bricks/r3/brick');
  await waitUntil('glusterd to see the killed brick offline', async () => {
    const r = await runGluster(pool, n1, ['volume', 'status', 'r3', 'detail']);
    return (r.stdout.match(/<status>1<\/status>/g) ?? []).length === 2 ? true : undefined;
  });
  await c.xml(
    'volume-status-detail-brick-down.xml',
    n1,
    ['volume', 'status', 'r3', 'detail'],
    "r3 with n3's brick process killed",
    'accepted',
  );
  await writeFiles(client, r3Mount, 20, 1024);
  await c.xml(
    'volume-heal-summary-pending.xml',
    n1,
    ['volume', 'heal', 'r3', 'info', 'summary'],
    "20 files written while n3's brick was down",
    'accepted',
  );
  await c.xml(
    'volume-start-force.xml',
    n1,
    ['volume', 'start', 'r3', 'force'],
    'start force of a started volume: restarts the killed brick',
    'accepted',
  );
  await waitForBricksOnline(pool, n1, 'r3', 3);
  // The self-heal daemons heal once they see the brick back; `volume heal` asks them at once
  // (and fails while one of them does not see it yet).
  let summary = '';
  await waitUntil(
    'r3 to have nothing left to heal',
    async () => {
      await runGluster(pool, n1, ['volume', 'heal', 'r3']);
      summary = (await runGluster(pool, n1, ['volume', 'heal', 'r3', 'info', 'summary'])).stdout;
      const totals = [...summary.matchAll(/<totalNumberOfEntries>(\d+)</g)].map((m) => m[1]);
      return totals.length === 3 && totals.every((t) => t === '0') ? true : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 3_000 },
  ).catch((error: unknown) => {
    throw new TestbedError(`r3 did not heal; last heal info:\n${summary}`, { cause: error });
  });
  await client.unmount(r3Mount);

  // Stop and delete; the deleted volume's brick directory keeps its volume-id.
  await c.xml('volume-stop.xml', n1, ['volume', 'stop', 'one'], 'stop one', 'accepted');
  await c.xml('volume-delete.xml', n1, ['volume', 'delete', 'one'], 'delete one', 'accepted');
  await c.xml(
    'volume-create-brick-of-deleted-volume.xml',
    n1,
    ['volume', 'create', 'one2', 'transport', 'tcp', brick(n1, '/bricks/one/brick')],
    'a brick directory of the deleted volume',
    'refused',
  );

  // add-brick: refusals first, on paths nothing uses afterwards; then one that reuses bricks a
  // refusal had prepared.
  const addToR3 = ['volume', 'add-brick', 'r3', 'replica', '3'];
  await c.xml(
    'volume-add-brick-root-filesystem.xml',
    n1,
    [
      ...addToR3,
      brick(n4, '/run/rootfs-brick'),
      brick(n1, '/bricks/r3/refused-a'),
      brick(n2, '/bricks/r3/refused-a'),
    ],
    "a set with a brick on n4's root filesystem",
    'refused',
  );
  await c.xml(
    'volume-add-brick-overlapping.xml',
    n1,
    [
      ...addToR3,
      brick(n4, '/bricks/r3/refused-b'),
      brick(n1, '/bricks/r3/refused-b'),
      brick(n2, '/bricks/r3/brick'),
    ],
    'a set with a brick that is a brick of r3',
    'refused',
  );
  await c.xml(
    'volume-add-brick-marked-by-refusal.xml',
    n1,
    [
      ...addToR3,
      brick(n4, '/bricks/r3/refused-b'),
      brick(n1, '/bricks/r3/refused-b'),
      brick(n2, '/bricks/r3/refused-b'),
    ],
    'a set whose bricks on n4 and n1 the refused add-brick had prepared',
    'refused',
  );
  await c.xml(
    'volume-add-brick.xml',
    n1,
    [...addToR3, ...set([n4, n1, n2], '/bricks/r3/brick2')],
    'one more replica set (n4, n1, n2)',
    'accepted',
  );
  await c.xml(
    'volume-add-brick-arbiter.xml',
    n1,
    [
      'volume',
      'add-brick',
      'ar',
      'replica',
      '3',
      'arbiter',
      '1',
      ...set([n2, n3, n4], '/bricks/ar/brick2'),
    ],
    'one more arbiter set (n2, n3, n4; the arbiter on n4)',
    'accepted',
  );
  await c.xml(
    'volume-info-arbiter.xml',
    n1,
    ['volume', 'info', 'ar'],
    'ar: two sets of two data bricks and an arbiter',
    'accepted',
  );

  // n4's glusterd down: its brick is missing from the status, not offline.
  await pool.stopGlusterd(n4);
  await waitForPeerConnected(pool, n1, n4, false);
  await c.xml(
    'volume-status-detail-node-down.xml',
    n1,
    ['volume', 'status', 'r3', 'detail'],
    "r3 (2 x 3) while n4's glusterd is stopped",
    'accepted',
  );
  await pool.startGlusterd(n4);
  await waitForPeerConnected(pool, n1, n4, true);
  await waitForBricksOnline(pool, n1, 'r3', 6);

  // Rebalance after the add-brick.
  await c.xml(
    'volume-rebalance-status-not-started.xml',
    n1,
    ['volume', 'rebalance', 'r3', 'status'],
    'no rebalance ever ran',
    'refused',
  );
  await c.xml(
    'volume-rebalance-start.xml',
    n1,
    ['volume', 'rebalance', 'r3', 'start'],
    'rebalance r3 after its add-brick',
    'accepted',
  );
  await waitForTask(pool, n1, ['volume', 'rebalance', 'r3', 'status']);

  // replace-brick: n4's brick of r3's second set moves to n3.
  await c.xml(
    'volume-replace-brick-not-in-volume.xml',
    n1,
    [
      'volume',
      'replace-brick',
      'r3',
      brick(n4, '/bricks/r3/nope'),
      brick(n3, '/bricks/r3/brick3'),
      'commit',
      'force',
    ],
    'replace-brick of a brick the volume does not have',
    'refused',
  );
  await c.xml(
    'volume-replace-brick-in-use.xml',
    n1,
    [
      'volume',
      'replace-brick',
      'r3',
      brick(n4, '/bricks/r3/brick2'),
      brick(n3, '/bricks/r3/brick'),
      'commit',
      'force',
    ],
    'replace-brick onto a brick of the volume',
    'refused',
  );
  await c.xml(
    'volume-replace-brick.xml',
    n1,
    [
      'volume',
      'replace-brick',
      'r3',
      brick(n4, '/bricks/r3/brick2'),
      brick(n3, '/bricks/r3/brick3'),
      'commit',
      'force',
    ],
    "replace n4's brick of the second set by one on n3",
    'accepted',
  );
  await c.xml(
    'volume-status-tasks-after-replace.xml',
    n1,
    ['volume', 'status', 'r3', 'tasks'],
    'the rebalance task after the replace-brick',
    'accepted',
  );
  await c.xml(
    'volume-rebalance-status-after-replace.xml',
    n1,
    ['volume', 'rebalance', 'r3', 'status'],
    'rebalance status after the replace-brick',
    'accepted',
  );
  await c.xml(
    'volume-replace-brick-root-filesystem.xml',
    n1,
    [
      'volume',
      'replace-brick',
      'r3',
      brick(n1, '/bricks/r3/brick2'),
      brick(n3, '/run/rootfs-replace'),
      'commit',
      'force',
    ],
    "replace-brick onto n3's root filesystem, in a set that already has a brick on n3: commit force lets both through",
    'accepted',
  );
  await mustGluster(pool, n1, [
    'volume',
    'replace-brick',
    'r3',
    brick(n3, '/run/rootfs-replace'),
    brick(n1, '/bricks/r3/brick4'),
    'commit',
    'force',
  ]);

  // dr: files to move; a rebalance under way refuses the rest; then a remove-brick of a set.
  const drMount = await client.mount('dr');
  await writeFiles(client, drMount, 1000, 4096);
  await mustGluster(pool, n1, [
    'volume',
    'add-brick',
    'dr',
    'replica',
    '2',
    ...set([n1, n2], '/bricks/dr/brick2'),
  ]);
  await mustGluster(pool, n1, ['volume', 'rebalance', 'dr', 'start']);
  await c.xml(
    'volume-rebalance-start-in-progress.xml',
    n1,
    ['volume', 'rebalance', 'dr', 'start'],
    'rebalance start while one runs',
    'refused',
  );
  await c.xml(
    'volume-rebalance-status-in-progress.xml',
    n1,
    ['volume', 'rebalance', 'dr', 'status'],
    'rebalance of 1000 files under way',
    'accepted',
  );
  await c.xml(
    'volume-stop-rebalance-in-progress.xml',
    n1,
    ['volume', 'stop', 'dr'],
    'stop while a rebalance runs',
    'refused',
  );
  await c.xml(
    'volume-add-brick-rebalance-in-progress.xml',
    n1,
    ['volume', 'add-brick', 'dr', 'replica', '2', ...set([n3, n4], '/bricks/dr/refused-c')],
    'add-brick while a rebalance runs',
    'refused',
  );
  const second = set([n3, n4], '/bricks/dr/brick');
  await c.xml(
    'volume-remove-brick-start-rebalance-in-progress.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'start'],
    'remove-brick start while a rebalance runs',
    'refused',
  );
  await waitForTask(pool, n1, ['volume', 'rebalance', 'dr', 'status']);
  await c.xml(
    'volume-rebalance-status-completed.xml',
    n1,
    ['volume', 'rebalance', 'dr', 'status'],
    'the rebalance of dr, completed',
    'accepted',
  );

  await c.xml(
    'volume-remove-brick-status-not-started.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'status'],
    'remove-brick status when none was started',
    'refused',
  );
  await c.xml(
    'volume-remove-brick-commit-not-started.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'commit'],
    'remove-brick commit without a start',
    'refused',
  );
  await c.xml(
    'volume-remove-brick-start-partial-set.xml',
    n1,
    ['volume', 'remove-brick', 'dr', second[0] ?? '', 'start'],
    'remove-brick start of half a replica set',
    'refused',
  );
  await c.xml(
    'volume-remove-brick-start.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'start'],
    "remove-brick start of dr's second set (n3, n4)",
    'accepted',
  );
  await c.xml(
    'volume-remove-brick-status-in-progress.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'status'],
    'its migration under way',
    'accepted',
  );
  await c.xml(
    'volume-remove-brick-commit-in-progress.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'commit'],
    'remove-brick commit while its migration runs',
    'refused',
  );
  await c.xml(
    'volume-rebalance-start-remove-brick-pending.xml',
    n1,
    ['volume', 'rebalance', 'dr', 'start'],
    'rebalance start while a remove-brick is not committed',
    'refused',
  );
  await c.xml(
    'volume-status-tasks-remove-brick.xml',
    n1,
    ['volume', 'status', 'dr', 'tasks'],
    'the remove-brick task and its bricks',
    'accepted',
  );
  await waitForTask(pool, n1, ['volume', 'remove-brick', 'dr', ...second, 'status']);
  await c.xml(
    'volume-remove-brick-status-completed.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'status'],
    'its migration completed',
    'accepted',
  );
  await c.xml(
    'volume-remove-brick-commit.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'commit'],
    'remove-brick commit after the migration completed',
    'accepted',
  );
  await c.xml(
    'volume-remove-brick-commit-again.xml',
    n1,
    ['volume', 'remove-brick', 'dr', ...second, 'commit'],
    'the same commit again',
    'refused',
  );
  await c.xml(
    'volume-info-distributed-replicate.xml',
    n1,
    ['volume', 'info', 'dr'],
    'dr after the remove-brick: two sets on n1 and n2',
    'accepted',
  );
  const listed = await client.exec(['find', drMount, '-type', 'f'], { timeoutMs: 120_000 });
  const files = listed.stdout.split('\n').filter((line) => line !== '').length;
  if (files !== 1000) throw new TestbedError(`dr lost files: ${files} of 1000 are left`);
  await client.unmount(drMount);
  await client.destroy();
}

async function execChecked(
  pool: GlusterTestPool,
  node: TestNode,
  argv: readonly string[],
  timeoutMs = 120_000,
): Promise<CommandResult> {
  const r = await pool.execOnNode(node, argv, { timeoutMs });
  if (r.exitCode !== 0) {
    throw new TestbedError(`${argv.join(' ')} on ${node.name} exited ${r.exitCode}: ${r.stderr}`);
  }
  return r;
}

/** A setup step of the flow: it must be accepted, and is not a fixture. */
async function mustGluster(
  pool: GlusterTestPool,
  node: TestNode,
  args: readonly string[],
): Promise<void> {
  const r = await runGluster(pool, node, args, { timeoutMs: 180_000 });
  if (!r.stdout.includes('<opRet>0</opRet>')) {
    throw new TestbedError(`gluster ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  }
}

async function writeFiles(
  client: TestClient,
  dir: string,
  count: number,
  sizeBytes: number,
): Promise<void> {
  const script = `for i in $(seq 1 ${count}); do head -c ${sizeBytes} /dev/urandom > "$0/f$i" || exit 1; done`;
  const r = await client.exec(['sh', '-c', script, dir], { timeoutMs: 600_000 });
  if (r.exitCode !== 0)
    throw new TestbedError(`Writing ${count} files to ${dir} failed: ${r.stderr}`);
}

/** Waits until `count` bricks of `volume` are online. */
async function waitForBricksOnline(
  pool: GlusterTestPool,
  node: TestNode,
  volume: string,
  count: number,
): Promise<void> {
  await waitUntil(
    `${count} bricks of ${volume} online`,
    async () => {
      const r = await runGluster(pool, node, ['volume', 'status', volume, 'detail']);
      const online = [...r.stdout.matchAll(/<status>1<\/status>/g)].length;
      return online === count ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
}

/** Waits until a rebalance or remove-brick status reports the task completed (status 3). */
async function waitForTask(
  pool: GlusterTestPool,
  node: TestNode,
  statusArgs: readonly string[],
): Promise<void> {
  await waitUntil(
    `${statusArgs.join(' ')} to say completed`,
    async () => {
      const r = await runGluster(pool, node, statusArgs);
      const aggregate = /<aggregate>([\s\S]*?)<\/aggregate>/.exec(r.stdout)?.[1] ?? '';
      if (/<status>4<\/status>/.test(aggregate)) {
        throw new TestbedError(`${statusArgs.join(' ')} failed: ${r.stdout}`);
      }
      return /<status>3<\/status>/.test(aggregate) ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 2_000 },
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

  /**
   * `gluster --mode=script --xml ARGS`; the file is its stdout. With `expected`, the capture fails
   * unless glusterd accepted (opRet 0) or refused (any other opRet) as the flow relies on.
   */
  async xml(
    file: string,
    node: TestNode,
    args: readonly string[],
    what: string,
    expected?: 'accepted' | 'refused',
  ): Promise<void> {
    const r = await runGluster(this.pool, node, args, { timeoutMs: 180_000 });
    await this.save(file, node, ['gluster', '--mode=script', '--xml', ...args], r, r.stdout, what);
    const accepted = r.stdout.includes('<opRet>0</opRet>');
    if (expected !== undefined && accepted !== (expected === 'accepted')) {
      throw new TestbedError(`${file}: expected glusterd to have ${expected} it: ${r.stdout}`);
    }
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

async function updateReadme(all: readonly Capture[]): Promise<void> {
  const path = join(OUT_DIR, 'README.md');
  let readme: string;
  try {
    readme = await readFile(path, 'utf8');
  } catch {
    readme = `# Gluster CLI fixtures\n\n${BEGIN}\n${END}\n`;
  }
  const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = all.map(
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
