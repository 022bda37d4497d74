/**
 * Benchmark (not a test): the operator under many GlusterClusters that cannot be reached, at the
 * shipped defaults (bench/shipped-operator.ts: its own process, deploy/deployment.yaml's
 * environment, its service account, leader election). Root: `npm run bench:operator-scale`.
 *
 * One real 3-node pool is made Ready first; then:
 *   idle   the operator with that pool only (RSS median)
 *   load   --count GlusterClusters (no resyncInterval: the default resync) of 3 nodes each at
 *          addresses of the testbed pool's own subnet that no node has (ARP goes unanswered, SSH
 *          connects fail), created at --rate a second, kept for --minutes from the first create.
 *          RSS peak (and VmHWM, the process's peak so far); passes/min from
 *          controller_runtime_reconcile_total; the operator's API requests/min counted on the API
 *          server (its audit log, the operator's service account user).
 *   steady one resync interval of the load, from half an interval after the first create (when
 *          --minutes ≥ 1.5 intervals): the first passes are over and the third not yet due, so
 *          an ideal operator does exactly one pass per resource in it; the pass target is judged
 *          on it (on the whole load, with each resource's first pass allowed, when it is shorter).
 *   after  the load deleted (and gone), the pool kept: RSS median of the last 30 s of --after s.
 * Options: --count 1000 --minutes 10 --rate 20 --idle 60 --after 120 --runtime dist|tsx
 *          --quick (200 resources, 2 min, idle 15 s, after 40 s)
 */
import { parseArgs } from 'node:util';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { GlusterCluster } from '../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, PLURAL } from '../src/api/gluster-cluster.js';
import type { ControlPlane } from '../test/support/control-plane.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import type { GlusterTestPool } from '../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import type { AuditCount } from './api-audit.js';
import { describeKinds, prepareApiAudit } from './api-audit.js';
import { cleanUp } from './clean-up.js';
import { ClusterWatch } from './cluster-watch.js';
import { createGlusterCluster, createSshSecret, deleteGlusterCluster } from './cluster-objects.js';
import { conditionOf, isPoolReady } from './pool-conditions.js';
import { MemorySampler } from './memory-sampler.js';
import type { PromScrape, ScrapeCost } from './prometheus-text.js';
import { increaseOf, parsePrometheusText, scrape, sumOf } from './prometheus-text.js';
import { runPaced } from './run-paced.js';
import type { ShippedOperator } from './shipped-operator.js';
import {
  describeOperator,
  installOperatorIdentity,
  OPERATOR_USER,
  prepareRuntime,
  printOperatorTail,
  shippedConfig,
  startShippedOperator,
} from './shipped-operator.js';
import { describeSourceVersion } from './source-version.js';
import { median } from './statistics.js';

const TARGET_PEAK_MIB = 250;
const TARGET_AFTER_FRACTION = 0.2;
const AFTER_MEDIAN_MS = 30_000;
const LOAD_LABEL = { 'bench.glusteroperator.io/load': 'true' };

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    minutes: { type: 'string' },
    rate: { type: 'string', default: '20' },
    idle: { type: 'string' },
    after: { type: 'string' },
    runtime: { type: 'string', default: 'dist' },
    quick: { type: 'boolean', default: false },
  },
});
const defaults = values.quick
  ? { count: 200, minutes: 2, idle: 15, after: 40 }
  : { count: 1000, minutes: 10, idle: 60, after: 120 };
const number = (name: keyof typeof defaults, min: number): number => {
  const given = values[name];
  const value = given === undefined ? defaults[name] : Number(given);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be ≥ ${min}`);
  return value;
};
const count = Math.round(number('count', 1));
const loadMs = number('minutes', 1) * 60_000;
const idleMs = number('idle', 5) * 1_000;
const afterMs = number('after', AFTER_MEDIAN_MS / 1000) * 1_000;
const rate = Number(values.rate);
if (!(rate > 0)) throw new Error('--rate must be a positive number of creates a second');
// The resync the load gets: what the operator makes of the shipped environment.
const resyncMs = shippedConfig().defaultResyncMs;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (kib: number): string => (kib / 1024).toFixed(1);
const minutes = (ms: number): number => ms / 60_000;

/** apiserver_request_total of every client, from the API server's /metrics as admin. */
async function apiserverRequests(controlPlane: ControlPlane): Promise<number | undefined> {
  const raw = await controlPlane.kubectl(['get', '--raw', '/metrics'], { timeoutMs: 30_000 });
  if (raw.exitCode !== 0) return undefined;
  try {
    return sumOf(parsePrometheusText(raw.stdout), 'apiserver_request_total');
  } catch {
    return undefined;
  }
}

interface Mark {
  readonly atMs: number;
  readonly epochMs: number;
  readonly metrics: PromScrape & { readonly cost: ScrapeCost };
  readonly allRequests: number | undefined;
}

console.log(`operator scale, ${new Date().toISOString()}, at ${describeSourceVersion()}`);
console.log(
  `${count} unreachable GlusterClusters (default resync ${resyncMs / 1000} s) for ${minutes(loadMs)} min, created at ${rate}/s, beside one Ready 3-node pool; idle ${idleMs / 1000} s, after ${afterMs / 1000} s`,
);

const runtime = await prepareRuntime(values.runtime);
const audit = prepareApiAudit(OPERATOR_USER);
let controlPlane: ControlPlane | undefined;
let pool: GlusterTestPool | undefined;
let operator: ShippedOperator | undefined;
let watch: ClusterWatch | undefined;
let sampler: MemorySampler | undefined;
try {
  controlPlane = await startControlPlane({ apiserverArgs: audit.apiserverArgs });
  const cp = controlPlane;
  const admin = loadKubeConfig(cp.kubeconfigPath);
  const core = admin.makeApiClient(CoreV1Api);
  const objects = admin.makeApiClient(CustomObjectsApi);
  const namespace = 'bench-scale';
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  pool = await startGlusterTestPool({ name: 'scale', nodeCount: 3 });
  await createSshSecret(core, namespace, 'gluster-ssh', pool);
  const ssh = { secretRef: { name: 'gluster-ssh' } };
  operator = await startShippedOperator({
    kubeconfigPath: await installOperatorIdentity(cp),
    controlPlane: cp,
    watchNamespace: namespace,
    runtime,
  });
  const running = operator;
  console.log(describeOperator(running, runtime));
  sampler = new MemorySampler(running.process.pid);
  const memory = sampler;
  const mark = async (): Promise<Mark> => {
    memory.assertAlive('during the run');
    const [metrics, allRequests] = await Promise.all([
      scrape(`${running.process.url}/metrics`, running.metricsToken),
      apiserverRequests(cp),
    ]);
    return { atMs: performance.now(), epochMs: Date.now(), metrics, allRequests };
  };

  // The real pool, Ready, before anything is measured.
  watch = await ClusterWatch.start(admin, namespace, { name: 'pool' });
  const applyAt = performance.now();
  await createGlusterCluster(objects, namespace, 'pool', {
    nodes: pool.nodes.map((node) => ({ address: node.ipv4 })),
    ssh,
  });
  const ready = await watch.until('pool', 'be Ready', (c) => isPoolReady(c, 3), 300_000);
  console.log(`pool Ready ${((ready.atMs - applyAt) / 1000).toFixed(1)} s after its create`);

  const idleStart = await mark();
  await sleep(idleMs);
  const idleEnd = await mark();

  // Addresses of the pool's own /24 that no node has (nodes are .11 up, the host .1): .100-.249.
  const subnet = pool.nodes[0]!.ipv4.replace(/\.\d+$/, '');
  const addressOf = (i: number) => `${subnet}.${100 + (i % 150)}`;
  const names = Array.from(
    { length: count },
    (_, i) => `unreachable-${String(i).padStart(4, '0')}`,
  );
  const loadStart = await mark();
  await runPaced(names, { concurrency: 10, perSecond: rate }, (name, i) =>
    createGlusterCluster(
      objects,
      namespace,
      name,
      { nodes: [0, 1, 2].map((k) => ({ address: addressOf(3 * i + k) })), ssh },
      LOAD_LABEL,
    ),
  );
  const createdS = (performance.now() - loadStart.atMs) / 1000;
  console.log(`created ${count} in ${createdS.toFixed(1)} s; loaded…`);
  let steady: { readonly start: Mark; readonly end: Mark } | undefined;
  if (loadMs >= 1.5 * resyncMs) {
    await sleep(Math.max(0, loadStart.atMs + resyncMs / 2 - performance.now()));
    const start = await mark();
    await sleep(Math.max(0, start.atMs + resyncMs - performance.now()));
    steady = { start, end: await mark() };
  }
  await sleep(Math.max(0, loadStart.atMs + loadMs - performance.now()));
  const loadEnd = await mark();
  const hwmAtLoadEnd = memory.now()?.hwmKiB;

  const listLoad = async (): Promise<GlusterCluster[]> =>
    (
      (await objects.listNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace,
        plural: PLURAL,
        labelSelector: Object.entries(LOAD_LABEL)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      })) as { items: GlusterCluster[] }
    ).items;
  const atLoadEnd = await listLoad();
  const withStatus = atLoadEnd.filter((c) => c.status?.observedGeneration !== undefined).length;
  const notReady = atLoadEnd.filter((c) => conditionOf(c, 'Ready')?.startsWith('False')).length;

  const deleteAt = performance.now();
  await runPaced(names, { concurrency: 10, perSecond: rate }, (name) =>
    deleteGlusterCluster(objects, namespace, name),
  );
  let left = count;
  const deleteDeadline = performance.now() + Math.max(300_000, loadMs);
  while (left > 0 && performance.now() < deleteDeadline) {
    left = (await listLoad()).length;
    if (left > 0) await sleep(5_000);
  }
  const deletedS = (performance.now() - deleteAt) / 1000;
  console.log(
    left === 0
      ? `deleted the ${count} (all gone in ${deletedS.toFixed(1)} s)`
      : `deleted the ${count}, but ${left} were still there after ${deletedS.toFixed(0)} s`,
  );
  const afterStart = await mark();
  await sleep(afterMs);
  const afterEndMark = await mark();
  const afterEnd = afterEndMark.atMs;
  const poolStillReady = isPoolReady(watch.latest('pool').cluster, 3);
  await sleep(1_000); // the audit log is written as requests complete
  const countRequests = (from: Mark, to: Mark): Promise<AuditCount> =>
    audit.count(from.epochMs, to.epochMs);

  // --- figures ---
  const rss = (from: number, to: number) => memory.between(from, to).map((s) => s.rssKiB);
  const idleKiB = median(rss(idleStart.atMs, idleEnd.atMs));
  const loadSamples = rss(loadStart.atMs, loadEnd.atMs);
  const peakKiB = Math.max(...loadSamples);
  const afterKiB = median(rss(afterEnd - AFTER_MEDIAN_MS, afterEnd));
  const perMinute = (from: Mark, to: Mark, value: number | undefined): string =>
    value === undefined ? 'n/a' : (value / minutes(to.atMs - from.atMs)).toFixed(1);
  const passes = (from: Mark, to: Mark) =>
    increaseOf(from.metrics, to.metrics, 'controller_runtime_reconcile_total');
  const byResult = (from: Mark, to: Mark): string =>
    ['success', 'requeue', 'error']
      .map((result) => {
        const n = increaseOf(from.metrics, to.metrics, 'controller_runtime_reconcile_total', {
          result,
        });
        return `${result} ${perMinute(from, to, n)}`;
      })
      .join(', ');
  const allRequests = (from: Mark, to: Mark) =>
    from.allRequests === undefined || to.allRequests === undefined
      ? undefined
      : to.allRequests - from.allRequests;
  const idleRequests = await countRequests(idleStart, idleEnd);
  const loadRequests = await countRequests(loadStart, loadEnd);
  const steadyRequests = steady ? await countRequests(steady.start, steady.end) : undefined;
  const afterRequests = await countRequests(afterStart, afterEndMark);

  console.log('');
  console.log(
    `phase    span       RSS MiB                        passes/min   operator API requests/min  (all clients)`,
  );
  const row = (cells: readonly string[]) => {
    console.log(
      [
        cells[0]!.padEnd(8),
        cells[1]!.padEnd(10),
        cells[2]!.padEnd(30),
        cells[3]!.padEnd(12),
        cells[4]!.padEnd(26),
        cells[5] ?? '',
      ].join(' '),
    );
  };
  row([
    'idle',
    `${((idleEnd.atMs - idleStart.atMs) / 1000).toFixed(0)} s`,
    `median ${mib(idleKiB)}`,
    perMinute(idleStart, idleEnd, passes(idleStart, idleEnd)),
    perMinute(idleStart, idleEnd, idleRequests.total),
    `(${perMinute(idleStart, idleEnd, allRequests(idleStart, idleEnd))})`,
  ]);
  row([
    'load',
    `${minutes(loadEnd.atMs - loadStart.atMs).toFixed(1)} min`,
    `peak ${mib(peakKiB)} (VmHWM ${hwmAtLoadEnd === undefined ? '-' : mib(hwmAtLoadEnd)})`,
    perMinute(loadStart, loadEnd, passes(loadStart, loadEnd)),
    perMinute(loadStart, loadEnd, loadRequests.total),
    `(${perMinute(loadStart, loadEnd, allRequests(loadStart, loadEnd))})`,
  ]);
  if (steady && steadyRequests) {
    const { start, end } = steady;
    row([
      ' steady',
      `${minutes(end.atMs - start.atMs).toFixed(1)} min`,
      `peak ${mib(Math.max(...rss(start.atMs, end.atMs)))}`,
      perMinute(start, end, passes(start, end)),
      perMinute(start, end, steadyRequests.total),
      `(${perMinute(start, end, allRequests(start, end))})`,
    ]);
  }
  row([
    'after',
    `${((afterEnd - afterStart.atMs) / 1000).toFixed(0)} s`,
    `median of last 30 s ${mib(afterKiB)}`,
    perMinute(afterStart, afterEndMark, passes(afterStart, afterEndMark)),
    perMinute(afterStart, afterEndMark, afterRequests.total),
    `(${perMinute(afterStart, afterEndMark, allRequests(afterStart, afterEndMark))})`,
  ]);

  // Where RSS does not come back, these say whether the objects are still alive (heap used) or
  // only the pages are still held (heap total, malloc'd memory outside the heap).
  const heapOf = (at: Mark): string => {
    const bytes = (metric: string) => sumOf(at.metrics, metric);
    const used = bytes('nodejs_heap_size_used_bytes');
    const total = bytes('nodejs_heap_size_total_bytes');
    const external = bytes('nodejs_external_memory_bytes');
    const show = (value: number | undefined) => (value === undefined ? '-' : mib(value / 1024));
    return `heap used ${show(used)}, heap total ${show(total)}, external ${show(external)}`;
  };
  console.log('');
  console.log(`V8 at the end of idle: ${heapOf(idleEnd)} MiB`);
  console.log(`V8 at the end of load: ${heapOf(loadEnd)} MiB`);
  console.log(`V8 at the end of after: ${heapOf(afterEndMark)} MiB`);
  const costOf = (at: Mark): string =>
    `${(at.metrics.cost.bytes / 1024).toFixed(0)} KiB in ${at.metrics.cost.ms.toFixed(0)} ms (${at.metrics.samples.length} samples)`;
  console.log(
    `one /metrics scrape (bearer token checked, verdict cached 30 s): idle ${costOf(idleEnd)}; load end ${costOf(loadEnd)}; after ${costOf(afterEndMark)}`,
  );
  console.log('');
  console.log(
    `load: ${withStatus} of ${count} had a status at the end (reconciled at least once), ${notReady} reported not Ready; the pool ${poolStillReady ? 'still Ready' : 'NOT Ready'} at the end`,
  );
  const judged = steady ?? { start: loadStart, end: loadEnd };
  const judgedName = steady ? 'steady' : 'load';
  console.log(`passes/min by result (${judgedName}): ${byResult(judged.start, judged.end)}`);
  const requestWindow = steadyRequests ?? loadRequests;
  console.log(
    `operator API requests/min (${judgedName}): ${describeKinds(requestWindow, minutes(judged.end.atMs - judged.start.atMs))}`,
  );
  console.log(
    `API requests: counted on the API server, from its audit log (level Metadata) for user ${OPERATOR_USER} only, each request once (a watch counts when it starts); "all clients" is apiserver_request_total's increase (the bench's own requests included)`,
  );

  // Ideal: one pass per resource per resync interval; a window that starts with the creates also
  // holds each resource's first pass.
  const passSpanMs = judged.end.atMs - judged.start.atMs;
  const passTarget =
    (count + 1) / minutes(resyncMs) + (steady ? 0 : (count + 1) / minutes(passSpanMs));
  const passFigure = passes(judged.start, judged.end);
  const passRate = passFigure === undefined ? undefined : passFigure / minutes(passSpanMs);
  const afterChange = afterKiB / idleKiB - 1;
  console.log('');
  console.log(`${'target'.padEnd(72)} ${'figure'.padEnd(19)} verdict`);
  const target = (what: string, figure: string, met: boolean | undefined) => {
    console.log(
      `${what.padEnd(72)} ${figure.padEnd(19)} ${met === undefined ? '' : met ? 'met' : 'MISSED'}`,
    );
  };
  target(
    `passes/min ≤ ${passTarget.toFixed(1)} (1 per resource per ${resyncMs / 60_000} min${steady ? ', steady' : ' + the first, whole load'})`,
    passRate === undefined ? 'n/a' : passRate.toFixed(1),
    passRate === undefined ? undefined : passRate <= passTarget,
  );
  target(
    `peak RSS ≤ ${TARGET_PEAK_MIB} MiB`,
    `${mib(peakKiB)} MiB`,
    peakKiB / 1024 <= TARGET_PEAK_MIB,
  );
  target(
    `RSS after delete within ${TARGET_AFTER_FRACTION * 100}% of idle (${mib(idleKiB)} MiB)`,
    `${mib(afterKiB)} MiB (${afterChange >= 0 ? '+' : ''}${(afterChange * 100).toFixed(1)}%)`,
    Math.abs(afterChange) <= TARGET_AFTER_FRACTION,
  );
} catch (error) {
  printOperatorTail(operator);
  throw error;
} finally {
  await cleanUp([
    ['stop the memory sampler', () => sampler?.stop()],
    ['stop the watch', () => watch?.stop()],
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
