/**
 * Benchmark (not a test): time from creating a replica 3 GlusterVolume to its status showing the
 * volume Started, 3/3 bricks online and Ready, on a formed 3-node pool, with the operator as the
 * image runs it (its own process, deploy/'s env, its service account, leader election:
 * bench/shipped-operator.ts) against a real API server, each round next to the raw-CLI floor on
 * the same nodes. Root: `npm run bench:volume-started`.
 *
 * The floor: `gluster volume create <v> replica 3 <bricks>` then `gluster volume start <v>`
 * inside n1, then `volume status <v> --xml` polled (50 ms) until all 3 bricks are online.
 * The operator: the GlusterVolume created (brickTemplate, deletionPolicy Delete), then polled
 * (50 ms) until observedGeneration == generation, state Started, bricksOnline 3/3, Ready True.
 * Each round has a fresh volume name and fresh brick directories (a deleted volume's bricks stay
 * marked as such); afterwards the floor's volume is stopped and deleted with the CLI, the
 * resource deleted and waited for (its finalizer goes once the operator deleted the volume).
 * Options: --repeat 3  --timeout 300 (s per round)  --runtime dist|tsx
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../src/api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeSpec } from '../src/api/gluster-volume.js';
import { VOLUME_KIND, VOLUME_PLURAL } from '../src/api/gluster-volume.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import { parseBrickStatus, parseOpResult, runGluster } from '../testbed/gluster-commands.js';
import type { GlusterTestPool, TestNode } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { cleanUp } from './clean-up.js';
import { ClusterWatch } from './cluster-watch.js';
import { createGlusterCluster, createSshSecret } from './cluster-objects.js';
import { isPoolReady } from './pool-conditions.js';
import { formWithRawCli } from './raw-cli-floor.js';
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

const NODES = 3;
const POLL_MS = 50;
const CLUSTER = 'pool';
const NAMESPACE = 'bench-volume';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    timeout: { type: 'string', default: '300' },
    runtime: { type: 'string', default: 'dist' },
  },
});
const repeat = Number(values.repeat);
const timeoutMs = Number(values.timeout) * 1000;
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat takes a whole number ≥ 1');
if (!(timeoutMs > 0)) throw new Error('--timeout must be a number of seconds');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const volumeResource = { group: API_GROUP, version: API_VERSION, plural: VOLUME_PLURAL };

console.log(
  `create GlusterVolume → Started, ${new Date().toISOString()}, at ${describeSourceVersion()}`,
);

const runtime = await prepareRuntime(values.runtime);
let controlPlane: Awaited<ReturnType<typeof startControlPlane>> | undefined;
let operator: ShippedOperator | undefined;
let watch: ClusterWatch | undefined;
let pool: GlusterTestPool | undefined;
try {
  controlPlane = await startControlPlane();
  const admin = loadKubeConfig(controlPlane.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);
  const objects = admin.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  operator = await startShippedOperator({
    kubeconfigPath: await installOperatorIdentity(controlPlane),
    controlPlane,
    watchNamespace: NAMESPACE,
    runtime,
  });
  console.log(describeOperator(operator, runtime));

  // A formed pool, declared as a Ready GlusterCluster (not measured).
  pool = await startGlusterTestPool({ name: 'volstart', nodeCount: NODES });
  const nodes = pool.nodes;
  await formWithRawCli(pool);
  await createSshSecret(core, NAMESPACE, 'gluster-ssh', pool);
  watch = await ClusterWatch.start(admin, NAMESPACE);
  await createGlusterCluster(objects, NAMESPACE, CLUSTER, {
    nodes: nodes.map((node) => ({ address: node.ipv4 })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
  });
  await watch.until(CLUSTER, 'be Ready', (cluster) => isPoolReady(cluster, NODES), timeoutMs);

  console.log(
    `median of ${String(repeat)}; the volume's status polled every ${String(POLL_MS)} ms, the floor's volume status too`,
  );
  console.log('');
  console.log('round  raw CLI floor  create → Started+Ready  ratio');
  const floorMs: number[] = [];
  const operatorMs: number[] = [];
  // Unique per run as well as per round: brick directories of an earlier run stay on /bricks.
  const runId = Date.now().toString(36);
  for (let round = 0; round < repeat; round++) {
    const floorVolume = `floor${runId}r${String(round)}`;
    floorMs.push(await startWithRawCli(pool, floorVolume));
    await stopAndDeleteWithCli(pool, floorVolume);

    const name = `op${runId}r${String(round)}`;
    const spec: GlusterVolumeSpec = {
      clusterRef: { name: CLUSTER },
      layout: { type: 'Replicate', replica: 3 },
      brickTemplate: { path: '/bricks/{volume}', sets: 1 },
      deletionPolicy: 'Delete',
    };
    const started = performance.now();
    await objects.createNamespacedCustomObject({
      ...volumeResource,
      namespace: NAMESPACE,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: VOLUME_KIND,
        metadata: { name },
        spec,
      },
    });
    operatorMs.push(
      (await pollVolume(objects, name, 'be Started and Ready', isVolumeStartedAndReady)) - started,
    );
    console.log(
      [
        String(round + 1).padEnd(5),
        seconds(floorMs.at(-1)!).padEnd(13),
        seconds(operatorMs.at(-1)!).padEnd(22),
        ratio(operatorMs.at(-1)!, floorMs.at(-1)!),
      ].join('  '),
    );
    await objects.deleteNamespacedCustomObject({ ...volumeResource, namespace: NAMESPACE, name });
    await pollVolume(objects, name, 'be deleted', (volume) => volume === undefined);
    const left = parseOpResult(await runGluster(pool, nodes[0]!, ['volume', 'info', name]));
    if (left.opRet === 0) throw new Error(`the operator left the volume ${name} behind`);
  }

  const floor = median(floorMs);
  const ready = median(operatorMs);
  console.log('');
  console.log(`medians of ${String(repeat)}:`);
  console.log('raw CLI floor  create → Started+Ready  ratio');
  console.log(
    [seconds(floor).padEnd(13), seconds(ready).padEnd(22), ratio(ready, floor)].join('  '),
  );
} catch (error) {
  printOperatorTail(operator);
  throw error;
} finally {
  const started = pool;
  await cleanUp([
    ['stop the watch', () => watch?.stop()],
    ['stop the operator', () => operator?.process.stop()],
    ['stop the control plane', () => controlPlane?.stop()],
    ['destroy the test pool', () => started?.destroy()],
    [
      'remove the runtime tree',
      () => {
        runtime.dispose();
      },
    ],
  ]);
}

function isVolumeStartedAndReady(volume: GlusterVolume | undefined): boolean {
  const status = volume?.status;
  return (
    volume !== undefined &&
    status !== undefined &&
    status.observedGeneration === volume.metadata.generation &&
    status.state === 'Started' &&
    status.bricksOnline === `${String(NODES)}/${String(NODES)}` &&
    status.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
  );
}

/** Polls the object every POLL_MS; returns the performance.now() of the read that showed `done`. */
async function pollVolume(
  objects: CustomObjectsApi,
  name: string,
  what: string,
  done: (volume: GlusterVolume | undefined) => boolean,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const volume = (await objects
      .getNamespacedCustomObject({ ...volumeResource, namespace: NAMESPACE, name })
      .catch((error: unknown) => {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      })) as GlusterVolume | undefined;
    const at = performance.now();
    if (done(volume)) return at;
    if (at > deadline) {
      throw new Error(`${name} did not ${what}: ${JSON.stringify(volume?.status, null, 2)}`);
    }
    await sleep(POLL_MS);
  }
}

/** The floor: create and start inside n1, then poll volume status until every brick is online. */
async function startWithRawCli(pool: GlusterTestPool, volume: string): Promise<number> {
  const [first] = pool.nodes as [TestNode, ...TestNode[]];
  const bricks = pool.nodes.map((node) => `${node.ipv4}:/bricks/${volume}`);
  const started = performance.now();
  for (const args of [
    ['volume', 'create', volume, 'replica', String(NODES), ...bricks],
    ['volume', 'start', volume],
  ]) {
    const result = parseOpResult(await runGluster(pool, first, args));
    if (result.opRet !== 0) throw new Error(`gluster ${args.join(' ')}: ${result.opErrstr}`);
  }
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await runGluster(pool, first, ['volume', 'status', volume]);
    const rows = parseOpResult(answer).opRet === 0 ? parseBrickStatus(answer) : [];
    if (rows.length === NODES && rows.every((row) => row.online)) {
      return performance.now() - started;
    }
    if (performance.now() > deadline) throw new Error(`${volume}'s bricks did not come online`);
    await sleep(POLL_MS);
  }
}

/** Not measured: the floor's volume goes again (its brick directories stay, hence fresh paths). */
async function stopAndDeleteWithCli(pool: GlusterTestPool, volume: string): Promise<void> {
  const [first] = pool.nodes as [TestNode, ...TestNode[]];
  for (const args of [
    ['volume', 'stop', volume],
    ['volume', 'delete', volume],
  ]) {
    const result = parseOpResult(await runGluster(pool, first, args));
    if (result.opRet !== 0) throw new Error(`gluster ${args.join(' ')}: ${result.opErrstr}`);
  }
}
