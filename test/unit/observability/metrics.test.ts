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

describe('createOperatorMetrics', () => {
  it('counts reconcile passes by result and times them in seconds', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    metrics.observeReconcile('success', 1_200);
    metrics.observeReconcile('success', 300);
    metrics.observeReconcile('error', 50);
    expect(await series(metrics, 'gluster_operator_reconcile_total')).to.deep.equal({
      'result=success': 2,
      'result=error': 1,
    });
    const duration = await series(metrics, 'gluster_operator_reconcile_duration_seconds');
    expect(duration['gluster_operator_reconcile_duration_seconds_count']).to.equal(3);
    expect(duration['gluster_operator_reconcile_duration_seconds_sum']).to.be.closeTo(1.55, 1e-9);
    expect(duration['gluster_operator_reconcile_duration_seconds_bucket,le=0.5']).to.equal(2);
  });

  it('times remote commands by verb and outcome', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
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

  it('sums node states over clusters, reports 0 for the others, and forgets a deleted cluster', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    metrics.setPeerStates('storage/pool-a', ['Connected', 'Connected', 'Unreachable']);
    metrics.setPeerStates('storage/pool-b', ['Connected', 'Pending']);
    let peers = await series(metrics, 'gluster_operator_peers');
    expect(peers).to.include({
      'state=Connected': 3,
      'state=Unreachable': 1,
      'state=Pending': 1,
      'state=Rejected': 0,
    });
    expect(Object.keys(peers)).to.have.length(11);
    metrics.setPeerStates('storage/pool-a', ['Connected']);
    metrics.forgetCluster('storage/pool-b');
    peers = await series(metrics, 'gluster_operator_peers');
    expect(peers).to.include({ 'state=Connected': 1, 'state=Unreachable': 0, 'state=Pending': 0 });
  });

  it('counts passes, status writes, commands and SSH handshakes per pool, and forgets a pool that is gone', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    metrics.countPass('storage/a', true);
    metrics.countPass('storage/a', false);
    metrics.countPass('storage/b', false);
    metrics.countCommand('storage/a');
    let handshakes = new Map([['storage/a', 3]]);
    metrics.trackHandshakes(() => handshakes);
    expect(await series(metrics, 'gluster_operator_pool_reconciles_total')).to.deep.equal({
      'cluster=storage/a': 2,
      'cluster=storage/b': 1,
    });
    expect(await series(metrics, 'gluster_operator_pool_status_writes_total')).to.deep.equal({
      'cluster=storage/a': 1,
    });
    expect(await series(metrics, 'gluster_operator_pool_remote_commands_total')).to.deep.equal({
      'cluster=storage/a': 1,
    });
    expect(await series(metrics, 'gluster_operator_pool_ssh_handshakes_total')).to.deep.equal({
      'cluster=storage/a': 3,
    });
    metrics.forgetCluster('storage/a');
    handshakes = new Map();
    expect(await series(metrics, 'gluster_operator_pool_reconciles_total')).to.deep.equal({
      'cluster=storage/b': 1,
    });
    expect(await series(metrics, 'gluster_operator_pool_ssh_handshakes_total')).to.deep.equal({});
  });

  it('reads the work queue and leadership at each scrape', async () => {
    const metrics = createOperatorMetrics({ processMetrics: false });
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 0 });
    let depth = 3;
    let leading = true;
    metrics.trackWorkQueue({ depth: () => depth, inFlight: () => 2 });
    metrics.trackLeader(() => leading);
    expect(await series(metrics, 'gluster_operator_work_queue_depth')).to.deep.equal({ '': 3 });
    expect(await series(metrics, 'gluster_operator_work_queue_in_flight')).to.deep.equal({ '': 2 });
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 1 });
    depth = 0;
    leading = false;
    expect(await series(metrics, 'gluster_operator_work_queue_depth')).to.deep.equal({ '': 0 });
    expect(await series(metrics, 'gluster_operator_leader')).to.deep.equal({ '': 0 });
  });

  it('has prefixed process metrics in a registry of its own, never the global one', async () => {
    const metrics = createOperatorMetrics();
    const text = await metrics.registry.metrics();
    expect(text).to.contain('gluster_operator_process_cpu_user_seconds_total');
    expect(text).to.contain('gluster_operator_nodejs_eventloop_lag_seconds');
    expect(await globalRegistry.metrics()).to.not.contain('gluster_operator_');
    // Two instances (two tests, two operators in one process) do not clash.
    expect(() => createOperatorMetrics()).to.not.throw();
  });
});
