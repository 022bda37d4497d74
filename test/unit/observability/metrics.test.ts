import { expect } from 'chai';
import { register as globalRegistry } from 'prom-client';
import { createOperatorMetrics } from '../../../src/observability/metrics.js';

/** The value of each series of a metric, keyed by its labels ("" for none), as scraped. */
async function series(
  metrics: ReturnType<typeof createOperatorMetrics>,
  name: string,
): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`No metric ${name}`);
  const { values } = await metric.get();
  return Object.fromEntries(
    values.map((value) => [
      [
        // Histograms name each series (_bucket, _sum, _count); counters and gauges do not.
        'metricName' in value && typeof value.metricName === 'string' ? value.metricName : name,
        ...Object.entries(value.labels).map(([k, v]) => `${k}=${String(v)}`),
      ]
        .filter((part) => part !== name)
        .join(','),
      value.value,
    ]),
  );
}

const BUILD = { version: '1.2.3', revision: 'abc123' };
const quiet = () => createOperatorMetrics({ processMetrics: false, build: BUILD });

describe('createOperatorMetrics', () => {
  it("counts reconciles by result and times them in controller-runtime's shapes", async () => {
    const metrics = quiet();
    metrics.observeReconcile('success', 1_200);
    metrics.observeReconcile('success', 300);
    metrics.observeReconcile('requeue_after', 40);
    metrics.observeReconcile('error', 10, 'NodeUnreachable');
    expect(await series(metrics, 'controller_runtime_reconcile_total')).to.deep.equal({
      'controller=glustercluster,result=success': 2,
      'controller=glustercluster,result=requeue': 0,
      'controller=glustercluster,result=requeue_after': 1,
      'controller=glustercluster,result=error': 1,
    });
    expect(await series(metrics, 'controller_runtime_reconcile_errors_total')).to.deep.equal({
      'controller=glustercluster': 1,
    });
    const time = await series(metrics, 'controller_runtime_reconcile_time_seconds');
    expect(
      time['controller_runtime_reconcile_time_seconds_count,controller=glustercluster'],
    ).to.equal(4);
    expect(
      time['controller_runtime_reconcile_time_seconds_sum,controller=glustercluster'],
    ).to.be.closeTo(1.55, 1e-9);
    expect(
      time['controller_runtime_reconcile_time_seconds_bucket,le=0.05,controller=glustercluster'],
    ).to.equal(2);
  });

  it('counts errors by reason, with Unexpected when none is given', async () => {
    const metrics = quiet();
    metrics.observeReconcile('error', 10, 'NodeUnreachable');
    metrics.observeReconcile('error', 10, 'NodeUnreachable');
    metrics.observeReconcile('error', 10, 'KubernetesApi');
    metrics.observeReconcile('error', 10);
    metrics.observeReconcile('success', 10, 'ignored without an error');
    expect(await series(metrics, 'gluster_operator_reconcile_errors_total')).to.deep.equal({
      'controller=glustercluster,reason=NodeUnreachable': 2,
      'controller=glustercluster,reason=KubernetesApi': 1,
      'controller=glustercluster,reason=Unexpected': 1,
    });
  });

  it('times remote commands by verb and outcome', async () => {
    const metrics = quiet();
    metrics.observeCommand('peer probe', 'ok', 40);
    metrics.observeCommand('pool list', 'could_not_run', 10_000);
    const values = await series(metrics, 'gluster_operator_remote_command_duration_seconds');
    expect(
      values['gluster_operator_remote_command_duration_seconds_count,verb=peer probe,result=ok'],
    ).to.equal(1);
    expect(
      values[
        'gluster_operator_remote_command_duration_seconds_sum,verb=pool list,result=could_not_run'
      ],
    ).to.equal(10);
  });

  it('shows each GlusterCluster by namespace and name: ready, node counts by state, inventory; and forgets one that is gone', async () => {
    const metrics = quiet();
    metrics.setClusterHealth('storage/pool-a', {
      ready: false,
      nodeStates: ['Connected', 'Connected', 'Unreachable'],
    });
    metrics.setClusterHealth('storage/pool-b', {
      ready: true,
      nodeStates: ['Connected', 'Connected'],
      inventorySynced: true,
    });
    expect(await series(metrics, 'gluster_operator_cluster_ready')).to.deep.equal({
      'namespace=storage,name=pool-a': 0,
      'namespace=storage,name=pool-b': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_nodes')).to.deep.equal({
      'namespace=storage,name=pool-a,state=Connected': 2,
      'namespace=storage,name=pool-a,state=Unreachable': 1,
      'namespace=storage,name=pool-b,state=Connected': 2,
    });
    // Only GlusterClusters with an inventory have the inventory series.
    expect(await series(metrics, 'gluster_operator_cluster_inventory_synced')).to.deep.equal({
      'namespace=storage,name=pool-b': 1,
    });
    // A state nobody is in any more has no series (not a stale count).
    metrics.setClusterHealth('storage/pool-a', { ready: true, nodeStates: ['Connected'] });
    metrics.forgetCluster('storage/pool-b');
    expect(await series(metrics, 'gluster_operator_cluster_nodes')).to.deep.equal({
      'namespace=storage,name=pool-a,state=Connected': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_ready')).to.deep.equal({
      'namespace=storage,name=pool-a': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_inventory_synced')).to.deep.equal({});
  });

  it('forgets every GlusterCluster at once when the replica stops reconciling', async () => {
    const metrics = quiet();
    metrics.setClusterHealth('storage/a', { ready: true, nodeStates: ['Connected'] });
    metrics.setClusterHealth('other/b', { ready: false, nodeStates: ['Pending'] });
    metrics.countPass('storage/a', true);
    metrics.countCommand('other/b');
    metrics.forgetAllClusters();
    for (const name of [
      'gluster_operator_cluster_ready',
      'gluster_operator_cluster_nodes',
      'gluster_operator_cluster_reconciles_total',
      'gluster_operator_cluster_status_writes_total',
      'gluster_operator_cluster_remote_commands_total',
    ]) {
      expect(await series(metrics, name), name).to.deep.equal({});
    }
  });

  it('counts passes, status writes, commands and SSH handshakes per GlusterCluster, and forgets one that is gone', async () => {
    const metrics = quiet();
    metrics.countPass('storage/a', true);
    metrics.countPass('storage/a', false);
    metrics.countPass('storage/b', false);
    metrics.countCommand('storage/a');
    let handshakes = new Map([['storage/a', 3]]);
    metrics.trackHandshakes(() => handshakes);
    expect(await series(metrics, 'gluster_operator_cluster_reconciles_total')).to.deep.equal({
      'namespace=storage,name=a': 2,
      'namespace=storage,name=b': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_status_writes_total')).to.deep.equal({
      'namespace=storage,name=a': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_remote_commands_total')).to.deep.equal({
      'namespace=storage,name=a': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_ssh_handshakes_total')).to.deep.equal({
      'namespace=storage,name=a': 3,
    });
    metrics.forgetCluster('storage/a');
    handshakes = new Map();
    expect(await series(metrics, 'gluster_operator_cluster_reconciles_total')).to.deep.equal({
      'namespace=storage,name=b': 1,
    });
    expect(await series(metrics, 'gluster_operator_cluster_ssh_handshakes_total')).to.deep.equal(
      {},
    );
  });

  it("reads the work queue and leadership at each scrape, in client-go's workqueue shapes", async () => {
    const metrics = quiet();
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 0 });
    let depth = 3;
    let leading = true;
    metrics.trackWorkQueue(
      {
        depth: () => depth,
        inFlight: () => 2,
        unfinishedWork: () => ({ totalMs: 2_500, longestMs: 2_000 }),
      },
      4,
    );
    metrics.trackLeader(() => leading);
    expect(await series(metrics, 'workqueue_depth')).to.deep.equal({ 'name=glustercluster': 3 });
    expect(await series(metrics, 'controller_runtime_active_workers')).to.deep.equal({
      'controller=glustercluster': 2,
    });
    expect(await series(metrics, 'controller_runtime_max_concurrent_reconciles')).to.deep.equal({
      'controller=glustercluster': 4,
    });
    expect(await series(metrics, 'workqueue_unfinished_work_seconds')).to.deep.equal({
      'name=glustercluster': 2.5,
    });
    expect(await series(metrics, 'workqueue_longest_running_processor_seconds')).to.deep.equal({
      'name=glustercluster': 2,
    });
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 1 });
    depth = 0;
    leading = false;
    expect(await series(metrics, 'workqueue_depth')).to.deep.equal({ 'name=glustercluster': 0 });
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 0 });
  });

  it('counts what the work queue reports: adds, retries, waits and runs in seconds', async () => {
    const metrics = quiet();
    const observer = metrics.workQueueObserver;
    observer.added();
    observer.added();
    observer.retried();
    observer.waited(5);
    observer.worked(1_500);
    expect(await series(metrics, 'workqueue_adds_total')).to.deep.equal({
      'name=glustercluster': 2,
    });
    expect(await series(metrics, 'workqueue_retries_total')).to.deep.equal({
      'name=glustercluster': 1,
    });
    const waits = await series(metrics, 'workqueue_queue_duration_seconds');
    expect(waits['workqueue_queue_duration_seconds_sum,name=glustercluster']).to.equal(0.005);
    expect(waits['workqueue_queue_duration_seconds_bucket,le=0.01,name=glustercluster']).to.equal(
      1,
    );
    expect(waits['workqueue_queue_duration_seconds_bucket,le=0.001,name=glustercluster']).to.equal(
      0,
    );
    const work = await series(metrics, 'workqueue_work_duration_seconds');
    expect(work['workqueue_work_duration_seconds_count,name=glustercluster']).to.equal(1);
    expect(work['workqueue_work_duration_seconds_bucket,le=1,name=glustercluster']).to.equal(0);
    expect(work['workqueue_work_duration_seconds_bucket,le=10,name=glustercluster']).to.equal(1);
  });

  it('says which build runs: build_info with version, revision and Node.js version', async () => {
    expect(await series(quiet(), 'gluster_operator_build_info')).to.deep.equal({
      [`version=1.2.3,revision=abc123,nodejs_version=${process.version}`]: 1,
    });
  });

  it("has prom-client's unprefixed process metrics in a registry of its own, never the global one", async () => {
    const metrics = createOperatorMetrics();
    const text = await metrics.registry.metrics();
    expect(text).to.match(/^process_cpu_user_seconds_total /m);
    expect(text).to.match(/^nodejs_eventloop_lag_seconds /m);
    expect(text).to.not.contain('gluster_operator_process_');
    expect(await globalRegistry.metrics()).to.not.match(/gluster_operator_|workqueue_/);
    // Two instances (two tests, two operators in one process) do not clash.
    expect(() => createOperatorMetrics()).to.not.throw();
  });
});
