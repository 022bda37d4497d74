import { expect } from 'chai';
import { exportedFamilies, isOperatorOwnFamily } from './exported-families.js';
import type { Dashboard, DashboardPanel } from './monitoring-files.js';
import {
  allPanels,
  dashboardExpressions,
  loadDashboard,
  variablePromql,
  variableQuery,
} from './monitoring-files.js';
import {
  extractMetricNames,
  metricFamilyOf,
  undeclaredMetricNames,
} from './promql-metric-names.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

describe('the Grafana dashboard (charts/gluster-operator/files/dashboard.json)', () => {
  let dashboard: Dashboard;
  before(() => {
    dashboard = loadDashboard();
  });
  const dataPanels = (): DashboardPanel[] =>
    allPanels(dashboard).filter((panel) => panel.type !== 'row');

  it('parses, with a uid Grafana accepts, a title and schema version 39 or later', () => {
    expect(dashboard.uid).to.match(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.title).to.be.a('string').and.not.equal('');
    expect(dashboard.schemaVersion).to.be.at.least(39);
  });

  it('has the datasource, job, namespace and cluster variables', () => {
    const variables = new Map(dashboard.templating.list.map((entry) => [entry.name, entry]));
    expect([...variables.keys()]).to.include.members(['datasource', 'job', 'namespace', 'cluster']);
    expect(variables.get('datasource')).to.include({ type: 'datasource', query: 'prometheus' });
    const queries = Object.fromEntries(
      ['job', 'namespace', 'cluster'].map((name) => {
        const variable = variables.get(name);
        expect(variable?.type, name).to.equal('query');
        expect(variable?.datasource, name).to.deep.equal(DATASOURCE);
        return [name, variable ? variableQuery(variable) : undefined];
      }),
    );
    expect(queries['namespace']).to.match(
      /^label_values\(gluster_operator_cluster_ready(\{.*\})?, namespace\)$/,
    );
    expect(queries['cluster']).to.match(
      /^label_values\(gluster_operator_cluster_ready\{.*namespace=~"\$namespace".*\}, name\)$/,
    );
  });

  it('gives every panel a unique id', () => {
    const ids = allPanels(dashboard).map((panel) => panel.id);
    expect(ids.every((id) => Number.isInteger(id))).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('gives every panel but rows a title, the ${datasource} variable and targets with expr', () => {
    const panels = dataPanels();
    expect(panels.length).to.be.at.least(20);
    for (const panel of panels) {
      const what = `panel ${String(panel.id)} "${panel.title ?? ''}"`;
      expect(panel.title, what).to.be.a('string').and.not.equal('');
      expect(panel.datasource, what).to.deep.equal(DATASOURCE);
      expect(panel.targets, what).to.be.an('array').that.is.not.empty;
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, `${what}: refIds`).to.equal(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.expr, `${what} ${target.refId ?? ''}`)
          .to.be.a('string')
          .and.not.equal('');
        expect(target.datasource, what).to.deep.equal(DATASOURCE);
      }
    }
  });

  it('lays the panels out on the 24-column grid without overlaps', () => {
    const cells = new Map<string, string>();
    for (const panel of allPanels(dashboard)) {
      const grid = panel.gridPos;
      const what = `panel ${String(panel.id)} "${panel.title ?? ''}"`;
      expect(grid, what).to.not.equal(undefined);
      if (!grid) continue;
      expect(grid.x + grid.w, what).to.be.at.most(24);
      for (let x = grid.x; x < grid.x + grid.w; x++) {
        for (let y = grid.y; y < grid.y + grid.h; y++) {
          const taken = cells.get(`${String(x)},${String(y)}`);
          expect(taken, `${what} overlaps ${taken ?? ''}`).to.equal(undefined);
          cells.set(`${String(x)},${String(y)}`, what);
        }
      }
    }
  });

  it('reads only metrics the operator exports', async () => {
    const missing = undeclaredMetricNames(
      dashboardExpressions(dashboard).map((entry) => entry.expr),
      await exportedFamilies(),
    );
    expect(Object.fromEntries(missing)).to.deep.equal({});
  });

  it("shows every one of the operator's own metrics, and the process metrics the issue names", async () => {
    const families = await exportedFamilies();
    const shown = new Set(
      dashboardExpressions(dashboard).flatMap((entry) =>
        extractMetricNames(entry.expr).map((name) => metricFamilyOf(name, families)),
      ),
    );
    const wanted = [
      ...[...families.keys()].filter(isOperatorOwnFamily),
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ];
    expect(wanted.filter((family) => !shown.has(family))).to.deep.equal([]);
  });

  it('keeps per-pool panels to the leader, as the alerts do', () => {
    for (const { where, expr } of dashboardExpressions(dashboard)) {
      if (!/gluster_operator_cluster_(ready|nodes|inventory_synced)\{/.test(expr)) continue;
      if (where.startsWith('variable')) continue;
      expect(expr, where).to.contain('and on (job, instance) (gluster_operator_leader');
    }
  });
});

describe('variablePromql', () => {
  const cases: { query: string; want: string | undefined }[] = [
    { query: 'label_values(a{b=~"$c"}, name)', want: 'a{b=~"$c"}' },
    { query: 'label_values(sum by (x, y) (a), x)', want: 'sum by (x, y) (a)' },
    { query: 'query_result(topk(5, a))', want: 'topk(5, a)' },
    { query: 'label_values(namespace)', want: undefined },
    { query: 'label_names()', want: undefined },
  ];
  for (const tc of cases) {
    it(`${tc.query} → ${String(tc.want)}`, () => {
      expect(variablePromql(tc.query)).to.equal(tc.want);
    });
  }
});
