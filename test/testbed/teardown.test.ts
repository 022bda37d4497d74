import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  destroyStaleTestPools,
  listTestPools,
  startGlusterTestPool,
} from '../../testbed/gluster-test-pool.js';
import { layoutPool } from '../../testbed/pool-layout.js';
import { poolDir } from '../../testbed/pool-state.js';
import { isPidGone } from '../../testbed/process-identity.js';
import { leftovers, netnsPids } from '../../testbed/teardown.js';
import { PoolInUseError } from '../../testbed/testbed-error.js';

const POOL_MODULE = fileURLToPath(new URL('../../testbed/gluster-test-pool.ts', import.meta.url));

describe('testbed teardown', function () {
  this.timeout(120_000);

  it('destroy removes namespaces, links, processes and files, and can run twice', async function () {
    const pool = await startGlusterTestPool({ name: 'tb-down', nodeCount: 2 });
    const layout = layoutOf(pool.name);
    const pids = pool.nodes.flatMap((n) => netnsPids(n.netns));
    // holder, glusterd and sshd on each node
    expect(pids.length).to.be.at.least(6);
    expect(leftovers(layout)).to.have.length(5);

    await pool.destroy();
    expect(leftovers(layout)).to.deep.equal([]);
    expect(pids.filter((p) => !isPidGone(p))).to.deep.equal([]);
    expect(existsSync(poolDir(pool.name))).to.equal(false);
    await pool.destroy();
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
    expect(leftovers(layout)).to.have.length(3);
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
