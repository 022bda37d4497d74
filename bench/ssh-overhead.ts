/**
 * Benchmark (not a test): what SSH adds to a command, on one real node. Prints, median of
 * --repeat: a connection's set-up (TCP, key exchange, authentication), `true` and
 * `gluster pool list --xml` over an open connection, and the same two run directly inside the
 * node's namespaces (the floor). Root: `npm run bench:ssh-overhead`.
 * Options: --repeat 15
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KnownHosts } from '../src/exec/known-hosts.js';
import { SshExecutor } from '../src/exec/ssh-executor.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { cleanUp } from './clean-up.js';
import { describeSourceVersion } from './source-version.js';
import { median } from './statistics.js';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '15' } } });
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat takes a whole number ≥ 1');

const POOL_LIST = ['gluster', '--mode=script', '--xml', 'pool', 'list'];

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

console.log(`SSH overhead, ${new Date().toISOString()}, at ${describeSourceVersion()}`);
const pool = await startGlusterTestPool({ name: 'sshover', nodeCount: 1 });
try {
  const node = pool.nodes[0]!;
  const executorOptions = {
    user: pool.sshUser,
    privateKey: readFileSync(pool.ed25519KeyPath, 'utf8'),
    hostKeys: KnownHosts.parse(readFileSync(pool.knownHostsPath, 'utf8')),
  };
  const connect: number[] = [];
  const overSsh = { true: [] as number[], poolList: [] as number[] };
  const direct = { true: [] as number[], poolList: [] as number[] };
  for (let round = 0; round < repeat; round++) {
    // A new executor each round: its first command pays for the connection.
    const executor = new SshExecutor(executorOptions);
    try {
      const first = await timed(() => executor.run(node.ipv4, ['true'], { timeoutMs: 10_000 }));
      const second = await timed(() => executor.run(node.ipv4, ['true'], { timeoutMs: 10_000 }));
      connect.push(first - second);
      overSsh.true.push(second);
      overSsh.poolList.push(
        await timed(() => executor.run(node.ipv4, POOL_LIST, { timeoutMs: 10_000 })),
      );
    } finally {
      await executor.close();
    }
    direct.true.push(await timed(() => pool.execOnNode(node, ['true'])));
    direct.poolList.push(await timed(() => pool.execOnNode(node, POOL_LIST)));
  }
  const ms = (samples: readonly number[]): string => `${median(samples).toFixed(0)} ms`.padEnd(9);
  console.log(`median of ${repeat}, one node, commands one at a time`);
  console.log('');
  console.log('what                               over SSH   in the node (floor)');
  console.log(`connection set-up                  ${ms(connect)}  -`);
  console.log(`true                               ${ms(overSsh.true)}  ${ms(direct.true)}`);
  console.log(`gluster pool list --xml            ${ms(overSsh.poolList)}  ${ms(direct.poolList)}`);
} finally {
  await cleanUp([['destroy the test pool', () => pool.destroy()]]);
}
