import { expect } from 'chai';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestClient, TestNode } from '../../../testbed/gluster-test-pool.js';
import { runGluster } from '../../../testbed/gluster-commands.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import { waitForPeersToConnect } from '../../../src/gluster/peer-connectivity.js';
import { peerProbe } from '../../../src/gluster/peer-probe.js';
import {
  addBricks,
  getRemoveBrickStatus,
  removeBricksCommit,
  removeBricksStart,
  replaceBrick,
} from '../../../src/gluster/volume-bricks.js';
import { createVolume } from '../../../src/gluster/volume-create.js';
import {
  RemoveBrickIncompleteError,
  VolumeIdentityMismatchError,
  VolumeLayoutMismatchError,
} from '../../../src/gluster/volume-errors.js';
import { getHealSummary } from '../../../src/gluster/volume-heal.js';
import { getVolume } from '../../../src/gluster/volume-info.js';
import { deleteVolume, startVolume, stopVolume } from '../../../src/gluster/volume-lifecycle.js';
import {
  getVolumeOptions,
  resetVolumeOption,
  setVolumeOptions,
} from '../../../src/gluster/volume-options.js';
import { getRebalanceStatus, startRebalance } from '../../../src/gluster/volume-rebalance.js';
import { getVolumeStatus } from '../../../src/gluster/volume-status.js';
import { TASK_STATUS } from '../../../src/gluster/volume-task-status.js';
import type { TaskStatus } from '../../../src/gluster/volume-task-status.js';
import { rejection } from '../../support/rejection.js';
import { useGlusterTestPool } from '../../support/test-pool.js';

/**
 * The volume library against real glusterd 10.3: four nodes, each with its own XFS brick
 * filesystem at /bricks (the testbed's), bricks in sub-directories of it and no force. Commands go
 * over SSH through the library; what happened is checked inside the nodes (gluster's own answer
 * read by a regular expression, the brick directories) and through a testbed client's FUSE
 * mount, not by the code under test.
 */
describe('Gluster volume operations on real glusterd', function () {
  this.timeout(300_000);
  const pool = useGlusterTestPool('voops', 4);
  const n = (index: number): TestNode => pool().node(index);
  let cli: GlusterCli;
  /** The node the commands are run on, by address (as the operator does). */
  let on: string;
  const brick = (index: number, path: string): string => `${n(index).hostname}:${path}`;

  /** Runs argv inside a node and returns its stdout; fails on a non-zero exit. */
  async function inNode(index: number, argv: readonly string[]): Promise<string> {
    const r = await pool().pool.execOnNode(n(index), argv, { timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} on n${index + 1}: ${r.stderr}`);
    return r.stdout;
  }

  /** `volume info <v>` read inside n1, without SSH and without the library's parser. */
  async function truth(volume: string): Promise<string> {
    return (await runGluster(pool().pool, n(0), ['volume', 'info', volume])).stdout;
  }

  /** `find` argv listing the files under `dir`, without gluster's own .glusterfs. */
  const findFiles = (dir: string): string[] => [
    'find',
    dir,
    '-path',
    `${dir}/.glusterfs`,
    '-prune',
    '-o',
    '-type',
    'f',
    '-printf',
    '%P\\n',
  ];
  const lines = (out: string): string[] =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .sort();

  /** The files in a brick directory, read on its node. */
  async function filesIn(index: number, dir: string): Promise<string[]> {
    return lines(await inNode(index, findFiles(dir)));
  }

  /** A client (the testbed's: the real FUSE client on the pool's subnet) that mounts volumes. */
  let client: TestClient;

  async function inClient(argv: readonly string[]): Promise<string> {
    const r = await client.exec(argv, { timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} on the client: ${r.stderr}`);
    return r.stdout;
  }

  async function writeFiles(dir: string, count: number): Promise<void> {
    const script = `for i in $(seq 1 ${count}); do head -c 2048 /dev/urandom > "$0/f$i" || exit 1; done`;
    await inClient(['sh', '-c', script, dir]);
  }

  async function waitForTask(read: () => Promise<TaskStatus>): Promise<TaskStatus> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const status = await read();
      if (status.aggregate.status === TASK_STATUS.completed) return status;
      expect(status.aggregate.status, status.aggregate.statusStr).to.be.oneOf([
        TASK_STATUS.notStarted,
        TASK_STATUS.inProgress,
      ]);
      if (Date.now() > deadline) throw new Error(`task still ${status.aggregate.statusStr}`);
      await delay(1_000);
    }
  }

  async function waitUntilHealed(volume: string): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const bricks = await getHealSummary(cli, on, { name: volume });
      if (bricks.every((b) => b.isConnected && b.total === 0)) return;
      if (Date.now() > deadline) throw new Error(`${volume} not healed: ${JSON.stringify(bricks)}`);
      await delay(2_000);
    }
  }

  before(async function () {
    this.timeout(180_000);
    cli = new GlusterCli(pool().executor(), { timeoutSeconds: 120 });
    client = await pool().pool.startClient();
    on = n(0).ipv4;
    for (const index of [1, 2, 3]) {
      await peerProbe(cli, { server: n(index).hostname, node: on }, { resolver: pool().resolver });
    }
    const wait = await waitForPeersToConnect(
      cli,
      { node: on, servers: [1, 2, 3].map((index) => n(index).hostname) },
      { resolver: pool().resolver, timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(wait.isConnected).to.equal(true);
    // glusterd creates the last component of a brick path only.
    for (const index of [0, 1, 2, 3]) {
      await inNode(index, [
        'mkdir',
        '-p',
        ...['r3', 'ar', 'ec', 'dr', 'again'].map((v) => `/bricks/${v}`),
      ]);
    }
  });

  const ids: Record<string, string> = {};

  it('creates replica 3, replica 3 arbiter 1 and disperse 3 redundancy 1 volumes without force', async () => {
    const layouts = {
      r3: { type: 'Replicate', replica: 3, arbiter: 0 },
      ar: { type: 'Replicate', replica: 3, arbiter: 1 },
      ec: { type: 'Disperse', disperse: 3, redundancy: 1 },
    } as const;
    for (const [name, layout] of Object.entries(layouts)) {
      const bricks = [0, 1, 2].map((index) => brick(index, `/bricks/${name}/brick`));
      const created = await createVolume(cli, on, { name, bricks, layout });
      expect(created.name).to.equal(name);
      ids[name] = created.id;
      expect(await truth(name)).to.contain(`<id>${created.id}</id>`);
      const volume = await getVolume(cli, on, name);
      expect(volume).to.deep.include({
        id: created.id,
        statusStr: 'Created',
        transport: 'tcp',
        brickCount: 3,
      });
      expect(volume?.bricks.map((b) => b.name)).to.deep.equal(bricks);
    }
    const ar = await getVolume(cli, on, 'ar');
    expect(ar).to.deep.include({ replicaCount: 3, arbiterCount: 1, typeStr: 'Replicate' });
    expect(ar?.bricks.map((b) => b.isArbiter)).to.deep.equal([false, false, true]);
    const ec = await getVolume(cli, on, 'ec');
    expect(ec).to.deep.include({ disperseCount: 3, redundancyCount: 1, typeStr: 'Disperse' });
    expect(await getVolume(cli, on, 'nosuchvolume')).to.equal(undefined);
  });

  it("maps glusterd's refusals: the root filesystem, a mount point, a name in use", async () => {
    const attempts = [
      {
        name: 'rootfs',
        bricks: [brick(0, '/run/voops-root-brick')],
        reason: 'BrickOnRootFilesystem',
      },
      // n4 has no brick yet: on n1, /bricks would contain the bricks created above.
      { name: 'mountpoint', bricks: [brick(3, '/bricks')], reason: 'BrickIsMountPoint' },
      { name: 'overlap', bricks: [brick(0, '/bricks')], reason: 'BrickOverlapsExisting' },
      { name: 'r3', bricks: [brick(3, '/bricks/r3/brick')], reason: 'VolumeExists' },
    ];
    for (const attempt of attempts) {
      const error = await rejection(
        createVolume(cli, on, {
          name: attempt.name,
          bricks: attempt.bricks,
          layout: { type: 'Distribute' },
        }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: attempt.reason });
    }
    expect(await getVolume(cli, on, 'rootfs')).to.equal(undefined);
    expect(await getVolume(cli, on, 'mountpoint')).to.equal(undefined);
    expect(await getVolume(cli, on, 'overlap')).to.equal(undefined);
  });

  it('starts volumes and reads their bricks: online, port, pid and bytes, and heal info', async () => {
    for (const name of ['r3', 'ar', 'ec']) await startVolume(cli, on, { name });
    expect(await truth('r3')).to.contain('<statusStr>Started</statusStr>');
    const already = await rejection(startVolume(cli, on, { name: 'r3' }));
    expect(already).to.include({ reason: 'VolumeAlreadyStarted' });

    const bricks = await getVolumeStatus(cli, on, { name: 'r3' });
    expect(bricks.map((b) => b.name)).to.deep.equal(
      [0, 1, 2].map((i) => brick(i, '/bricks/r3/brick')),
    );
    for (const [index, row] of bricks.entries()) {
      expect(row.online).to.equal(true);
      expect(row.port).to.be.within(1, 65535);
      // The pid is that node's brick process, serving that brick.
      const cmdline = await inNode(index, ['cat', `/proc/${row.pid}/cmdline`]);
      expect(cmdline.split('\0')[0]).to.equal('/usr/sbin/glusterfsd');
      expect(cmdline).to.contain('/bricks/r3/brick');
      // Sizes are the brick filesystem's, as statfs reports it on the node.
      const [blocks, blockSize] = (
        await inNode(index, ['stat', '-f', '-c', '%b %S', '/bricks/r3/brick'])
      )
        .trim()
        .split(' ')
        .map(Number);
      expect(row.sizeTotalBytes).to.equal((blocks ?? 0) * (blockSize ?? 0));
      expect(row.sizeFreeBytes).to.be.within(1, row.sizeTotalBytes ?? 0);
      expect(row.fsName).to.equal('xfs');
    }

    for (const name of ['r3', 'ar', 'ec']) {
      const heal = await getHealSummary(cli, on, { name });
      expect(heal).to.have.length(3);
      expect(heal.every((b) => b.isConnected && b.pending === 0 && b.splitBrain === 0)).to.equal(
        true,
      );
    }
  });

  it('sets options, reads them back and resets one', async () => {
    const note = "it's $(id) `id` * ; |cat";
    await setVolumeOptions(cli, on, {
      name: 'r3',
      options: [
        ['performance.cache-size', '64MB'],
        ['user.note', note],
      ],
    });
    expect((await getVolume(cli, on, 'r3'))?.options).to.deep.include({
      'performance.cache-size': '64MB',
      'user.note': note,
    });
    expect(await truth('r3')).to.contain('<value>64MB</value>');
    const cacheSize = { name: 'r3', key: 'performance.cache-size' };
    expect((await getVolumeOptions(cli, on, cacheSize)).get(cacheSize.key)).to.deep.equal({
      value: '64MB',
      isDefault: false,
    });

    // One refused pair sets nothing.
    const refused = await rejection(
      setVolumeOptions(cli, on, {
        name: 'r3',
        options: [
          ['performance.cache-size', '128MB'],
          ['performance.nosuch', 'on'],
        ],
      }),
    );
    expect(refused).to.include({ reason: 'OptionUnknown' });
    expect((await getVolume(cli, on, 'r3'))?.options['performance.cache-size']).to.equal('64MB');

    await resetVolumeOption(cli, on, cacheSize);
    expect((await getVolumeOptions(cli, on, cacheSize)).get(cacheSize.key)?.isDefault).to.equal(
      true,
    );
    expect((await getVolume(cli, on, 'r3'))?.options).not.to.have.property(
      'performance.cache-size',
    );
    expect(
      await rejection(resetVolumeOption(cli, on, { name: 'r3', key: 'user.note' })),
    ).to.include({
      reason: 'OptionNotResettable',
    });
  });

  it('stops and starts a volume, and never stops one recreated under the same name', async () => {
    const stale = ids['ar']!;
    await stopVolume(cli, on, { name: 'ar', expectedVolumeId: stale });
    expect(await truth('ar')).to.contain('<statusStr>Stopped</statusStr>');
    expect(await rejection(getVolumeStatus(cli, on, { name: 'ar' }))).to.include({
      reason: 'VolumeNotStarted',
    });
    expect(
      await rejection(stopVolume(cli, on, { name: 'ar', expectedVolumeId: stale })),
    ).to.include({
      reason: 'VolumeNotStarted',
    });
    await startVolume(cli, on, { name: 'ar' });
    expect(await truth('ar')).to.contain('<statusStr>Started</statusStr>');

    // "again": created, deleted, created anew under the same name (on new directories: the old
    // ones keep the volume-id of the first).
    const layout = { type: 'Distribute' } as const;
    const first = await createVolume(cli, on, {
      name: 'again',
      bricks: [brick(0, '/bricks/again/b1')],
      layout,
    });
    await deleteVolume(cli, on, { name: 'again', expectedVolumeId: first.id });
    const reuse = await rejection(
      createVolume(cli, on, { name: 'again', bricks: [brick(0, '/bricks/again/b1')], layout }),
    );
    expect(reuse).to.include({ reason: 'BrickInUse' });
    const second = await createVolume(cli, on, {
      name: 'again',
      bricks: [brick(0, '/bricks/again/b2')],
      layout,
    });
    await startVolume(cli, on, { name: 'again' });
    for (const attempt of [
      () => stopVolume(cli, on, { name: 'again', expectedVolumeId: first.id }),
      () => deleteVolume(cli, on, { name: 'again', expectedVolumeId: first.id }),
    ]) {
      const error = await rejection(attempt());
      expect(error).to.be.instanceOf(VolumeIdentityMismatchError);
      expect(error).to.include({ expectedId: first.id, actualId: second.id });
    }
    expect(await truth('again')).to.contain('<statusStr>Started</statusStr>');
    expect(
      await rejection(deleteVolume(cli, on, { name: 'again', expectedVolumeId: second.id })),
    ).to.include({
      reason: 'VolumeIsStarted',
    });
    await stopVolume(cli, on, { name: 'again', expectedVolumeId: second.id });
    await deleteVolume(cli, on, { name: 'again', expectedVolumeId: second.id });
    expect(await getVolume(cli, on, 'again')).to.equal(undefined);
    expect(await truth('again')).to.contain('<opErrstr>Volume does not exist</opErrstr>');
  });

  it('adds a replica set, rebalances files onto it, and replaces a brick (commit force)', async () => {
    const mnt = await client.mount('r3');
    await writeFiles(mnt, 60);
    const newSet = [3, 0, 1].map((index) => brick(index, '/bricks/r3/brick2'));
    const wrongLayout = await rejection(
      addBricks(cli, on, {
        name: 'r3',
        bricks: newSet.slice(0, 2),
        layout: { type: 'Replicate', replica: 2, arbiter: 0 },
      }),
    );
    expect(wrongLayout).to.be.instanceOf(VolumeLayoutMismatchError);
    expect(await truth('r3')).to.contain('<brickCount>3</brickCount>');

    await addBricks(cli, on, {
      name: 'r3',
      bricks: newSet,
      layout: { type: 'Replicate', replica: 3, arbiter: 0 },
    });
    const grown = await getVolume(cli, on, 'r3');
    expect(grown).to.deep.include({
      brickCount: 6,
      distCount: 2,
      typeStr: 'Distributed-Replicate',
    });
    expect(grown?.bricks.slice(3).map((b) => b.name)).to.deep.equal(newSet);

    expect((await getRebalanceStatus(cli, on, { name: 'r3' })).aggregate.statusStr).to.equal(
      'not started',
    );
    const started = await startRebalance(cli, on, { name: 'r3' });
    expect(started.taskId).to.match(/^[0-9a-f-]{36}$/);
    const done = await waitForTask(() => getRebalanceStatus(cli, on, { name: 'r3' }));
    expect(done.taskId).to.equal(started.taskId);
    expect(done.aggregate.failures).to.equal(0);
    // What moved is on the new set's bricks; every file is still there. (DHT may skip a file
    // when the target would end with less free space than the source: here each node's bricks
    // share one filesystem.)
    const moved = await filesIn(3, '/bricks/r3/brick2');
    expect(moved.length).to.equal(done.aggregate.filesMoved);
    expect(done.aggregate.filesMoved + done.aggregate.skipped).to.be.greaterThan(0);
    expect(lines(await inClient(findFiles(mnt)))).to.have.length(60);

    // replace-brick: n4's brick of the second set moves to n3.
    const from = brick(3, '/bricks/r3/brick2');
    const to = brick(2, '/bricks/r3/brick3');
    const stale = await rejection(
      replaceBrick(cli, on, { name: 'r3', from, to, expectedVolumeId: ids['ar']! }),
    );
    expect(stale).to.be.instanceOf(VolumeIdentityMismatchError);
    expect(await truth('r3')).to.contain(`<name>${from}</name>`);
    await replaceBrick(cli, on, { name: 'r3', from, to, expectedVolumeId: ids['r3']! });
    const replaced = await getVolume(cli, on, 'r3');
    expect(replaced?.bricks[3]?.name).to.equal(to);
    expect(replaced?.bricks.some((b) => b.name === from)).to.equal(false);
    // Self-heal fills the new brick from the rest of its set.
    await waitUntilHealed('r3');
    expect(await filesIn(2, '/bricks/r3/brick3')).to.deep.equal(
      await filesIn(0, '/bricks/r3/brick2'),
    );
    await client.unmount(mnt);
  });

  it('removes a replica set of a distributed-replicate volume: start, status, commit', async () => {
    const bricks = [0, 1, 2, 3].map((index) => brick(index, '/bricks/dr/brick'));
    const created = await createVolume(cli, on, {
      name: 'dr',
      bricks,
      layout: { type: 'Replicate', replica: 2, arbiter: 0 },
    });
    await startVolume(cli, on, { name: 'dr' });
    const mnt = await client.mount('dr');
    await writeFiles(mnt, 80);
    const second = bricks.slice(2);
    const request = { name: 'dr', bricks: second, expectedVolumeId: created.id };

    // Nothing to commit before a start: refused by the library, nothing run.
    const early = await rejection(removeBricksCommit(cli, on, request));
    expect(early).to.be.instanceOf(RemoveBrickIncompleteError);
    expect(early).to.include({ isTransient: false });
    expect(await truth('dr')).to.contain('<brickCount>4</brickCount>');

    const started = await removeBricksStart(cli, on, request);
    const done = await waitForTask(() =>
      getRemoveBrickStatus(cli, on, { name: 'dr', bricks: second }),
    );
    expect(done.taskId).to.equal(started.taskId);
    expect(done.nodes.map((node) => node.nodeName).sort()).to.deep.equal([
      n(2).hostname,
      n(3).hostname,
    ]);
    expect(done.aggregate).to.include({ failures: 0, skipped: 0 });
    // Its files have left the set's bricks.
    expect(await filesIn(2, '/bricks/dr/brick')).to.deep.equal([]);

    await removeBricksCommit(cli, on, request);
    const shrunk = await getVolume(cli, on, 'dr');
    expect(shrunk?.bricks.map((b) => b.name)).to.deep.equal(bricks.slice(0, 2));
    expect(await truth('dr')).to.contain('<brickCount>2</brickCount>');
    expect(lines(await inClient(findFiles(mnt)))).to.have.length(80);
    await client.unmount(mnt);
  });

  it('deletes a stopped volume only; its brick directories stay, marked', async () => {
    expect(
      await rejection(deleteVolume(cli, on, { name: 'ec', expectedVolumeId: ids['ec']! })),
    ).to.include({
      reason: 'VolumeIsStarted',
    });
    await stopVolume(cli, on, { name: 'ec', expectedVolumeId: ids['ec']! });
    await deleteVolume(cli, on, { name: 'ec', expectedVolumeId: ids['ec']! });
    expect(await getVolume(cli, on, 'ec')).to.equal(undefined);
    const xattr = await inNode(0, [
      'getfattr',
      '--absolute-names',
      '-n',
      'trusted.glusterfs.volume-id',
      '-e',
      'hex',
      '/bricks/ec/brick',
    ]);
    expect(xattr).to.contain(`0x${ids['ec']!.replaceAll('-', '')}`);
  });
});
