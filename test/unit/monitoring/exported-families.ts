import { createOperatorMetrics } from '../../../src/observability/metrics.js';
import type { MetricType } from './promql-metric-names.js';
import { parseMetricFamilies } from './promql-metric-names.js';

let families: Promise<ReadonlyMap<string, MetricType>> | undefined;

/**
 * The metric families the operator's registry declares (its `# TYPE` lines), process metrics
 * included, as a fresh OperatorMetrics exposes them. The kube tier checks the same against the
 * live operator (test/e2e/monitoring-metrics.test.ts). Read once per run.
 */
export function exportedFamilies(): Promise<ReadonlyMap<string, MetricType>> {
  families ??= createOperatorMetrics()
    .registry.metrics()
    .then((text) => parseMetricFamilies(text));
  return families;
}

/** The operator's own families: everything but prom-client's process and Node.js metrics. */
export function isOperatorOwnFamily(name: string): boolean {
  return !name.startsWith('process_') && !name.startsWith('nodejs_');
}
