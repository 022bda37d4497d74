/**
 * Benchmark (not a test): time to form pools of 3 and 8 nodes with createCluster over SSH, next
 * to the floor, the same probes issued with the gluster CLI directly inside the namespaces, and
 * the SSH connections and commands each costs. Run as root: `npm run bench:form-pool`.
 * Options: --sizes 3,8  --repeat 3
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KnownHosts } from '../src/exec/known-hosts.js';
import { SshExecutor } from '../src/exec/ssh-executor.js';
import { createCluster } from '../src/gluster/create-cluster.js';
import { GlusterCli } from '../src/gluster/gluster-cli.js';
import { peerProbe } from '../src/gluster/peer-probe.js';
import type { GlusterTestPool, TestNode } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { dissolve, formWithRawCli } from './raw-cli-floor.js';
import { median, seconds } from './statistics.js';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '3,8' }, repeat: { type: 'string', default: '3' } },
});
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);

function executorFor(pool: GlusterTestPool): SshExecutor {
  return new SshExecutor({
    user: pool.sshUser,
    privateKey: readFileSync(pool.ed25519KeyPath, 'utf8'),
    hostKeys: KnownHosts.parse(readFileSync(pool.knownHostsPath, 'utf8')),
  });
}

console.log(`Forming a pool: createCluster over SSH vs the raw gluster CLI (median of ${repeat})`);
console.log('nodes  raw CLI floor  createCluster  overhead  ssh connections  commands');
for (const size of sizes) {
  const pool = await startGlusterTestPool({ name: `bench${size}`, nodeCount: size });
  try {
    const floor: number[] = [];
    const viaLibrary: number[] = [];
    let connections = 0;
    let commands = 0;
    for (let round = 0; round < repeat; round++) {
      floor.push(await formWithRawCli(pool));
      await dissolve(pool);
      const executor = executorFor(pool);
      const started = performance.now();
      const result = await createCluster(
        new GlusterCli(executor),
        pool.nodes.map((node) => node.ipv4),
        { pollIntervalMs: 100 },
      );
      viaLibrary.push(performance.now() - started);
      if (!result.mesh.isFullMesh)
        throw new Error(`no full mesh: ${result.mesh.problems.join('; ')}`);
      ({ connectionsOpened: connections, commandsRun: commands } = executor.stats());
      await executor.close();
      await dissolve(pool);
    }
    const overhead = median(viaLibrary) - median(floor);
    console.log(
      [
        String(size).padEnd(5),
        seconds(median(floor)).padEnd(13),
        seconds(median(viaLibrary)).padEnd(13),
        seconds(overhead).padEnd(8),
        String(connections).padEnd(15),
        String(commands),
      ].join('  '),
    );
  } finally {
    await pool.destroy();
  }
}

// One operation on a fresh executor: how many connections does a single probe cost?
const pool = await startGlusterTestPool({ name: 'benchone', nodeCount: 2 });
try {
  const executor = executorFor(pool);
  const cli = new GlusterCli(executor);
  const [n1, n2] = pool.nodes as [TestNode, TestNode];
  await peerProbe(cli, { server: n2.ipv4, node: n1.ipv4 });
  const afterOne = executor.stats();
  for (let i = 0; i < 10; i++) await peerProbe(cli, { server: n2.ipv4, node: n1.ipv4 });
  const afterEleven = executor.stats();
  console.log(
    `peer probe: ${afterOne.connectionsOpened} connection for the first operation, ` +
      `${afterEleven.connectionsOpened - afterOne.connectionsOpened} more for the next 10 ` +
      `(${afterEleven.commandsRun} commands in all)`,
  );
  await executor.close();
} finally {
  await pool.destroy();
}
