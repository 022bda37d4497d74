/**
 * Benchmark (not a test): what the operator costs when nothing changes. Two 3-node GlusterClusters
 * with `resyncInterval: 1m` on a 6-node testbed: A (n1..n3) healthy, B (n4..n6) formed and then
 * n6's link cut (SSH to it fails) for the whole measurement. The operator runs as the image runs it
 * with the shipped defaults (bench/shipped-operator.ts). Once both have settled (A Ready; B not
 * Ready with n6 Unreachable), /metrics is scraped at the start and the end of the window and the
 * per-pool counters' increases are divided by the resync intervals in the window (window / 60 s).
 * The operator's API requests are counted on the API server (its audit log, the operator's user).
 * Root: `npm run bench:steady-state`.
 * Options: --minutes 10  --settle 30 (s after both settled)  --runtime dist|tsx  --quick (2 min)
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { GlusterCluster, GlusterClusterSpec } from '../src/api/gluster-cluster.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import type { GlusterTestPool, TestNode } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { describeKinds, prepareApiAudit } from './api-audit.js';
import { cleanUp } from './clean-up.js';
import { ClusterWatch } from './cluster-watch.js';
import { createGlusterCluster, createSshSecret } from './cluster-objects.js';
import { conditionOf, isPoolReady } from './pool-conditions.js';
import type { PromScrape } from './prometheus-text.js';
import { increaseOf, scrape } from './prometheus-text.js';
import type { ShippedOperator } from './shipped-operator.js';
import {
  describeOperator,
  installOperatorIdentity,
  OPERATOR_USER,
  prepareRuntime,
  printOperatorTail,
  startShippedOperator,
} from './shipped-operator.js';
import { describeSourceVersion } from './source-version.js';

const RESYNC = '1m';
const RESYNC_MS = 60_000;
const NODES_PER_POOL = 3;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    settle: { type: 'string' },
    runtime: { type: 'string', default: 'dist' },
    quick: { type: 'boolean', default: false },
  },
});
const windowMs = Number(values.minutes ?? (values.quick ? '2' : '10')) * 60_000;
const settleMs = Number(values.settle ?? (values.quick ? '10' : '30')) * 1_000;
if (!(windowMs >= RESYNC_MS)) throw new Error('--minutes must be at least 1');
if (!(settleMs >= 0)) throw new Error('--settle must be a number of seconds');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** B has settled: its generation observed, not Ready, and the cut node reported Unreachable. */
function isDegradedWithUnreachable(cluster: GlusterCluster | undefined, cut: TestNode): boolean {
  return (
    cluster !== undefined &&
    cluster.status?.observedGeneration === cluster.metadata.generation &&
    conditionOf(cluster, 'Ready')?.startsWith('True') === false &&
    cluster.status?.nodes?.find((node) => node.address === cut.ipv4)?.state === 'Unreachable'
  );
}

interface PoolFigures {
  readonly passes: number | undefined;
  readonly writes: number | undefined;
  readonly commands: number | undefined;
  readonly handshakes: number | undefined;
}

function poolFigures(before: PromScrape, after: PromScrape, key: string): PoolFigures {
  const cluster = { namespace: key.split('/')[0]!, name: key.split('/')[1]! };
  return {
    passes: increaseOf(before, after, 'gluster_operator_cluster_reconciles_total', cluster),
    writes: increaseOf(before, after, 'gluster_operator_cluster_status_writes_total', cluster),
    commands: increaseOf(before, after, 'gluster_operator_cluster_remote_commands_total', cluster),
    handshakes: increaseOf(before, after, 'gluster_operator_cluster_ssh_handshakes_total', cluster),
  };
}

console.log(`steady state, ${new Date().toISOString()}, at ${describeSourceVersion()}`);

const runtime = await prepareRuntime(values.runtime);
const audit = prepareApiAudit(OPERATOR_USER);
let controlPlane: Awaited<ReturnType<typeof startControlPlane>> | undefined;
let operator: ShippedOperator | undefined;
let watch: ClusterWatch | undefined;
let pool: GlusterTestPool | undefined;
let cut: TestNode | undefined;
try {
  controlPlane = await startControlPlane({ apiserverArgs: audit.apiserverArgs });
  const admin = loadKubeConfig(controlPlane.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);
  const objects = admin.makeApiClient(CustomObjectsApi);
  const namespace = 'bench-steady';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  pool = await startGlusterTestPool({ name: 'steady', nodeCount: 2 * NODES_PER_POOL });
  const [n1, n2, n3, n4, n5, n6] = pool.nodes as [TestNode, ...TestNode[]];
  await createSshSecret(core, namespace, 'gluster-ssh', pool);
  operator = await startShippedOperator({
    kubeconfigPath: await installOperatorIdentity(controlPlane),
    controlPlane,
    watchNamespace: namespace,
    runtime,
  });
  console.log(describeOperator(operator, runtime));
  watch = await ClusterWatch.start(admin, namespace);
  const spec = (nodes: readonly (TestNode | undefined)[]): GlusterClusterSpec => ({
    nodes: nodes.map((node) => ({ address: node!.ipv4, name: node!.name })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: RESYNC,
  });

  // B first, Ready, then n6 cut off; A alongside.
  const formStarted = performance.now();
  await createGlusterCluster(objects, namespace, 'pool-b', spec([n4, n5, n6]));
  await createGlusterCluster(objects, namespace, 'pool-a', spec([n1, n2, n3]));
  const ready = (c: GlusterCluster | undefined) => isPoolReady(c, NODES_PER_POOL);
  await watch.until('pool-b', 'be Ready', ready, 300_000);
  cut = n6!;
  await pool.cutLink(cut);
  const cutAt = performance.now();
  await watch.until('pool-a', 'be Ready', ready, 300_000);
  const unreachable = cut;
  const seen = await watch.until(
    'pool-b',
    `report ${unreachable.name} Unreachable`,
    (c) => isDegradedWithUnreachable(c, unreachable),
    300_000,
  );
  console.log(
    `settled: pool-a Ready, pool-b ${conditionOf(seen.cluster!, 'Ready')} with ${unreachable.name} Unreachable ${((seen.atMs - cutAt) / 1000).toFixed(1)} s after the cut (${((performance.now() - formStarted) / 1000).toFixed(1)} s from create); waiting ${settleMs / 1000} s more`,
  );
  await sleep(settleMs);

  const before = await scrape(`${operator.process.url}/metrics`, operator.metricsToken);
  const fromEpochMs = Date.now();
  const fromMs = performance.now();
  console.log(`measuring for ${(windowMs / 60_000).toFixed(1)} min…`);
  await sleep(windowMs);
  const after = await scrape(`${operator.process.url}/metrics`, operator.metricsToken);
  const toEpochMs = Date.now();
  const intervals = (performance.now() - fromMs) / RESYNC_MS;
  // The apiserver writes its audit log as each request completes; give it a moment.
  await sleep(1_000);
  const requests = await audit.count(fromEpochMs, toEpochMs);

  const stillA = isPoolReady(watch.latest('pool-a').cluster, NODES_PER_POOL);
  const stillB = isDegradedWithUnreachable(watch.latest('pool-b').cluster, unreachable);
  const a = poolFigures(before, after, `${namespace}/pool-a`);
  const b = poolFigures(before, after, `${namespace}/pool-b`);
  const per = (count: number | undefined): string =>
    count === undefined ? 'n/a' : (count / intervals).toFixed(2);
  /**
   * Met when the count is within the target over the window, give or take one interval's worth
   * (where the window falls in the resync cycle); pool-b may exceed pool-a by one pass, likewise.
   */
  const verdict = (count: number | undefined, targetPerResync: number): string =>
    count === undefined ? '' : count <= targetPerResync * (intervals + 1) ? 'met' : 'MISSED';
  const widths = [34, 8, 12, 16, 14];
  const row = (cells: readonly string[]) => {
    console.log(cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' '));
  };
  console.log('');
  console.log(
    `window ${((intervals * RESYNC_MS) / 60_000).toFixed(2)} min = ${intervals.toFixed(2)} resync intervals of ${RESYNC}; per resync interval:`,
  );
  row(['', 'pool-a', 'target', 'pool-b (n6 cut)', 'target']);
  const n = NODES_PER_POOL;
  row([
    'passes',
    per(a.passes),
    `1 ${verdict(a.passes, 1)}`,
    per(b.passes),
    a.passes === undefined || b.passes === undefined
      ? '≤ pool-a'
      : `≤ pool-a ${b.passes <= a.passes + 1 ? 'met' : 'MISSED'}`,
  ]);
  row(['status writes', per(a.writes), `≤ 1 ${verdict(a.writes, 1)}`, per(b.writes), '']);
  row([
    'remote (gluster) commands',
    per(a.commands),
    `≤ ${n + 1} ${verdict(a.commands, n + 1)}`,
    per(b.commands),
    '',
  ]);
  row([
    'SSH handshakes',
    per(a.handshakes),
    `0 ${verdict(a.handshakes, 0)}`,
    per(b.handshakes),
    '',
  ]);
  const total = increaseOf(before, after, 'controller_runtime_reconcile_total');
  console.log('');
  console.log(
    `all passes (controller_runtime_reconcile_total): ${total ?? 'n/a'} in the window, ${per(total)} per resync interval`,
  );
  console.log(
    `operator's API requests (audit log, user ${OPERATOR_USER}): ${requests.total} in the window, ${per(requests.total)} per resync interval: ${describeKinds(requests, intervals)}`,
  );
  console.log(
    `at the end: pool-a ${stillA ? 'still Ready' : 'NOT Ready'}, pool-b ${stillB ? 'still not Ready with n6 Unreachable' : 'NOT as settled'}; "n/a": the operator exposes no such metric`,
  );
} catch (error) {
  printOperatorTail(operator);
  throw error;
} finally {
  const cutNode = cut;
  await cleanUp([
    ['stop the watch', () => watch?.stop()],
    ['restore the cut link', () => cutNode && pool?.restoreLink(cutNode)],
    ['stop the operator', () => operator?.process.stop()],
    ['destroy the test pool', () => pool?.destroy()],
    ['stop the control plane', () => controlPlane?.stop()],
    [
      'remove the audit log',
      () => {
        audit.dispose();
      },
    ],
    [
      'remove the runtime tree',
      () => {
        runtime.dispose();
      },
    ],
  ]);
}
