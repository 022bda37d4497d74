/**
 * What the library does, on real glusterd: brings up lone test nodes (network namespaces on this
 * machine), makes them one pool with createCluster over SSH, shows every member's view of the
 * mesh, then dissolves the pool and removes the nodes. Run as root: `scripts/demo [--nodes 3]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KnownHosts } from '../src/exec/known-hosts.js';
import { SshExecutor } from '../src/exec/ssh-executor.js';
import { createCluster } from '../src/gluster/create-cluster.js';
import { deleteCluster } from '../src/gluster/delete-cluster.js';
import { GlusterCli } from '../src/gluster/gluster-cli.js';
import { getPoolList } from '../src/gluster/pool-list.js';
import { getClusterOpVersion, getGlusterVersion } from '../src/gluster/versions.js';
import { createLogger } from '../src/observability/logger.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '3' } } });
const nodeCount = Number(values.nodes);
const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

say(`Starting ${nodeCount} glusterd nodes (a network namespace each, with sshd)...`);
const pool = await startGlusterTestPool({ name: 'demo', nodeCount });
const executor = new SshExecutor({
  user: pool.sshUser,
  privateKey: readFileSync(pool.ed25519KeyPath, 'utf8'),
  hostKeys: KnownHosts.parse(readFileSync(pool.knownHostsPath, 'utf8')),
});
const cli = new GlusterCli(executor, { logger: createLogger({ level: 'debug' }) });
try {
  const nodes = pool.nodes.map((node) => node.ipv4);
  const [first = ''] = nodes;
  say(`Nodes: ${nodes.join(', ')}; glusterfs ${await getGlusterVersion(cli, first)}`);
  say('Forming one pool with createCluster over SSH (JSON logs of each gluster command follow)...');
  const started = performance.now();
  const result = await createCluster(cli, nodes);
  say(
    `Formed in ${((performance.now() - started) / 1000).toFixed(2)} s with ${result.actions.length} changes:`,
  );
  for (const action of result.actions)
    say(`  ${action.verb} ${action.server} on ${action.node}: ${action.outcome}`);
  say(`Full mesh: ${result.mesh.isFullMesh ? 'yes' : `no (${result.mesh.problems.join('; ')})`}`);
  say('Who sees whom:');
  for (const link of result.mesh.links) say(`  ${link.observer} -> ${link.target}: ${link.status}`);
  say(`Pool list on ${first}:`);
  for (const member of await getPoolList(cli, first)) {
    say(
      `  ${member.uuid}  ${member.hostname.padEnd(16)} ${member.isConnected ? 'Connected' : 'Disconnected'}${member.isLocal ? ' (itself)' : ''}`,
    );
  }
  say(`Cluster op-version: ${await getClusterOpVersion(cli, first)}`);
  const dissolved = await deleteCluster(cli, nodes);
  say(`Dissolved the pool again (${dissolved.actions.length} detaches).`);
} finally {
  await executor.close();
  await pool.destroy();
  say('Removed the nodes.');
}
