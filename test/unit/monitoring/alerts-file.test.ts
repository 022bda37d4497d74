import { readFileSync } from 'node:fs';
import { loadYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { exportedFamilies } from './exported-families.js';
import type { AlertRule } from './monitoring-files.js';
import {
  alertExpressions,
  EXPECTED_ALERTS,
  loadAlertRules,
  loadAlertRuleTests,
  monitoringDocAnchors,
  RUNBOOK_BASE,
} from './monitoring-files.js';
import { undeclaredMetricNames } from './promql-metric-names.js';

const CRD_FILE = new URL('../../../crds/glusterclusters.glusteroperator.io.yaml', import.meta.url);

/** status.nodes[].state's enum in the CRD: the states the operator reports. */
function nodeStatesOfCrd(): string[] {
  interface Schema {
    readonly properties?: Record<string, Schema>;
    readonly items?: Schema;
    readonly enum?: string[];
  }
  const crd = loadYaml<{ spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }>(
    readFileSync(CRD_FILE, 'utf8'),
  );
  return crd.spec.versions.flatMap(
    (version) =>
      version.schema.openAPIV3Schema.properties?.['status']?.properties?.['nodes']?.items
        ?.properties?.['state']?.enum ?? [],
  );
}

/** What each alert must be: severity and how long its condition holds first. */
const WANTED: Record<(typeof EXPECTED_ALERTS)[number], { severity: string; for: string }> = {
  GlusterClusterNotReady: { severity: 'warning', for: '10m' },
  GlusterNodeUnreachable: { severity: 'warning', for: '5m' },
  GlusterPeersDisconnected: { severity: 'warning', for: '5m' },
  GlusterNodeHostKeyMismatch: { severity: 'critical', for: '0m' },
  GlusterOperatorNoLeader: { severity: 'critical', for: '5m' },
  GlusterOperatorReconcileErrors: { severity: 'warning', for: '15m' },
  GlusterInventorySyncFailing: { severity: 'warning', for: '15m' },
};

describe('the alert rules (charts/gluster-operator/files/alerts.yaml)', () => {
  let rules: AlertRule[];
  before(() => {
    rules = loadAlertRules();
  });
  const ruleNamed = (name: string): AlertRule => {
    const rule = rules.find((entry) => entry.alert === name);
    if (!rule) throw new Error(`no alert ${name}`);
    return rule;
  };

  it('has exactly the alerts asked for, each once', () => {
    expect(rules.map((rule) => rule.alert)).to.have.members([...EXPECTED_ALERTS]);
  });

  for (const name of EXPECTED_ALERTS) {
    it(`${name}: severity ${WANTED[name].severity}, for ${WANTED[name].for}, summary, description and its runbook`, () => {
      const rule = ruleNamed(name);
      expect(rule.labels).to.deep.equal({ severity: WANTED[name].severity });
      expect(rule.for).to.equal(WANTED[name].for);
      expect(Object.keys(rule.annotations)).to.have.members([
        'summary',
        'description',
        'runbook_url',
      ]);
      expect(rule.annotations['runbook_url']).to.equal(`${RUNBOOK_BASE}#${name.toLowerCase()}`);
      expect(monitoringDocAnchors(), 'a heading in docs/monitoring.md').to.include(
        name.toLowerCase(),
      );
    });
  }

  it('names the pool (namespace and name) in every per-GlusterCluster alert', () => {
    for (const rule of rules) {
      if (!rule.expr.includes('gluster_operator_cluster_')) continue;
      expect(rule.expr, rule.alert).to.match(/by \(namespace, name(, state)?\)/);
      for (const text of [rule.annotations['summary'], rule.annotations['description']]) {
        expect(text, rule.alert).to.match(
          /\{\{\s*\$labels\.namespace\s*\}\}\/\{\{\s*\$labels\.name\s*\}\}/,
        );
      }
    }
  });

  it('counts per-GlusterCluster series only from the replica that leads', () => {
    for (const rule of rules) {
      if (!rule.expr.includes('gluster_operator_cluster_')) continue;
      expect(rule.expr, rule.alert).to.contain(
        'and on (job, instance) (gluster_operator_leader == 1)',
      );
    }
  });

  it('reads only metrics the operator exports', async () => {
    const missing = undeclaredMetricNames(
      alertExpressions().map((entry) => entry.expr),
      await exportedFamilies(),
    );
    expect(Object.fromEntries(missing)).to.deep.equal({});
  });

  it('matches only node states the CRD declares', () => {
    const states = new Set(nodeStatesOfCrd());
    expect(states).to.include('HostKeyMismatch');
    const used = rules.flatMap((rule) =>
      [...rule.expr.matchAll(/state=~?"([^"]*)"/g)].flatMap((match) => (match[1] ?? '').split('|')),
    );
    expect(used).to.include.members(['Unreachable', 'GlusterdDown', 'Disconnected']);
    expect(used.filter((state) => !states.has(state))).to.deep.equal([]);
  });
});

describe('the promtool tests of the alerts (test/fixtures/prometheus/alerts.test.yaml)', () => {
  const tests = loadAlertRuleTests();
  const checks = tests.flatMap((test) => test.alert_rule_test ?? []);

  for (const name of EXPECTED_ALERTS) {
    it(`check ${name} both firing and not firing`, () => {
      const mine = checks.filter((check) => check.alertname === name);
      expect(
        mine.some((check) => (check.exp_alerts ?? []).length > 0),
        'a case where it fires',
      ).to.equal(true);
      expect(
        mine.some((check) => (check.exp_alerts ?? []).length === 0),
        'a case where it must not fire',
      ).to.equal(true);
    });
  }

  it('check no alert the rules do not have', () => {
    const known = new Set<string>(EXPECTED_ALERTS);
    expect(checks.map((check) => check.alertname).filter((name) => !known.has(name))).to.deep.equal(
      [],
    );
  });

  it('have unique names', () => {
    const names = tests.map((test) => test.name);
    expect(new Set(names).size).to.equal(names.length);
  });
});
