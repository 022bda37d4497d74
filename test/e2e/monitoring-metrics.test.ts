import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { createOperatorMetrics } from '../../src/observability/metrics.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { runCommand } from '../support/run-command.js';
import { resolveTestTools } from '../support/test-tools.js';
import { useGlusterTestPool } from '../support/test-pool.js';
import type { AlertRule } from '../unit/monitoring/monitoring-files.js';
import {
  ALERTS_FILE,
  alertExpressions,
  dashboardExpressions,
  EXPECTED_ALERTS,
  loadAlertRules,
  loadDashboard,
} from '../unit/monitoring/monitoring-files.js';
import type { MetricType } from '../unit/monitoring/promql-metric-names.js';
import {
  extractMetricNames,
  metricFamilyOf,
  parseMetricFamilies,
  undeclaredMetricNames,
} from '../unit/monitoring/promql-metric-names.js';

/** One sample line of a text exposition. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: string;
}

/** The samples of a text exposition (prom-client's: no timestamps). */
function parseSamples(exposition: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || match[3] === undefined) throw new Error(`Unreadable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(
      /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g,
    )) {
      if (label[1] !== undefined) labels[label[1]] = label[2] ?? '';
    }
    samples.push({ name: match[1], labels, value: match[3] });
  }
  return samples;
}

function findSample(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>>,
): Sample | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** How Prometheus would store the live series: with the scrape target's labels. */
const TARGET = { job: 'gluster-operator', instance: 'pod-a:8080', namespace: 'gluster-system' };

/**
 * A promtool test file that holds the live samples the alerts read for 20 minutes, as a scrape
 * every minute would, and expects exactly `firing` (alert name → its alerts) at the end.
 */
function liveAlertTest(
  samples: readonly Sample[],
  families: ReadonlyMap<string, MetricType>,
  firing: Readonly<Record<string, readonly { labels: Record<string, string>; value: number }[]>>,
): unknown {
  const read = new Set(
    alertExpressions().flatMap(({ expr }) =>
      extractMetricNames(expr).map((name) => metricFamilyOf(name, families)),
    ),
  );
  const rules = new Map<string, AlertRule>(loadAlertRules().map((rule) => [rule.alert, rule]));
  const inputSeries = samples
    .filter((sample) => read.has(metricFamilyOf(sample.name, families)))
    .map((sample) => {
      // The target's namespace only where the series has none of its own (honorLabels: true).
      const labels = { ...TARGET, ...sample.labels };
      const selector = Object.entries(labels)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(',');
      return { series: `${sample.name}{${selector}}`, values: `${sample.value}x20` };
    });
  return {
    rule_files: [ALERTS_FILE],
    evaluation_interval: '1m',
    tests: [
      {
        name: 'the live series',
        interval: '1m',
        input_series: inputSeries,
        alert_rule_test: EXPECTED_ALERTS.map((alertname) => {
          const rule = rules.get(alertname);
          if (!rule) throw new Error(`no alert ${alertname}`);
          return {
            eval_time: '20m',
            alertname,
            exp_alerts: (firing[alertname] ?? []).map(({ labels, value }) => ({
              exp_labels: { ...rule.labels, ...labels },
              exp_annotations: Object.fromEntries(
                Object.entries(rule.annotations).map(([key, text]) => [
                  key,
                  renderAnnotation(text, labels, value),
                ]),
              ),
            })),
          };
        }),
      },
    ],
  };
}

/** The annotation as Prometheus renders it, for templates of `$labels.x` and `$value` only. */
function renderAnnotation(text: string, labels: Record<string, string>, value: number): string {
  const rendered = text
    .replace(
      /\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g,
      (_, name: string) => labels[name] ?? '',
    )
    .replace(/\{\{\s*\$value\s*\}\}/g, String(value));
  if (rendered.includes('{{')) throw new Error(`Cannot render this template here: ${text}`);
  return rendered;
}

/**
 * The real operator (startOperator, the code main.ts runs) against the real API server and a
 * real 3-node pool, scraped through its registry: every metric the shipped dashboard and alerts
 * read is one it declares, its per-pool series carry the labels the alerts group by, and the
 * alerts, evaluated by promtool on its live series, fire exactly when the pool is not healthy.
 */
describe('the live metrics against the dashboard and the alerts', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('mon', 3);
  const metrics = createOperatorMetrics();
  let harness: OperatorHarness;
  let promtool: string;
  let workDir: string;
  const n = (index: number) => pool().node(index);
  const spec = (): GlusterClusterSpec => ({
    nodes: [0, 1, 2].map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
  });

  /** Scrapes the registry until `done` holds; the last scrape's text. */
  const scrapeUntil = async (what: string, done: (samples: Sample[]) => boolean) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = await metrics.registry.metrics();
      if (done(parseSamples(text))) return text;
      if (Date.now() > deadline)
        throw new Error(`Metrics did not show ${what} within 60 s:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const poolLabels = () => ({ namespace: harness.namespace, name: 'pool' });

  /** promtool test rules on the live samples; its output when it fails. */
  const checkAlertsOnLiveSeries = async (
    text: string,
    firing: Parameters<typeof liveAlertTest>[2],
  ): Promise<void> => {
    const testsPath = path.join(workDir, `live-${String(Date.now())}.test.json`);
    const test = liveAlertTest(parseSamples(text), parseMetricFamilies(text), firing);
    writeFileSync(testsPath, JSON.stringify(test, null, 2));
    const result = await runCommand(promtool, ['test', 'rules', testsPath], { timeoutMs: 30_000 });
    expect(result.exitCode, `${result.stdout}${result.stderr}`).to.equal(0);
  };

  before(async function () {
    this.timeout(0); // the first run builds promtool (scripts/test-tools)
    promtool = (await resolveTestTools()).promtool;
    workDir = mkdtempSync(path.join(os.tmpdir(), 'gop-live-alerts-'));
    harness = await createPoolHarness('mon', pool());
    // As src/run-operator.ts does: the operator runs only while this replica leads.
    metrics.trackLeader(() => true);
    harness.start({ metrics });
    await harness.apply('pool', spec());
    await harness.waitFor('pool', 'be Ready with 3 members', (cluster) => isReadyAt(cluster, 3));
  });
  after(async () => {
    await harness.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('declares every metric the dashboard and the alerts read', async () => {
    const text = await scrapeUntil(
      'the pool Ready',
      (samples) =>
        findSample(samples, 'gluster_operator_cluster_ready', poolLabels())?.value === '1',
    );
    const families = parseMetricFamilies(text);
    const expressions = [...dashboardExpressions(loadDashboard()), ...alertExpressions()];
    expect(expressions.length).to.be.at.least(40);
    const missing = undeclaredMetricNames(
      expressions.map((entry) => entry.expr),
      families,
    );
    expect(Object.fromEntries(missing), 'metric → expressions reading it').to.deep.equal({});
  });

  it('labels the series the way the alerts and the dashboard select and group them', async () => {
    const samples = parseSamples(await metrics.registry.metrics());
    expect(findSample(samples, 'gluster_operator_cluster_ready', poolLabels())?.value).to.equal(
      '1',
    );
    expect(
      findSample(samples, 'gluster_operator_cluster_nodes', { ...poolLabels(), state: 'Connected' })
        ?.value,
    ).to.equal('3');
    expect(findSample(samples, 'gluster_operator_leader', {})?.value).to.equal('1');
    for (const name of [
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_time_seconds_bucket',
    ]) {
      expect(findSample(samples, name, { controller: 'glustercluster' }), name).to.not.equal(
        undefined,
      );
    }
    expect(findSample(samples, 'workqueue_depth', { name: 'glustercluster' })).to.not.equal(
      undefined,
    );
    expect(
      Number(findSample(samples, 'gluster_operator_cluster_reconciles_total', poolLabels())?.value),
    ).to.be.at.least(1);
    expect(
      Number(
        findSample(samples, 'gluster_operator_cluster_ssh_handshakes_total', poolLabels())?.value,
      ),
    ).to.be.at.least(3);
    const verbs = samples
      .filter((sample) => sample.name === 'gluster_operator_remote_command_duration_seconds_count')
      .map((sample) => sample.labels['verb']);
    expect(verbs).to.include('pool list');
    // Nothing per node: no label holds a node's address or name.
    const addresses = [0, 1, 2].flatMap((index) => [n(index).ipv4, n(index).name]);
    const perNode = samples.filter((sample) =>
      Object.values(sample.labels).some((value) => addresses.includes(value)),
    );
    expect(perNode).to.deep.equal([]);
  });

  it('fires no alert on the live series of a Ready pool', async () => {
    await checkAlertsOnLiveSeries(await metrics.registry.metrics(), {});
  });

  it("fires GlusterClusterNotReady and GlusterNodeUnreachable on the live series once a node's glusterd is down", async () => {
    await pool().pool.stopGlusterd(n(2));
    try {
      await harness.waitFor(
        'pool',
        'report n3 GlusterdDown',
        (cluster) => cluster.status?.nodes?.[2]?.state === 'GlusterdDown',
      );
      const text = await scrapeUntil('n3 GlusterdDown', (samples) => {
        const down = findSample(samples, 'gluster_operator_cluster_nodes', {
          ...poolLabels(),
          state: 'GlusterdDown',
        });
        const ready = findSample(samples, 'gluster_operator_cluster_ready', poolLabels());
        return down?.value === '1' && ready?.value === '0';
      });
      await checkAlertsOnLiveSeries(text, {
        GlusterClusterNotReady: [{ labels: poolLabels(), value: 0 }],
        GlusterNodeUnreachable: [{ labels: { ...poolLabels(), state: 'GlusterdDown' }, value: 1 }],
      });
    } finally {
      await pool().pool.startGlusterd(n(2));
    }
    await harness.waitFor('pool', 'be Ready again', (cluster) => isReadyAt(cluster, 3));
  });
});
