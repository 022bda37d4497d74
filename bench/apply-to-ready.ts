/**
 * Benchmark (not a test): time from `kubectl apply` of a GlusterCluster to Ready (every member
 * connected, as the status reports it) for 3 and 8 lone nodes, with the operator running against
 * a real API server, next to the raw-CLI floor on the same nodes. Root: `npm run bench:apply-to-ready`.
 * Options: --sizes 3,8  --repeat 3
 */
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { tableResolver } from '../src/gluster/host-identity.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import { createOperatorHarness, isReadyAt } from '../test/support/operator-harness.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { dissolve, formWithRawCli } from './raw-cli-floor.js';

const { values } = parseArgs({
  options: { sizes: { type: 'string', default: '3,8' }, repeat: { type: 'string', default: '3' } },
});
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);
const median = (samples: number[]): number =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const controlPlane = await startControlPlane();
try {
  const kubeConfig = loadKubeConfig(controlPlane.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  console.log(`apply → Ready with the operator vs the raw gluster CLI floor (median of ${repeat})`);
  console.log('nodes  raw CLI floor  apply → Ready  operator RSS after');
  for (const size of sizes) {
    const pool = await startGlusterTestPool({ name: `ready${size}`, nodeCount: size });
    try {
      const namespace = `bench-${size}`;
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      const harness = await createOperatorHarness({
        kubeConfig,
        namespace,
        pool,
        resolver: tableResolver({}),
      });
      harness.start();
      const floor: number[] = [];
      const viaOperator: number[] = [];
      for (let round = 0; round < repeat; round++) {
        floor.push(await formWithRawCli(pool));
        await dissolve(pool);
        const name = `pool-${round}`;
        const started = performance.now();
        await harness.apply(name, {
          nodes: pool.nodes.map((node) => ({ address: node.ipv4 })),
          ssh: { secretRef: { name: 'gluster-ssh' } },
          deletionPolicy: 'Dissolve',
        });
        await harness.waitFor(name, 'be Ready', (cluster) => isReadyAt(cluster, size), 300_000);
        viaOperator.push(performance.now() - started);
        await harness.deleteAndWait(name, 300_000);
      }
      const rssMiB = process.memoryUsage().rss / 1024 / 1024;
      await harness.stop();
      console.log(
        [
          String(size).padEnd(5),
          seconds(median(floor)).padEnd(13),
          seconds(median(viaOperator)).padEnd(13),
          `${rssMiB.toFixed(0)} MiB (bench process, operator in-process)`,
        ].join('  '),
      );
    } finally {
      await pool.destroy();
    }
  }
} finally {
  await controlPlane.stop();
}
