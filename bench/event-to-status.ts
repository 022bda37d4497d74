/**
 * Benchmark (not a test): glusterd stopped on a member → the GlusterCluster's status no longer
 * says Connected for that node (Disconnected with reportedDown from an event, or GlusterdDown from
 * a look), with glusterd's events on and, beside it, with events off at the shipped resync.
 * Issue 13's target: under 1 s with events on. Root: `npm run bench:event-to-status`.
 *
 * A formed 3-node testbed pool, a real API server, the operator as the image runs it (its own
 * process, deploy/'s env, its service account, leader election: bench/shipped-operator.ts) plus
 * EVENTS_URL only: `http://<pool.hostIpv4>:<EVENTS_PORT>`, the root namespace's address on the
 * pool's bridge and the shipped EVENTS_PORT, 8090 (the nodes' glustereventsd post there).
 * Phase "events on": the GlusterCluster with `events: { enabled: true }` and no resyncInterval
 * (the shipped 5m), Ready and EventsDelivery True first. Phase "events off": the same spec with
 * `events: { enabled: false }` (replaced, then status.events gone and Ready).
 * A trial: the member to stop in rotation (n2, n3, n2, ...; never n1), t0 right before
 * `stopGlusterd`, the time is the arrival on a WATCH of the first version where that node's state
 * is not Connected; then glusterd started again, the pool Ready with every node Connected and no
 * reportedDown, and 3 s of quiet before the next trial.
 * p50 is the median; p95 is by nearest rank, the ⌈0.95·n⌉-th smallest (with 10 trials: the
 * largest, ⌈9.5⌉ = 10; with fewer than 20 trials p95 and max are the same sample).
 * Options: --trials 10  --off-trials 10 (0 skips that phase)  --timeout 420 (s per trial)
 *          --runtime dist|tsx
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { GlusterCluster, GlusterClusterSpec, NodeStatus } from '../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, PLURAL } from '../src/api/gluster-cluster.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import type { GlusterTestPool, TestNode } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { cleanUp } from './clean-up.js';
import { ClusterWatch } from './cluster-watch.js';
import { createGlusterCluster, createSshSecret } from './cluster-objects.js';
import { conditionOf, isPoolReady } from './pool-conditions.js';
import { formWithRawCli } from './raw-cli-floor.js';
import type { ShippedOperator } from './shipped-operator.js';
import {
  describeOperator,
  installOperatorIdentity,
  prepareRuntime,
  printOperatorTail,
  readShippedEnv,
  startShippedOperator,
} from './shipped-operator.js';
import { describeSourceVersion } from './source-version.js';
import { median, percentile } from './statistics.js';

const NODES = 3;
const CLUSTER = 'pool';
const NAMESPACE = 'bench-events';
const QUIET_MS = 3_000;
const TARGET_MS = 1_000;

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    'off-trials': { type: 'string', default: '10' },
    timeout: { type: 'string', default: '420' },
    runtime: { type: 'string', default: 'dist' },
  },
});
const trials = Number(values.trials);
const offTrials = Number(values['off-trials']);
const timeoutMs = Number(values.timeout) * 1000;
if (!Number.isInteger(trials) || trials < 1) throw new Error('--trials takes a whole number ≥ 1');
if (!Number.isInteger(offTrials) || offTrials < 0) {
  throw new Error('--off-trials takes a whole number ≥ 0');
}
if (!(timeoutMs > 0)) throw new Error('--timeout must be a number of seconds');

// Whole seconds from 10 s: the events-off figures are minutes.
const seconds = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** One line at once, so that a person watching the long phase sees each trial as it comes. */
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const clusterResource = { group: API_GROUP, version: API_VERSION, plural: PLURAL };

console.log(
  `glusterd stopped on a member → status not Connected, ${new Date().toISOString()}, at ${describeSourceVersion()}`,
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

  // The pool first: EVENTS_URL is its bridge's address on this machine.
  pool = await startGlusterTestPool({ name: 'evstat', nodeCount: NODES });
  const nodes = pool.nodes;
  await formWithRawCli(pool);
  await createSshSecret(core, NAMESPACE, 'gluster-ssh', pool);

  // The shipped EVENTS_PORT (deploy/deployment.yaml; src/config.ts's default 8090 if it has none).
  const eventsPort = readShippedEnv()['EVENTS_PORT'] ?? '8090';
  const eventsUrl = `http://${pool.hostIpv4}:${eventsPort}`;
  operator = await startShippedOperator({
    kubeconfigPath: await installOperatorIdentity(controlPlane),
    controlPlane,
    watchNamespace: NAMESPACE,
    runtime,
    extraEnv: { EVENTS_URL: eventsUrl },
  });
  console.log(describeOperator(operator, runtime, `EVENTS_URL=${eventsUrl}`));
  console.log(
    `${String(NODES)} nodes; the member stopped in rotation (never n1); status seen on a watch; p95 by nearest rank (the ⌈0.95·n⌉-th smallest); target with events on: < ${seconds(TARGET_MS)}`,
  );
  watch = await ClusterWatch.start(admin, NAMESPACE);
  const clusterWatch = watch;
  const started = pool;

  const spec = (enabled: boolean): GlusterClusterSpec => ({
    nodes: nodes.map((node) => ({ address: node.ipv4 })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    events: { enabled },
  });
  const nodeOf = (cluster: GlusterCluster | undefined, node: TestNode): NodeStatus | undefined =>
    cluster?.status?.nodes?.find((entry) => entry.address === node.ipv4);
  const isSettled = (cluster: GlusterCluster | undefined): boolean =>
    isPoolReady(cluster, NODES) &&
    nodes.every((node) => {
      const status = nodeOf(cluster, node);
      return status?.state === 'Connected' && status.reportedDown === undefined;
    });

  /** One phase's trials; each latency printed as it comes. */
  async function runTrials(phase: string, count: number): Promise<number[]> {
    const latencies: number[] = [];
    say('');
    say(`${phase}: trial  node  glusterd stopped → not Connected  seen as`);
    for (let trial = 0; trial < count; trial++) {
      const node = nodes[1 + (trial % (NODES - 1))]!;
      const t0 = performance.now();
      await started.stopGlusterd(node);
      const seen = await clusterWatch.until(
        CLUSTER,
        `show ${node.name} not Connected`,
        (cluster) => {
          const state = nodeOf(cluster, node)?.state;
          return state !== undefined && state !== 'Connected';
        },
        timeoutMs,
      );
      const latency = seen.atMs - t0;
      latencies.push(latency);
      const shown = nodeOf(seen.cluster, node);
      say(
        [
          `${phase}:`,
          String(trial + 1).padEnd(5),
          node.name.padEnd(4),
          seconds(latency).padEnd(32),
          `${shown?.state ?? '?'}${shown?.reportedDown ? ' (reportedDown)' : ''}`,
        ].join('  '),
      );
      await started.startGlusterd(node);
      await clusterWatch.until(
        CLUSTER,
        'be Ready again with every node Connected and no reportedDown',
        isSettled,
        timeoutMs,
      );
      await sleep(QUIET_MS);
    }
    return latencies;
  }

  // Phase "events on".
  await createGlusterCluster(objects, NAMESPACE, CLUSTER, spec(true));
  await clusterWatch.until(
    CLUSTER,
    'be Ready with EventsDelivery True',
    (cluster) =>
      cluster !== undefined &&
      isSettled(cluster) &&
      conditionOf(cluster, 'EventsDelivery')?.startsWith('True ') === true,
    timeoutMs,
  );
  await sleep(QUIET_MS);
  const on = await runTrials('events on', trials);

  // Phase "events off", the same spec otherwise.
  let off: number[] = [];
  if (offTrials > 0) {
    const current = (await objects.getNamespacedCustomObject({
      ...clusterResource,
      namespace: NAMESPACE,
      name: CLUSTER,
    })) as GlusterCluster;
    await objects.replaceNamespacedCustomObject({
      ...clusterResource,
      namespace: NAMESPACE,
      name: CLUSTER,
      body: { ...current, spec: spec(false) },
    });
    await clusterWatch.until(
      CLUSTER,
      'be Ready with events off (status.events gone)',
      (cluster) => cluster?.status?.events === undefined && isSettled(cluster),
      timeoutMs,
    );
    await sleep(QUIET_MS);
    off = await runTrials('events off', offTrials);
  }

  say('');
  say('glusterd stopped → status not Connected (p95: nearest rank, the ⌈0.95·n⌉-th smallest)');
  say('                        trials  p50      p95      max');
  const row = (label: string, samples: readonly number[]): string =>
    [
      label.padEnd(22),
      String(samples.length).padEnd(6),
      seconds(median(samples)).padEnd(7),
      seconds(percentile(samples, 0.95)).padEnd(7),
      seconds(Math.max(...samples)),
    ].join('  ');
  say(row('events on  (shipped)', on));
  if (off.length > 0) say(row('events off (resync 5m)', off));
  const p95 = percentile(on, 0.95);
  say(`target with events on: p95 < ${seconds(TARGET_MS)}: ${p95 < TARGET_MS ? 'met' : 'MISSED'}`);
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
