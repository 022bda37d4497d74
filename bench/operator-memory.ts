/**
 * Benchmark (not a test): the operator's memory as a process of its own, at idle and under load,
 * against a real API server and real glusterd nodes. Root: `npm run bench:operator-memory`.
 *
 * The operator runs as the image runs it (`node --enable-source-maps dist/main.js` from a runtime
 * tree built by scripts/runtime-tree; `--runtime tsx` runs src/main.ts through tsx instead, whose
 * loader adds its own memory). Every second the bench reads the child's VmRSS and VmHWM from
 * /proc/<pid>/status and its V8 heap and reconcile count from /metrics. Phases:
 *   idle   no GlusterCluster
 *   pool   one 3-node pool, Ready
 *   load   besides it, --real GlusterClusters over the same 3 real nodes (resync 10 s: every pass
 *          asks each node over SSH) and --unreachable ones over addresses of the pool's subnet
 *          that nobody has (resync 60 s: every pass waits for SSH connects that fail)
 *   after  the load deleted, the pool kept
 * Options: --quick (short phases, smaller load), --idle S --pool S --load S --after S (seconds),
 *          --real N --unreachable N, --runtime dist|tsx
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import type { GlusterCluster, GlusterClusterSpec } from '../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, PLURAL } from '../src/api/gluster-cluster.js';
import { tableResolver } from '../src/gluster/host-identity.js';
import { startControlPlane } from '../test/support/control-plane.js';
import { loadKubeConfig } from '../test/support/kube-test-helpers.js';
import { condition, createOperatorHarness, isReadyAt } from '../test/support/operator-harness.js';
import type { OperatorProcess } from '../test/support/operator-process.js';
import { spawnOperator } from '../test/support/operator-process.js';
import { runCommand } from '../test/support/run-command.js';
import { startGlusterTestPool } from '../testbed/gluster-test-pool.js';
import { readProcessMemory } from './process-memory.js';
import { median } from './statistics.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    idle: { type: 'string' },
    pool: { type: 'string' },
    load: { type: 'string' },
    after: { type: 'string' },
    real: { type: 'string' },
    unreachable: { type: 'string' },
    runtime: { type: 'string', default: 'dist' },
  },
});
const defaults = values.quick
  ? { idle: 10, pool: 10, load: 30, after: 10, real: 20, unreachable: 30 }
  : { idle: 60, pool: 60, load: 120, after: 60, real: 50, unreachable: 150 };
const option = (name: keyof typeof defaults): number => {
  const given = values[name];
  const value = given === undefined ? defaults[name] : Number(given);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
};
const settings = {
  idleS: option('idle'),
  poolS: option('pool'),
  loadS: option('load'),
  afterS: option('after'),
  real: option('real'),
  unreachable: option('unreachable'),
};
if (values.runtime !== 'dist' && values.runtime !== 'tsx') {
  throw new Error('--runtime must be dist or tsx');
}

/** One reading of the child, once a second. */
interface Sample {
  readonly atMs: number;
  readonly rssKiB: number;
  readonly hwmKiB: number;
  readonly heapUsedBytes: number | undefined;
  /** Memory outside the V8 heap that JS objects hold (Buffers: sockets, TLS, SSH). */
  readonly externalBytes: number | undefined;
  readonly reconciles: number | undefined;
}

interface PhaseResult {
  readonly name: string;
  readonly samples: readonly Sample[];
  readonly note: string;
}

const MiB = (kib: number): string => (kib / 1024).toFixed(1);
/** The heap in use and the passes so far, from the operator's own /metrics. */
async function readMetrics(
  operator: OperatorProcess,
): Promise<Pick<Sample, 'heapUsedBytes' | 'externalBytes' | 'reconciles'>> {
  try {
    const text = await (
      await fetch(`${operator.url}/metrics`, { signal: AbortSignal.timeout(2_000) })
    ).text();
    const heap = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1];
    const external = /^nodejs_external_memory_bytes (\S+)$/m.exec(text)?.[1];
    const passes = [...text.matchAll(/^controller_runtime_reconcile_total\{[^}]*\} (\S+)$/gm)];
    return {
      heapUsedBytes: heap === undefined ? undefined : Number(heap),
      externalBytes: external === undefined ? undefined : Number(external),
      reconciles: passes.reduce((sum, match) => sum + Number(match[1]), 0),
    };
  } catch {
    return { heapUsedBytes: undefined, externalBytes: undefined, reconciles: undefined };
  }
}

async function sample(operator: OperatorProcess, seconds: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const startedAt = performance.now();
  for (let tick = 0; tick <= seconds; tick++) {
    const proc = readProcessMemory(operator.pid);
    if (!proc) throw new Error(`the operator has exited:\n${operator.output().slice(-4_000)}`);
    samples.push({ atMs: performance.now(), ...proc, ...(await readMetrics(operator)) });
    const next = startedAt + (tick + 1) * 1_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return samples;
}

/** Least-squares slope of RSS over time, MiB per minute. */
function slopeMiBPerMin(samples: readonly Sample[]): number {
  const xs = samples.map((s) => (s.atMs - samples[0]!.atMs) / 60_000);
  const ys = samples.map((s) => s.rssKiB / 1024);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

function printTable(results: readonly PhaseResult[]): void {
  const header = [
    'phase'.padEnd(7),
    'secs'.padStart(4),
    'RSS med'.padStart(8),
    'RSS max'.padStart(8),
    'start→end'.padStart(12),
    'slope/min'.padStart(10),
    'heap med'.padStart(9),
    'heap max'.padStart(9),
    'ext med'.padStart(8),
    'passes'.padStart(7),
    '  note',
  ];
  console.log(header.join(' '));
  for (const { name, samples, note } of results) {
    const rss = samples.map((s) => s.rssKiB);
    const heaps = samples.flatMap((s) => (s.heapUsedBytes === undefined ? [] : [s.heapUsedBytes]));
    const external = samples.flatMap((s) =>
      s.externalBytes === undefined ? [] : [s.externalBytes],
    );
    const passes = samples.flatMap((s) => (s.reconciles === undefined ? [] : [s.reconciles]));
    const seconds = (samples.at(-1)!.atMs - samples[0]!.atMs) / 1000;
    console.log(
      [
        name.padEnd(7),
        seconds.toFixed(0).padStart(4),
        MiB(median(rss)).padStart(8),
        MiB(Math.max(...rss)).padStart(8),
        `${MiB(rss[0]!)}→${MiB(rss.at(-1)!)}`.padStart(12),
        `${slopeMiBPerMin(samples) >= 0 ? '+' : ''}${slopeMiBPerMin(samples).toFixed(2)}`.padStart(
          10,
        ),
        (heaps.length ? MiB(median(heaps) / 1024) : '-').padStart(9),
        (heaps.length ? MiB(Math.max(...heaps) / 1024) : '-').padStart(9),
        (external.length ? MiB(median(external) / 1024) : '-').padStart(8),
        String(passes.length ? passes.at(-1)! - passes[0]! : '-').padStart(7),
        `  ${note}`,
      ].join(' '),
    );
  }
  const last = results.at(-1)?.samples.at(-1);
  if (last)
    console.log(`peak RSS of the whole run (VmHWM): ${MiB(last.hwmKiB)} MiB; all figures MiB`);
}

/** Runs `work` on every item, `concurrency` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const started = new Date();
const commit = execFileSync('git', ['log', '-1', '--oneline'], { encoding: 'utf8' }).trim();
console.log(
  `operator memory, ${started.toISOString()}, at ${commit} (tree may have uncommitted changes)`,
);
console.log(
  `phases: idle ${settings.idleS} s, pool ${settings.poolS} s, load ${settings.loadS} s (${settings.real} real + ${settings.unreachable} unreachable GlusterClusters), after ${settings.afterS} s; runtime ${values.runtime}, Node ${process.version}`,
);

let tree: string | undefined;
if (values.runtime === 'dist') {
  const built = await runCommand('scripts/runtime-tree', [], { timeoutMs: 600_000 });
  if (built.exitCode !== 0) {
    throw new Error(`scripts/runtime-tree failed (try --runtime tsx):\n${built.stderr}`);
  }
  tree = built.stdout.trim().split('\n').at(-1);
}
const controlPlane = await startControlPlane();
const pool = await startGlusterTestPool({ name: 'mem', nodeCount: 3 });
let operator: OperatorProcess | undefined;
try {
  const kubeConfig = loadKubeConfig(controlPlane.kubeconfigPath);
  const namespace = 'bench-memory';
  await kubeConfig
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: namespace } } });
  const harness = await createOperatorHarness({
    kubeConfig,
    namespace,
    pool,
    resolver: tableResolver({}),
  });
  operator = await spawnOperator({
    kubeconfigPath: controlPlane.kubeconfigPath,
    watchNamespace: namespace,
    podName: 'operator-memory',
    leaderElection: false,
    // The operator's own defaults, not spawnOperator's quick test ones.
    env: { PROGRESS_REQUEUE_MS: '5000' },
    maxLogLines: 1_000,
    maxOutputChars: 256 * 1024,
    ...(tree ? { command: { args: ['--enable-source-maps', 'dist/main.js'], cwd: tree } } : {}),
  });
  await operator.waitForStatus('serve /status', (status) => status.live, { timeoutMs: 60_000 });
  const results: PhaseResult[] = [];

  results.push({
    name: 'idle',
    samples: await sample(operator, settings.idleS),
    note: 'no GlusterCluster',
  });

  const ssh = { secretRef: { name: 'gluster-ssh' } };
  const real = pool.nodes.map((node) => ({ address: node.ipv4 }));
  const applyAt = performance.now();
  await harness.apply('pool', { nodes: real, ssh, resyncInterval: '10s' });
  await harness.waitFor('pool', 'be Ready', (cluster) => isReadyAt(cluster, 3), 300_000);
  const readyS = (performance.now() - applyAt) / 1000;
  results.push({
    name: 'pool',
    samples: await sample(operator, settings.poolS),
    note: `one 3-node pool Ready (apply → Ready ${readyS.toFixed(1)} s), resync 10 s`,
  });

  // Addresses of the pool's own /24 that no node has: ARP goes unanswered, SSH connects fail.
  const nobody = [250, 251, 252].map((last) => ({
    address: pool.nodes[0]!.ipv4.replace(/\.\d+$/, `.${last}`),
  }));
  const load: Array<{ name: string; spec: GlusterClusterSpec }> = [
    ...Array.from({ length: settings.real }, (_, i) => ({
      name: `real-${String(i).padStart(3, '0')}`,
      spec: { nodes: real, ssh, resyncInterval: '10s' },
    })),
    ...Array.from({ length: settings.unreachable }, (_, i) => ({
      name: `unreachable-${String(i).padStart(3, '0')}`,
      spec: { nodes: nobody, ssh, resyncInterval: '60s' },
    })),
  ];
  const createAt = performance.now();
  await eachLimited(load, 10, async ({ name, spec }) => {
    await harness.objects.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: PLURAL,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterCluster',
        metadata: { name },
        spec,
      },
    });
  });
  const createS = (performance.now() - createAt) / 1000;
  const loadSamples = await sample(operator, settings.loadS);
  const listed = (await harness.objects.listNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: PLURAL,
  })) as { items: GlusterCluster[] };
  const readyReal = listed.items.filter(
    (c) => c.metadata.name.startsWith('real-') && isReadyAt(c, 3),
  ).length;
  const seenUnreachable = listed.items.filter(
    (c) => c.metadata.name.startsWith('unreachable-') && condition(c, 'Ready')?.startsWith('False'),
  ).length;
  results.push({
    name: 'load',
    samples: loadSamples,
    note: `+${settings.real} real (${readyReal} Ready at end) +${settings.unreachable} unreachable (${seenUnreachable} reported not Ready), created in ${createS.toFixed(1)} s`,
  });

  const deleteAt = performance.now();
  await eachLimited(load, 10, ({ name }) => harness.deleteAndWait(name, 120_000));
  const deleteS = (performance.now() - deleteAt) / 1000;
  results.push({
    name: 'after',
    samples: await sample(operator, settings.afterS),
    note: `load deleted (in ${deleteS.toFixed(1)} s), the pool kept`,
  });

  console.log('');
  printTable(results);
  console.log(`run took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`);
} finally {
  await operator?.stop();
  await pool.destroy();
  await controlPlane.stop();
  if (tree) rmSync(tree, { recursive: true, force: true });
}
