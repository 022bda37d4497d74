import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import {
  formPool,
  parseBrickStatus,
  parseHealSummary,
  parseOpResult,
  runGluster,
  type BrickStatusRow,
} from '../../testbed/gluster-commands.js';
import {
  listTestPools,
  startGlusterTestPool,
  type GlusterTestPool,
  type TestClient,
  type TestNode,
} from '../../testbed/gluster-test-pool.js';
import { layoutPool, type PoolLayout } from '../../testbed/pool-layout.js';
import { isPidGone } from '../../testbed/process-identity.js';
import { runCommand } from '../../testbed/run-command.js';
import { leftovers, listNetns, netnsPids } from '../../testbed/teardown.js';
import { waitUntil } from '../../testbed/wait-until.js';

const VOLUME = 'v';
const BRICK = `/bricks/${VOLUME}/brick`;
const GIB = 1024 * 1024 * 1024;

describe('testbed volumes: brick filesystems, a FUSE client, brick faults', function () {
  this.timeout(180_000);
  let pool: GlusterTestPool;
  let layout: PoolLayout;
  let n1: TestNode;
  let n2: TestNode;
  let n3: TestNode;
  let client: TestClient;
  let mountPath: string;

  before(async function () {
    pool = await startGlusterTestPool({ name: 'tb-vol', nodeCount: 3 });
    [n1, n2, n3] = pool.nodes as [TestNode, TestNode, TestNode];
    const summary = listTestPools().find((p) => p.name === pool.name);
    layout = layoutPool(pool.name, summary!.index, pool.nodes.length);
    await formPool(pool, n1, [n2, n3]);
  });

  after(async function () {
    await pool.destroy();
  });

  it('gives every node its own XFS filesystem at /bricks, on a sparse loop-mounted image', async function () {
    const devices = new Set<string>();
    for (const node of pool.nodes) {
      const fsType = await pool.execOnNode(node, ['stat', '-f', '-c', '%T', '/bricks']);
      expect(fsType.stdout.trim()).to.equal('xfs');
      const mount = await pool.execOnNode(node, ['findmnt', '-n', '-o', 'SOURCE', '/bricks']);
      const device = mount.stdout.trim();
      expect(device).to.match(/^\/dev\/loop\d+$/);
      devices.add(device);
      // The device is this node's image, and nothing else is backed by it.
      const attached = await runCommand(['losetup', '--associated', node.brickImage]);
      expect(attached.stdout.trim().split('\n')).to.have.length(1);
      expect(attached.stdout).to.match(new RegExp(`^${device}:`));
      // Not the root filesystem: glusterd compares exactly these device numbers.
      const dev = await pool.execOnNode(node, ['stat', '-c', '%d', '/', '/bricks']);
      const [rootDev, bricksDev] = dev.stdout.trim().split('\n');
      expect(bricksDev).to.not.equal(rootDev);
      const info = await pool.execOnNode(node, ['xfs_info', '/bricks']);
      expect(info.stdout).to.match(/isize=512/);
      const image = statSync(node.brickImage);
      expect(image.size).to.equal(GIB);
      expect(image.blocks * 512).to.be.below(128 * 1024 * 1024);
    }
    expect(devices.size).to.equal(3);
    // Only inside the nodes: this machine's /bricks is an empty directory.
    const onHost = await runCommand(['findmnt', '-n', '/bricks']);
    expect(onHost.stdout).to.equal('');
  });

  it('has glusterd refuse, without force, a brick that is the mount point or on the root filesystem', async function () {
    const atMountPoint = parseOpResult(
      await runGluster(pool, n1, ['volume', 'create', 'mp', `${n1.hostname}:/bricks`]),
    );
    expect(atMountPoint.opRet).to.equal(-1);
    expect(atMountPoint.opErrstr).to.contain('is a mount point');
    // The node's /root is a directory of this machine's root filesystem.
    const onRootFs = parseOpResult(
      await runGluster(pool, n1, ['volume', 'create', 'rootfs', `${n1.hostname}:/root/brick`]),
    );
    expect(onRootFs.opRet).to.equal(-1);
    expect(onRootFs.opErrstr).to.contain('root partition');
    const volumes = await runGluster(pool, n1, ['volume', 'list']);
    expect(volumes.stdout).to.not.contain('<volume>');
  });

  it('creates and starts a replica 3 volume on /bricks/<volume>/brick without force', async function () {
    // glusterd creates the brick directory itself, but not its parents.
    for (const node of pool.nodes) {
      const r = await pool.execOnNode(node, ['mkdir', '-p', `/bricks/${VOLUME}`]);
      expect(r.exitCode, r.stderr).to.equal(0);
    }
    const args = [
      'volume',
      'create',
      VOLUME,
      'replica',
      '3',
      ...pool.nodes.map((n) => `${n.hostname}:${BRICK}`),
    ];
    expect(args).to.not.include('force');
    const created = parseOpResult(await runGluster(pool, n1, args));
    expect(created, created.opErrstr).to.include({ opRet: 0 });
    const started = parseOpResult(await runGluster(pool, n1, ['volume', 'start', VOLUME]));
    expect(started, started.opErrstr).to.include({ opRet: 0 });
    const bricks = await waitForBricks(
      'every brick online',
      (rows) => rows.length === 3 && rows.every((b) => b.online),
    );
    expect(bricks.map((b) => `${b.hostname}:${b.path}`)).to.deep.equal(
      pool.nodes.map((n) => `${n.hostname}:${BRICK}`),
    );
  });

  it('mounts the volume from a client, and a file written there lands on all three bricks', async function () {
    client = await pool.startClient();
    expect(client.hostname).to.equal(`${pool.name}-c1`);
    expect(client.ipv4).to.equal(`10.250.${layout.index}.201`);
    const nodeAddresses = pool.nodes.flatMap((n) => [n.ipv4, n.ipv6]);
    expect(nodeAddresses).to.not.include(client.ipv4);
    expect(nodeAddresses).to.not.include(client.ipv6);
    const hostname = await client.exec(['hostname']);
    expect(hostname.stdout.trim()).to.equal(client.hostname);

    mountPath = await client.mount(VOLUME, { server: n2 });
    expect(mountPath).to.equal(`/mnt/${VOLUME}`);
    const fsType = await client.exec(['findmnt', '-n', '-o', 'FSTYPE,SOURCE', mountPath]);
    expect(fsType.stdout.trim()).to.match(new RegExp(`^fuse\\.glusterfs\\s+${n2.hostname}:/v$`));
    // The mount exists inside the client only.
    expect((await runCommand(['findmnt', '-n', mountPath])).stdout).to.equal('');

    const written = await client.exec([
      'sh',
      '-c',
      'echo replicated > "$1"',
      'sh',
      `${mountPath}/f1`,
    ]);
    expect(written.exitCode, written.stderr).to.equal(0);
    const gfids = new Set<string>();
    for (const node of pool.nodes) {
      const content = await pool.execOnNode(node, ['cat', `${BRICK}/f1`]);
      expect(content.stdout, `${node.name}: ${content.stderr}`).to.equal('replicated\n');
      const gfid = await pool.execOnNode(node, [
        'getfattr',
        '--only-values',
        '-e',
        'hex',
        '-n',
        'trusted.gfid',
        `${BRICK}/f1`,
      ]);
      expect(gfid.exitCode, gfid.stderr).to.equal(0);
      gfids.add(gfid.stdout.trim());
    }
    // One file, three copies: the same Gluster file id on every brick.
    expect(gfids.size).to.equal(1);
  });

  it('marks a killed brick offline, keeps writing without it, and heals it after start force', async function () {
    const before = await waitForBricks('every brick online', (rows) => rows.every((b) => b.online));
    const killedPid = before.find((b) => b.hostname === n2.hostname)?.pid;
    expect(killedPid).to.be.a('number');

    await pool.killBrick(n2, VOLUME, BRICK);
    expect(isPidGone(killedPid!)).to.equal(true);
    const down = await waitForBricks('n2 offline', (rows) =>
      rows.some((b) => b.hostname === n2.hostname && !b.online),
    );
    expect(down.filter((b) => b.online).map((b) => b.hostname)).to.deep.equal([
      n1.hostname,
      n3.hostname,
    ]);
    // The other bricks kept running: only that one process was signalled.
    expect(down.filter((b) => b.online).map((b) => b.pid)).to.deep.equal(
      before.filter((b) => b.hostname !== n2.hostname).map((b) => b.pid),
    );
    const killAgain = await pool.killBrick(n2, VOLUME, BRICK).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(killAgain).to.be.instanceOf(Error).with.property('message').that.contains('No brick');

    const written = await client.exec([
      'sh',
      '-c',
      'echo while-down > "$1"',
      'sh',
      `${mountPath}/f2`,
    ]);
    expect(written.exitCode, written.stderr).to.equal(0);
    expect((await pool.execOnNode(n1, ['cat', `${BRICK}/f2`])).stdout).to.equal('while-down\n');
    expect((await pool.execOnNode(n2, ['test', '-e', `${BRICK}/f2`])).exitCode).to.equal(1);
    await waitUntil('n1 to count entries n2 misses', async () => {
      const rows = parseHealSummary(await healSummary());
      const n1Row = rows.find((r) => r.brick === `${n1.hostname}:${BRICK}`);
      return (n1Row?.totalEntries ?? 0) > 0 ? true : undefined;
    });

    await pool.startBricks(VOLUME);
    const up = await waitForBricks(
      'n2 online again',
      (rows) => rows.length === 3 && rows.every((b) => b.online),
    );
    expect(up.find((b) => b.hostname === n2.hostname)?.pid).to.not.equal(killedPid);
    const healed = await waitUntil(
      'no entries left to heal',
      async () => {
        const rows = parseHealSummary(await healSummary());
        const clean =
          rows.length === 3 && rows.every((r) => r.status === 'Connected' && r.totalEntries === 0);
        return clean ? rows : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(healed.map((r) => r.brick)).to.deep.equal(
      pool.nodes.map((n) => `${n.hostname}:${BRICK}`),
    );
    expect((await pool.execOnNode(n2, ['cat', `${BRICK}/f2`])).stdout).to.equal('while-down\n');
  });

  it('unmounts, and the FUSE client process exits', async function () {
    const fuseBefore = glusterfsPids(client.netns);
    expect(fuseBefore).to.have.length(1);
    await client.unmount(mountPath);
    expect((await client.exec(['findmnt', '-n', mountPath])).stdout).to.equal('');
    expect(glusterfsPids(client.netns)).to.deep.equal([]);
    // The volume is still there to mount again.
    const again = await client.mount(VOLUME, { server: n3.hostname, path: '/mnt/again' });
    const read = await client.exec(['cat', `${again}/f1`, `${again}/f2`]);
    expect(read.stdout).to.equal('replicated\nwhile-down\n');
  });

  it('destroy leaves no loop device, mount, namespace or process behind', async function () {
    const images = pool.nodes.map((n) => n.brickImage);
    const pids = [...pool.nodes.map((n) => n.netns), client.netns].flatMap(netnsPids);
    expect(leftovers(layout).filter((l) => l.startsWith('loop '))).to.have.length(3);
    expect(leftovers(layout)).to.include(`netns ${client.netns}`);
    expect(mountsMentioning(`${n3.hostname}:/${VOLUME}`)).to.have.length(1);

    await pool.destroy();
    expect(leftovers(layout)).to.deep.equal([]);
    // A brick filesystem still mounted anywhere would keep its loop device attached.
    for (const image of images) {
      expect((await runCommand(['losetup', '--associated', image])).stdout).to.equal('');
    }
    expect(pids.filter((p) => !isPidGone(p))).to.deep.equal([]);
    expect(listNetns()).to.not.include(client.netns);
    // No mount namespace on this machine has the client's FUSE mounts or the pool's files.
    expect(mountsMentioning(`${pool.name}-n`)).to.deep.equal([]);
    expect(mountsMentioning(pool.stateDir)).to.deep.equal([]);
    expect(existsSync(pool.stateDir)).to.equal(false);
  });

  async function waitForBricks(
    what: string,
    ok: (rows: BrickStatusRow[]) => boolean,
  ): Promise<BrickStatusRow[]> {
    return waitUntil(
      what,
      async () => {
        const rows = parseBrickStatus(await runGluster(pool, n1, ['volume', 'status', VOLUME]));
        return ok(rows) ? rows : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  function healSummary(): ReturnType<typeof runGluster> {
    return runGluster(pool, n1, ['volume', 'heal', VOLUME, 'info', 'summary']);
  }
});

/** glusterfs (client) processes in a network namespace, found by netns, never by name alone. */
function glusterfsPids(netns: string): number[] {
  return netnsPids(netns).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'glusterfs';
    } catch {
      return false; // exited in the meantime
    }
  });
}

/** Lines of every mount namespace's mountinfo on this machine that contain `text`. */
function mountsMentioning(text: string): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ns = readlinkSync(`/proc/${entry}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
      const info = readFileSync(`/proc/${entry}/mountinfo`, 'utf8');
      lines.push(...info.split('\n').filter((l) => l.includes(text)));
    } catch {
      // exited in the meantime
    }
  }
  return lines;
}
