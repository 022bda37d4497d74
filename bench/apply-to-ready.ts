/**
 * Benchmark (not a test): time from `kubectl apply` of a GlusterCluster (its create) to Ready, for
 * 3 and 8 lone nodes, with the operator as the image runs it (its own process, the shipped
 * defaults of deploy/deployment.yaml, its service account, leader election:
 * bench/shipped-operator.ts) against a real API server, each round next to the raw-CLI floor on
 * the same nodes (bench/raw-cli-floor.ts). Root: `npm run bench:apply-to-ready`.
 *
 * Ready is seen on a WATCH of the object (the time is the arrival of the first event that shows
 * it): observedGeneration == generation, Ready True with reason PoolReady, connected == members ==
 * nodes. A round: floor (probes inside n1, then every node polled until a full mesh), dissolve,
 * create the GlusterCluster (default policies), Ready, delete it, dissolve with the CLI.
 * Options: --sizes 3,8  --repeat 3  --timeout 300 (s per round)  --runtime dist|tsx
 *          --quick (3 nodes, 1 round)
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import type { GlusterTestPool } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { cleanUp } from './clean-up.js';
import { ClusterWatch } from './cluster-watch.js';
import { createGlusterCluster, createSshSecret, deleteGlusterCluster } from './cluster-objects.js';
import { isPoolReady } from './pool-conditions.js';
import { scrape } from './prometheus-text.js';
import { readProcessMemory } from './process-memory.js';
import { dissolve, formWithRawCli } from './raw-cli-floor.js';
import type { ShippedOperator } from './shipped-operator.js';
import {
  describeOperator,
  installOperatorIdentity,
  prepareRuntime,
  printOperatorTail,
  startShippedOperator,
} from './shipped-operator.js';
import { describeSourceVersion } from './source-version.js';
import { median, ratio, seconds } from './statistics.js';

const TARGET_RATIO = 1.5;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    repeat: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    runtime: { type: 'string', default: 'dist' },
    quick: { type: 'boolean', default: false },
  },
});
const sizes = (values.sizes ?? (values.quick ? '3' : '3,8')).split(',').map(Number);
const repeat = Number(values.repeat ?? (values.quick ? '1' : '3'));
const timeoutMs = Number(values.timeout) * 1000;
if (sizes.some((n) => !Number.isInteger(n) || n < 2) || !Number.isInteger(repeat) || repeat < 1) {
  throw new Error('--sizes takes whole numbers ≥ 2, --repeat a whole number ≥ 1');
}
if (!(timeoutMs > 0)) throw new Error('--timeout must be a number of seconds');

interface SizeResult {
  readonly size: number;
  readonly floorMs: readonly number[];
  readonly readyMs: readonly number[];
  readonly rssMiB: number | undefined;
}

console.log(`apply → Ready, ${new Date().toISOString()}, at ${describeSourceVersion()}`);

const runtime = await prepareRuntime(values.runtime);
let controlPlane: Awaited<ReturnType<typeof startControlPlane>> | undefined;
let operator: ShippedOperator | undefined;
let watch: ClusterWatch | undefined;
const results: SizeResult[] = [];
try {
  controlPlane = await startControlPlane();
  const admin = loadKubeConfig(controlPlane.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);
  const objects = admin.makeApiClient(CustomObjectsApi);
  const namespace = 'bench-apply';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  operator = await startShippedOperator({
    kubeconfigPath: await installOperatorIdentity(controlPlane),
    controlPlane,
    watchNamespace: namespace,
    runtime,
  });
  console.log(describeOperator(operator, runtime));
  console.log(
    `median of ${repeat}; Ready seen on a watch; target: apply → Ready ≤ ${TARGET_RATIO}× the floor`,
  );
  console.log('');
  console.log('nodes  round  raw CLI floor  apply → Ready  ratio');
  watch = await ClusterWatch.start(admin, namespace);

  for (const size of sizes) {
    let pool: GlusterTestPool | undefined;
    try {
      pool = await startGlusterTestPool({ name: `ready${size}`, nodeCount: size });
      const secret = `gluster-ssh-${size}`;
      await createSshSecret(core, namespace, secret, pool);
      const floorMs: number[] = [];
      const readyMs: number[] = [];
      for (let round = 0; round < repeat; round++) {
        floorMs.push(await formWithRawCli(pool));
        await dissolve(pool);

        const name = `pool${size}-${round}`;
        const started = performance.now();
        await createGlusterCluster(objects, namespace, name, {
          nodes: pool.nodes.map((node) => ({ address: node.ipv4 })),
          ssh: { secretRef: { name: secret } },
        });
        const ready = await watch.until(
          name,
          'be Ready',
          (cluster) => isPoolReady(cluster, size),
          timeoutMs,
        );
        readyMs.push(ready.atMs - started);
        console.log(
          [
            String(size).padEnd(5),
            String(round + 1).padEnd(5),
            seconds(floorMs.at(-1)!).padEnd(13),
            seconds(readyMs.at(-1)!).padEnd(13),
            ratio(readyMs.at(-1)!, floorMs.at(-1)!),
          ].join('  '),
        );

        await deleteGlusterCluster(objects, namespace, name);
        await watch.until(name, 'be deleted', (cluster) => cluster === undefined, timeoutMs);
        // A pass that read the object before it went may still be running: wait until the
        // operator has let the pool go (its per-pool counters go with it), then dissolve.
        await operatorForgot(operator, `${namespace}/${name}`, timeoutMs);
        await dissolve(pool);
      }
      const memory = readProcessMemory(operator.process.pid);
      results.push({
        size,
        floorMs,
        readyMs,
        rssMiB: memory && memory.rssKiB / 1024,
      });
    } finally {
      const started = pool;
      await cleanUp([['destroy the test pool', () => started?.destroy()]]);
    }
  }

  console.log('');
  console.log(`medians of ${repeat}:`);
  console.log('nodes  raw CLI floor  apply → Ready  ratio   target   verdict  operator RSS');
  for (const { size, floorMs, readyMs, rssMiB } of results) {
    const floor = median(floorMs);
    const ready = median(readyMs);
    console.log(
      [
        String(size).padEnd(5),
        seconds(floor).padEnd(13),
        seconds(ready).padEnd(13),
        ratio(ready, floor).padEnd(6),
        `≤ ${TARGET_RATIO.toFixed(2)}×`.padEnd(7),
        (ready / floor <= TARGET_RATIO ? 'met' : 'MISSED').padEnd(7),
        rssMiB === undefined ? '-' : `${rssMiB.toFixed(0)} MiB`,
      ].join('  '),
    );
  }
} catch (error) {
  printOperatorTail(operator);
  throw error;
} finally {
  await cleanUp([
    ['stop the watch', () => watch?.stop()],
    ['stop the operator', () => operator?.process.stop()],
    ['stop the control plane', () => controlPlane?.stop()],
    [
      'remove the runtime tree',
      () => {
        runtime.dispose();
      },
    ],
  ]);
}

/** Waits until the operator's /metrics no longer has a pass counter for `cluster`. */
async function operatorForgot(
  operator: ShippedOperator,
  cluster: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { samples } = await scrape(`${operator.process.url}/metrics`, operator.metricsToken);
    const known = samples.some(
      (sample) =>
        sample.name === 'gluster_operator_cluster_reconciles_total' &&
        `${sample.labels['namespace']}/${sample.labels['name']}` === cluster,
    );
    if (!known) return;
    if (performance.now() > deadline) throw new Error(`the operator did not let ${cluster} go`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
