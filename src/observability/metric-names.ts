/**
 * The operator's own metrics start with this. The work queue and reconcile metrics take
 * controller-runtime's names and labels (`workqueue_*`, `controller_runtime_reconcile_*`) and the
 * Node.js process metrics prom-client's (`process_*`, `nodejs_*`), so that the dashboards and
 * alerts made for those find them.
 */
export const METRIC_PREFIX = 'gluster_operator_';
