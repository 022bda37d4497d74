import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  destroyStaleTestPools,
  listTestPools,
  startGlusterTestPool,
} from '../../testbed/gluster-test-pool.js';
import { layoutClient, layoutPool } from '../../testbed/pool-layout.js';
import { poolDir } from '../../testbed/pool-state.js';
import { isPidGone } from '../../testbed/process-identity.js';
import { runCommand } from '../../testbed/run-command.js';
import { leftovers, listLinks, listNetns, netnsPids } from '../../testbed/teardown.js';
import { PoolInUseError, TestbedError } from '../../testbed/testbed-error.js';

const POOL_MODULE = fileURLToPath(new URL('../../testbed/gluster-test-pool.ts', import.meta.url));

describe('testbed teardown', function () {
  this.timeout(120_000);

  it('destroy removes namespaces, links, loop devices, clients, processes and files, and can run twice', async function () {
    const pool = await startGlusterTestPool({ name: 'tb-down', nodeCount: 2 });
    const layout = layoutOf(pool.name);
    const client = await pool.startClient();
    const pids = [...pool.nodes.map((n) => n.netns), client.netns].flatMap(netnsPids);
    // holder, glusterd and sshd on each node, the client's holder
    expect(pids.length).to.be.at.least(7);
    // per node a netns, a veth and a loop device; the bridge; the client's netns and veth
    expect(leftovers(layout)).to.have.length(9);
    for (const node of pool.nodes) expect(await attachedLoops(node.brickImage)).to.have.length(1);

    await pool.destroy();
    expect(leftovers(layout)).to.deep.equal([]);
    for (const node of pool.nodes) expect(await attachedLoops(node.brickImage)).to.deep.equal([]);
    expect(pids.filter((p) => !isPidGone(p))).to.deep.equal([]);
    expect(existsSync(poolDir(pool.name))).to.equal(false);
    await pool.destroy();
  });

  it("removes one client on its destroy, and leaves live pools' clients alone when another pool starts", async function () {
    const pool = await startGlusterTestPool({ name: 'tb-clients', nodeCount: 1 });
    try {
      const layout = layoutOf(pool.name);
      const [c1, c2] = [await pool.startClient(), await pool.startClient()];
      expect([c1.name, c2.name]).to.deep.equal(['c1', 'c2']);
      expect([c1.ipv4, c2.ipv4]).to.deep.equal([
        `10.250.${layout.index}.201`,
        `10.250.${layout.index}.202`,
      ]);
      // Another pool's start sweeps orphaned testbed namespaces: these belong to a live pool.
      const other = await startGlusterTestPool({ name: 'tb-clients2', nodeCount: 1 });
      await other.destroy();
      expect(listNetns()).to.include.members([c1.netns, c2.netns]);
      expect(listLinks()).to.include.members([1, 2].map((i) => layoutClient(layout, i).hostVeth));
      // And c1 still reaches the node's glusterd.
      const connect = await c1.exec([
        'timeout',
        '2',
        'bash',
        '-c',
        'exec 3<>"/dev/tcp/$1/24007"',
        'tcp-check',
        pool.nodes[0]!.ipv4,
      ]);
      expect(connect.exitCode, connect.stderr).to.equal(0);

      await c1.destroy();
      expect(listNetns()).to.not.include(c1.netns);
      expect(listLinks()).to.not.include(layoutClient(layout, 1).hostVeth);
      expect(existsSync(c1.stateDir)).to.equal(false);
      expect((await c2.exec(['hostname'])).stdout.trim()).to.equal(c2.hostname);
      // The freed slot is taken again.
      const c3 = await pool.startClient();
      expect(c3.name).to.equal('c1');
    } finally {
      await pool.destroy();
    }
  });

  it('sizes the brick filesystems by brickSizeMiB, and refuses a size XFS cannot hold', async function () {
    const err = await startGlusterTestPool({
      name: 'tb-tiny',
      nodeCount: 1,
      brickSizeMiB: 200,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TestbedError).with.property('message').that.contains('200 MiB');
    expect(existsSync(poolDir('tb-tiny'))).to.equal(false);

    const pool = await startGlusterTestPool({ name: 'tb-sized', nodeCount: 1, brickSizeMiB: 400 });
    try {
      const node = pool.nodes[0]!;
      expect(statSync(node.brickImage).size).to.equal(400 * 1024 * 1024);
      const df = await pool.execOnNode(node, ['df', '-B1M', '--output=size', '/bricks']);
      // What XFS offers of 400 MiB once its log and metadata are taken.
      expect(Number(df.stdout.trim().split('\n')[1])).to.be.within(300, 400);
    } finally {
      await pool.destroy();
    }
  });

  it('refuses to start a pool whose name a live process uses', async function () {
    const pool = await startGlusterTestPool({ name: 'tb-busy', nodeCount: 1 });
    try {
      const err = await startGlusterTestPool({ name: 'tb-busy', nodeCount: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(PoolInUseError);
    } finally {
      await pool.destroy();
    }
  });

  it('removes the pool of a SIGKILLed owner with destroyStaleTestPools', async function () {
    const child = await startPoolInChild('tb-crash');
    const layout = layoutOf('tb-crash');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // netns, veth, bridge, and the brick filesystem's loop device: the node still runs
    expect(leftovers(layout)).to.have.length(4);
    expect(listTestPools().find((p) => p.name === 'tb-crash')?.isStale).to.equal(true);

    await destroyStaleTestPools();
    expect(leftovers(layout)).to.deep.equal([]);
    expect(existsSync(poolDir('tb-crash'))).to.equal(false);
  });

  it('replaces a crashed pool of the same name on start', async function () {
    const child = await startPoolInChild('tb-again');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const pool = await startGlusterTestPool({ name: 'tb-again', nodeCount: 1 });
    expect(listTestPools().find((p) => p.name === 'tb-again')?.ownerPid).to.equal(process.pid);
    await pool.destroy();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`tears the pool down when its owner gets ${signal}`, async function () {
      const name = `tb-${signal.toLowerCase()}`;
      const child = await startPoolInChild(name);
      const layout = layoutOf(name);
      child.kill(signal);
      const [code, killedBy] = (await once(child, 'exit')) as [number | null, string | null];
      // The default action still happens once the pool is gone: the process dies of the signal.
      expect({ code, killedBy }).to.deep.equal({ code: null, killedBy: signal });
      expect(leftovers(layout)).to.deep.equal([]);
      expect(existsSync(poolDir(name))).to.equal(false);
    });
  }
});

async function attachedLoops(image: string): Promise<string[]> {
  const r = await runCommand(['losetup', '--associated', image]);
  return r.stdout.split('\n').filter((l) => l !== '');
}

function layoutOf(name: string): ReturnType<typeof layoutPool> {
  const summary = listTestPools().find((p) => p.name === name);
  if (summary === undefined) throw new Error(`No pool ${name}`);
  return layoutPool(name, summary.index, summary.nodes.length);
}

/** A separate process that owns a one-node pool and waits to be killed. */
async function startPoolInChild(name: string): Promise<ChildProcess> {
  const code = [
    `import { startGlusterTestPool } from ${JSON.stringify(POOL_MODULE)};`,
    `await startGlusterTestPool({ name: process.argv[1], nodeCount: 1 });`,
    `process.stdout.write('up\\n');`,
    `setInterval(() => {}, 1000);`,
  ].join('\n');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code, name],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('up\n')) resolve();
    });
    child.once('exit', (c) => {
      reject(new Error(`Pool child exited early with ${String(c)}`));
    });
  });
  return child;
}
