import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { runCommand, type CommandResult } from '../../support/run-command.js';
import { resolveTestTools } from '../../support/test-tools.js';
import {
  ALERT_TESTS_FILE,
  ALERTS_FILE,
  dashboardExpressions,
  EXPECTED_ALERTS,
  loadDashboard,
  substituteGrafanaVariables,
} from '../../unit/monitoring/monitoring-files.js';

/**
 * The shipped alerts and dashboard, checked by the real promtool (built by scripts/test-tools):
 * the rule file's syntax and templates, its unit tests (test/fixtures/prometheus/alerts.test.yaml),
 * that those tests catch a missing alert, and that every dashboard query is PromQL.
 */
describe('the alerts and the dashboard, checked by promtool', function () {
  this.timeout(60_000);
  let promtool: string;
  let workDir: string;
  const output = (result: CommandResult): string => `${result.stdout}${result.stderr}`;

  before(async function () {
    this.timeout(0); // the first run builds helm and promtool (scripts/test-tools)
    promtool = (await resolveTestTools()).promtool;
    workDir = mkdtempSync(path.join(os.tmpdir(), 'gop-alert-rules-'));
  });
  after(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  /** `promtool test rules` on `testsFile`, with a JUnit report of its cases. */
  const testRules = async (
    testsFile: string,
  ): Promise<{ result: CommandResult; junit: string }> => {
    const junitPath = path.join(workDir, `junit-${String(Date.now())}.xml`);
    const result = await runCommand(
      promtool,
      ['test', 'rules', `--junit=${junitPath}`, testsFile],
      {
        timeoutMs: 30_000,
      },
    );
    let junit = '';
    try {
      junit = readFileSync(junitPath, 'utf8');
    } catch {
      // No report: the output says why.
    }
    return { result, junit };
  };

  it('promtool check rules accepts the rule file and finds every alert', async () => {
    const result = await runCommand(
      promtool,
      ['check', 'rules', '--lint=all', '--lint-fatal', ALERTS_FILE],
      {
        timeoutMs: 30_000,
      },
    );
    expect(result.exitCode, output(result)).to.equal(0);
    expect(output(result)).to.contain(`SUCCESS: ${String(EXPECTED_ALERTS.length)} rules found`);
  });

  it('promtool test rules passes every case, and its report names every alert', async () => {
    const { result, junit } = await testRules(ALERT_TESTS_FILE);
    expect(result.exitCode, output(result)).to.equal(0);
    expect(output(result)).to.contain('SUCCESS');
    const cases = [...junit.matchAll(/<testcase\b[^>]*\bname="([^"]*)"/g)].map((match) => match[1]);
    expect(cases, junit).to.not.be.empty;
    for (const alert of EXPECTED_ALERTS) {
      expect(
        cases.filter((name) => name?.startsWith(`${alert} `)),
        `test cases of ${alert}`,
      ).to.have.length.of.at.least(2);
    }
    expect(junit).to.not.match(/<failure\b/);
  });

  for (const alert of EXPECTED_ALERTS) {
    it(`the tests fail, naming it, on a rule file without ${alert}`, async () => {
      interface RuleFile {
        groups: { name: string; rules: { alert?: string }[] }[];
      }
      const rules = loadYaml<RuleFile>(readFileSync(ALERTS_FILE, 'utf8'));
      for (const group of rules.groups) {
        group.rules = group.rules.filter((rule) => rule.alert !== alert);
      }
      // JSON is YAML: promtool reads both files as they are written here.
      const rulesPath = path.join(workDir, `without-${alert}.rules.json`);
      writeFileSync(rulesPath, JSON.stringify(rules));
      const tests = loadYaml<{ rule_files: string[] }>(readFileSync(ALERT_TESTS_FILE, 'utf8'));
      tests.rule_files = [rulesPath];
      const testsPath = path.join(workDir, `without-${alert}.test.json`);
      writeFileSync(testsPath, JSON.stringify(tests));

      const { result } = await testRules(testsPath);
      expect(result.exitCode, output(result)).to.not.equal(0);
      expect(output(result)).to.contain(`alertname: ${alert}`);
    });
  }

  it('parses every dashboard query as PromQL', async () => {
    const failures: string[] = [];
    for (const { where, expr } of dashboardExpressions(loadDashboard())) {
      const query = substituteGrafanaVariables(expr);
      const result = await runCommand(promtool, ['promql', 'format', '--experimental', query], {
        timeoutMs: 30_000,
      });
      if (result.exitCode !== 0) failures.push(`${where}: ${query}\n${output(result)}`);
    }
    expect(failures).to.deep.equal([]);
  });
});
