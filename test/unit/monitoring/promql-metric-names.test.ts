import { expect } from 'chai';
import type { MetricType } from './promql-metric-names.js';
import {
  extractMetricNames,
  metricFamilyOf,
  parseMetricFamilies,
  undeclaredMetricNames,
} from './promql-metric-names.js';

describe('extractMetricNames', () => {
  const cases: { name: string; expr: string; want: string[] }[] = [
    { name: 'a bare name', expr: 'up', want: ['up'] },
    {
      name: 'a selector: label names and values are not metrics',
      expr: 'gluster_operator_cluster_nodes{namespace="storage", state=~"Unreachable|GlusterdDown"}',
      want: ['gluster_operator_cluster_nodes'],
    },
    {
      name: 'functions, ranges and an aggregation with by before its argument',
      expr: 'sum by (namespace, name) (rate(gluster_operator_cluster_reconciles_total[5m]))',
      want: ['gluster_operator_cluster_reconciles_total'],
    },
    {
      name: 'by after the argument, and without',
      expr: 'sum(rate(a_total[1m])) by (le) / count without (instance, pod) (b)',
      want: ['a_total', 'b'],
    },
    {
      name: 'vector matching keywords and their label lists',
      expr: 'a and on (job, instance) (b == 1) or ignoring (x) c * on (i) group_left (version) d',
      want: ['a', 'b', 'c', 'd'],
    },
    {
      name: 'group_left without a list, bool, unless, atan2',
      expr: 'a * on (i) group_left b > bool 0 unless c atan2 d',
      want: ['a', 'b', 'c', 'd'],
    },
    {
      name: 'histogram_quantile with a number, a _bucket series and le',
      expr: 'histogram_quantile(0.99, sum by (le) (rate(controller_runtime_reconcile_time_seconds_bucket{controller="glustercluster"}[5m])))',
      want: ['controller_runtime_reconcile_time_seconds_bucket'],
    },
    {
      name: 'numbers in every form: exponents, hex, Inf and NaN',
      expr: 'a > 1e-3 and b < 0x1F or c != Inf or d == NaN or e > .5 or f < -2.5E+2',
      want: ['a', 'b', 'c', 'd', 'e', 'f'],
    },
    {
      name: 'offset with a compound duration, @ with start(), subqueries',
      expr: 'max_over_time(rate(a_total[5m])[1h:1m] offset 1h30m) - b @ start() - c @ 1609746000',
      want: ['a_total', 'b', 'c'],
    },
    {
      name: 'strings: quoted words, escaped quotes, backquotes and single quotes',
      expr: 'label_replace(a, "dst", "b \\" c", \'src\', `(d.*)`) + count_values("version", e)',
      want: ['a', 'e'],
    },
    {
      name: 'each name once, in the order it first appears',
      expr: 'b / (a + b) / a',
      want: ['b', 'a'],
    },
    {
      name: 'absent and a scalar comparison',
      expr: 'max by (namespace, job) (gluster_operator_leader) == 0 or absent(gluster_operator_leader)',
      want: ['gluster_operator_leader'],
    },
    {
      name: 'aggregations are case-insensitive keywords; topk and quantile take a parameter',
      expr: 'SUM BY (x) (a) + topk(3, b) + quantile(0.5, c) + count(d) + group(e)',
      want: ['a', 'b', 'c', 'd', 'e'],
    },
    {
      name: 'a name given as __name__="…" in the selector, alone or beside a name',
      expr: '{__name__="a_total", job="x"} + b{ __name__ = "c" }',
      want: ['a_total', 'b', 'c'],
    },
    {
      name: 'Grafana variables in matchers, ranges and arguments',
      expr: 'histogram_quantile($quantile, sum by (le) (rate(a_bucket{namespace=~"$namespace", name=~"${cluster}"}[$__rate_interval]))) * [[scale]]',
      want: ['a_bucket'],
    },
    {
      name: 'metric names with colons (recording rules), comments and newlines',
      expr: 'job:a:rate5m # the rate\n  + on (job)\n  b',
      want: ['job:a:rate5m', 'b'],
    },
    { name: 'nothing: only numbers and functions', expr: 'vector(1) + time() - 2', want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(extractMetricNames(tc.expr)).to.deep.equal(tc.want);
    });
  }

  const refused: { name: string; expr: string; message: RegExp }[] = [
    { name: 'a __name__ regex', expr: '{__name__=~"gluster_.*"}', message: /pattern/ },
    { name: 'a __name__ negation', expr: '{__name__!="a"}', message: /pattern/ },
    { name: 'an unterminated string', expr: 'a{b="c}', message: /Unterminated string/ },
    { name: 'an unbalanced bracket', expr: 'rate(a[5m)', message: /Unbalanced/ },
  ];
  for (const tc of refused) {
    it(`refuses ${tc.name} rather than guessing`, () => {
      expect(() => extractMetricNames(tc.expr)).to.throw(tc.message);
    });
  }
});

describe('metricFamilyOf', () => {
  const families = new Map<string, MetricType>([
    ['a_seconds', 'histogram'],
    ['b_seconds', 'summary'],
    ['c_count', 'gauge'],
    ['d_total', 'counter'],
  ]);
  const cases: { name: string; want: string | undefined }[] = [
    { name: 'a_seconds', want: 'a_seconds' },
    { name: 'a_seconds_bucket', want: 'a_seconds' },
    { name: 'a_seconds_sum', want: 'a_seconds' },
    { name: 'a_seconds_count', want: 'a_seconds' },
    { name: 'b_seconds_sum', want: 'b_seconds' },
    { name: 'b_seconds_count', want: 'b_seconds' },
    { name: 'b_seconds_bucket', want: undefined },
    { name: 'c_count', want: 'c_count' },
    { name: 'c', want: undefined },
    { name: 'd_total', want: 'd_total' },
    { name: 'd_total_count', want: undefined },
    { name: 'd', want: undefined },
  ];
  for (const tc of cases) {
    it(`${tc.name} → ${String(tc.want)}`, () => {
      expect(metricFamilyOf(tc.name, families)).to.equal(tc.want);
    });
  }
});

describe('parseMetricFamilies', () => {
  it('reads each # TYPE line, and nothing else', () => {
    const exposition = [
      '# HELP a_seconds How long.',
      '# TYPE a_seconds histogram',
      'a_seconds_bucket{le="1"} 0',
      '# TYPE b_total counter',
      'b_total 3',
      '# TYPE c gauge',
      '# A comment that names # TYPE d counter',
      'e 1',
    ].join('\n');
    expect([...parseMetricFamilies(exposition)]).to.deep.equal([
      ['a_seconds', 'histogram'],
      ['b_total', 'counter'],
      ['c', 'gauge'],
    ]);
  });
});

describe('undeclaredMetricNames', () => {
  const families = new Map<string, MetricType>([
    ['a_seconds', 'histogram'],
    ['b', 'gauge'],
  ]);
  it('is empty when every name is a declared family or a histogram series of one', () => {
    expect(undeclaredMetricNames(['b', 'rate(a_seconds_bucket[5m])'], families).size).to.equal(0);
  });
  it('names each missing metric with the expressions that read it', () => {
    expect([...undeclaredMetricNames(['z + b', 'y', 'z'], families)]).to.deep.equal([
      ['y', ['y']],
      ['z', ['z + b', 'z']],
    ]);
  });
});
