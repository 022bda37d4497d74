import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';

/**
 * The monitoring files the chart ships (alerts and dashboard), read for the tests of every tier
 * that check them: what they say, that promtool accepts them, that they read only what the
 * operator exports.
 */

const repoFile = (relative: string): string =>
  fileURLToPath(new URL(`../../../${relative}`, import.meta.url));

export const ALERTS_FILE = repoFile('charts/gluster-operator/files/alerts.yaml');
export const ALERT_TESTS_FILE = repoFile('test/fixtures/prometheus/alerts.test.yaml');
export const DASHBOARD_FILE = repoFile('charts/gluster-operator/files/dashboard.json');
export const MONITORING_DOC = repoFile('docs/monitoring.md');
export const RUNBOOK_BASE =
  'https://github.com/gluster-operator/gluster-operator/blob/main/docs/monitoring.md';

/** The alerts issue 11 asks for; a rule file without one of them fails the tests. */
export const EXPECTED_ALERTS = [
  'GlusterClusterNotReady',
  'GlusterNodeUnreachable',
  'GlusterPeersDisconnected',
  'GlusterNodeHostKeyMismatch',
  'GlusterOperatorNoLeader',
  'GlusterOperatorReconcileErrors',
  'GlusterInventorySyncFailing',
] as const;

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly AlertRule[] }[];
}

export function loadAlertRules(): AlertRule[] {
  const file = loadYaml<RuleFile>(readFileSync(ALERTS_FILE, 'utf8'));
  return file.groups.flatMap((group) => group.rules);
}

/** One case of a promtool test file, as far as the tests look at it. */
export interface AlertRuleTest {
  readonly name: string;
  readonly alert_rule_test?: readonly {
    readonly eval_time: string;
    readonly alertname: string;
    readonly exp_alerts?: readonly unknown[] | null;
  }[];
}

export function loadAlertRuleTests(): AlertRuleTest[] {
  return loadYaml<{ tests: AlertRuleTest[] }>(readFileSync(ALERT_TESTS_FILE, 'utf8')).tests;
}

export interface DashboardTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface DashboardPanel {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly gridPos?: {
    readonly h: number;
    readonly w: number;
    readonly x: number;
    readonly y: number;
  };
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly DashboardTarget[];
  /** A row's panels when it is collapsed. */
  readonly panels?: readonly DashboardPanel[];
}

export interface DashboardVariable {
  readonly type: string;
  readonly name: string;
  readonly query?: string | { readonly query?: string };
  readonly definition?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface Dashboard {
  readonly uid?: string;
  readonly title?: string;
  readonly schemaVersion?: number;
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: readonly DashboardVariable[] };
}

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
}

/** Every panel, a collapsed row's own panels included, rows themselves too. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** A query variable's query text (Grafana keeps it in `query.query`, older ones in `query`). */
export function variableQuery(variable: DashboardVariable): string | undefined {
  return typeof variable.query === 'string' ? variable.query : variable.query?.query;
}

/**
 * The PromQL in a Prometheus variable query: `label_values(selector, label)` and
 * `query_result(expr)` hold one; `label_values(label)` and `label_names()` none.
 */
export function variablePromql(query: string): string | undefined {
  const labelValues = /^\s*label_values\(\s*(.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s.exec(query);
  if (labelValues) return labelValues[1];
  const queryResult = /^\s*query_result\((.+)\)\s*$/s.exec(query);
  if (queryResult) return queryResult[1];
  return undefined;
}

/** Every PromQL expression of the dashboard (panel targets and variable queries), with where. */
export function dashboardExpressions(dashboard: Dashboard): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (target.expr) {
        found.push({
          where: `panel "${panel.title ?? ''}" ${target.refId ?? ''}`.trim(),
          expr: target.expr,
        });
      }
    }
  }
  for (const variable of dashboard.templating.list) {
    const query = variableQuery(variable);
    const expr = variable.type === 'query' && query ? variablePromql(query) : undefined;
    if (expr) found.push({ where: `variable $${variable.name}`, expr });
  }
  return found;
}

/** Every PromQL expression of the alerts, with where. */
export function alertExpressions(): { where: string; expr: string }[] {
  return loadAlertRules().map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }));
}

/**
 * `expr` with Grafana's variables replaced by values that keep it valid PromQL, so promtool can
 * parse it: the interval variables by a duration, every other one by a plain word.
 */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(
      /\$(?:__rate_interval|__interval|__range)\b|\$\{(?:__rate_interval|__interval|__range)\}/g,
      '5m',
    )
    .replace(/\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*|\[\[[^\]]*\]\]/g, 'x');
}

/** The anchor GitHub gives a Markdown heading. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of docs/monitoring.md's headings. */
export function monitoringDocAnchors(): Set<string> {
  const anchors = new Set<string>();
  for (const line of readFileSync(MONITORING_DOC, 'utf8').split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined) anchors.add(githubAnchor(heading[1]));
  }
  return anchors;
}
