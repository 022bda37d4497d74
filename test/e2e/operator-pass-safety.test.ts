import { expect } from 'chai';
import type { GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { createReconcilerDeps } from '../../src/controller/operator.js';
import type { ExecutorSource } from '../../src/controller/executor-cache.js';
import { PassAbortedError } from '../../src/controller/pass/pass-aborted-error.js';
import type { ReconcilerDeps } from '../../src/controller/reconcile-gluster-cluster.js';
import { reconcileGlusterCluster } from '../../src/controller/reconcile-gluster-cluster.js';
import { tableResolver } from '../../src/gluster/host-identity.js';
import { createLogger } from '../../src/observability/logger.js';
import { createOperatorMetrics } from '../../src/observability/metrics.js';
import { formPool, runGluster } from '../../testbed/gluster-commands.js';
import type { TestNode } from '../../testbed/gluster-test-pool.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import {
  condition,
  createOperatorHarness,
  createPoolHarness,
  harnessConfig,
  isReadyAt,
} from '../support/operator-harness.js';
import { rejection } from '../support/rejection.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * The reconcile pass's safety and truth on real glusterd and a real API server: identity by
 * UUID (a healthy peer known by another name is never detached when only its SSH fails), stale
 * views, a spec edit during a pass, a pass stopped by lost leadership or shutdown.
 */
describe('the reconcile pass: never detach on a guess, never report what it did not see', function () {
  this.timeout(240_000);
  const pool = useGlusterTestPool('safe', 4);
  const metrics = createOperatorMetrics({ processMetrics: false });
  const n = (index: number): TestNode => pool().node(index);
  let harness: OperatorHarness;
  const specOf = (
    indexes: number[],
    extra: Partial<GlusterClusterSpec> = {},
  ): GlusterClusterSpec => ({
    nodes: indexes.map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
    ...extra,
  });
  const membersOf = async (node: TestNode): Promise<string[]> =>
    (await poolSnapshot(pool().pool, [node]))[node.name] ?? [];

  /** Passes run by the test itself, through the operator's real adapters. */
  const passDeps = (): ReconcilerDeps =>
    createReconcilerDeps({
      kubeConfig: loadKubeConfigOf(),
      config: harnessConfig(harness.namespace),
      logger: createLogger({ level: 'error' }),
      resolver: pool().resolver,
    }).deps;
  let kubeconfigPath = '';
  const loadKubeConfigOf = () => loadKubeConfig(kubeconfigPath);

  /** Runs `onFirstPoolList` once, when the pass asks its first node for its pool list. */
  const interceptFirstPoolList = (
    source: ExecutorSource,
    onFirstPoolList: () => Promise<void>,
  ): ExecutorSource => {
    let done = false;
    return {
      async executorFor(...args) {
        const real = await source.executorFor(...args);
        return {
          async run(node, argv, options) {
            if (!done && argv.includes('pool')) {
              done = true;
              await onFirstPoolList();
            }
            return real.run(node, argv, options);
          },
          close: () => real.close(),
        };
      },
      forget: (key) => source.forget(key),
    };
  };

  before(async function () {
    this.timeout(300_000);
    kubeconfigPath = (await getControlPlane()).kubeconfigPath;
    // n1 probes n2 and n3 by host name, as people often do; the resources list addresses.
    await formPool(pool().pool, n(0), [n(1), n(2)]);
    harness = await createPoolHarness('safe', pool());
  });
  after(async () => {
    await harness.stop();
  });

  it('a pass that loses leadership before its probe makes no change and writes nothing', async () => {
    await harness.apply('lead', specOf([0, 1, 2, 3]));
    const before = await harness.get('lead');
    let leading = true;
    const base = passDeps();
    const deps: ReconcilerDeps = {
      ...base,
      leadership: { remainingMs: () => (leading ? Number.POSITIVE_INFINITY : 0) },
      executors: interceptFirstPoolList(base.executors, () => {
        leading = false;
        return Promise.resolve();
      }),
    };
    const error = await rejection(
      reconcileGlusterCluster(deps, { namespace: harness.namespace, name: 'lead' }, neverAborted()),
    );
    expect(error).to.be.instanceOf(PassAbortedError);
    expect((error as PassAbortedError).reason).to.equal('LeadershipLost');
    expect(await membersOf(n(3))).to.deep.equal([n(3).hostname]);
    expect(await membersOf(n(0))).to.have.length(3);
    const after = await harness.get('lead');
    expect(after.status).to.deep.equal(before.status);
    expect(after.metadata.resourceVersion).to.equal(before.metadata.resourceVersion);
    expect(await harness.events('lead')).to.deep.equal([]);
    await base.executors.forget(`${harness.namespace}/lead`);
  });

  it('a pass stopped during its reads (shutdown) writes nothing, not "every node Unreachable"', async () => {
    const before = await harness.get('lead');
    const stopping = new AbortController();
    const base = passDeps();
    const deps: ReconcilerDeps = {
      ...base,
      executors: interceptFirstPoolList(base.executors, () => {
        stopping.abort(new Error('shutting down'));
        return Promise.resolve();
      }),
    };
    const error = await rejection(
      reconcileGlusterCluster(
        deps,
        { namespace: harness.namespace, name: 'lead' },
        stopping.signal,
      ),
    );
    expect(error).to.be.instanceOf(PassAbortedError);
    expect((error as PassAbortedError).reason).to.equal('Shutdown');
    const after = await harness.get('lead');
    expect(after.metadata.resourceVersion).to.equal(before.metadata.resourceVersion);
    expect(await membersOf(n(3))).to.deep.equal([n(3).hostname]);
    await base.executors.forget(`${harness.namespace}/lead`);
    await harness.deleteAndWait('lead');
  });

  it('a spec edit during a pass: no detach of the node it now declares, no status for the new generation', async () => {
    // Generation 1 leaves n3 out: the pass plans its detach.
    await harness.apply('edit', specOf([0, 1]));
    const before = await harness.get('edit');
    const base = passDeps();
    const key = { namespace: harness.namespace, name: 'edit' };
    const deps: ReconcilerDeps = {
      ...base,
      // While the pass reads the pool, someone declares n3 (generation 2).
      executors: interceptFirstPoolList(base.executors, () =>
        harness.apply('edit', specOf([0, 1, 2])),
      ),
    };
    const error = await rejection(reconcileGlusterCluster(deps, key, neverAborted()));
    expect(error).to.be.instanceOf(PassAbortedError);
    expect((error as PassAbortedError).reason).to.equal('Superseded');
    expect(await membersOf(n(0))).to.have.length(3);
    const edited = await harness.get('edit');
    expect(edited.metadata.generation).to.equal((before.metadata.generation ?? 0) + 1);
    expect(edited.status?.observedGeneration).to.not.equal(edited.metadata.generation);
    expect(await harness.events('edit')).to.not.include.members([
      `Detached: Detached ${n(2).hostname} on ${n(0).ipv4} (not in spec)`,
    ]);

    // The next pass works from generation 2: all three in the pool, Ready.
    const result = await reconcileGlusterCluster(base, key, neverAborted());
    expect(result.statusWritten).to.equal(true);
    const ready = await harness.get('edit');
    expect(isReadyAt(ready, 3)).to.equal(true);
    await base.executors.forget(`${harness.namespace}/edit`);
  });

  it('a reorder during a pass: the old observation is not written; names stay with their addresses', async () => {
    const base = passDeps();
    const key = { namespace: harness.namespace, name: 'edit' };
    const reordered = specOf([2, 0, 1]);
    const deps: ReconcilerDeps = {
      ...base,
      executors: interceptFirstPoolList(base.executors, () => harness.apply('edit', reordered)),
    };
    const stale = await harness.get('edit');
    const result = await reconcileGlusterCluster(deps, key, neverAborted());
    expect(result.statusWritten).to.equal(false);
    expect(result.requeueAfterMs).to.equal(0);
    const edited = await harness.get('edit');
    expect(edited.status).to.deep.equal(stale.status);

    await reconcileGlusterCluster(base, key, neverAborted());
    const written = await harness.get('edit');
    expect(written.status?.observedGeneration).to.equal(written.metadata.generation);
    expect(written.status?.nodes?.map((node) => [node.address, node.name])).to.deep.equal(
      reordered.nodes?.map((node) => [node.address, node.name]),
    );
    await base.executors.forget(`${harness.namespace}/edit`);
    await harness.deleteAndWait('edit');
  });

  it('never detaches a healthy spec node known by its host name when only its SSH fails', async () => {
    harness.start({ metrics });
    await harness.apply('named', specOf([0, 1, 2]));
    const ready = await harness.waitFor('named', 'be Ready', (c) => isReadyAt(c, 3));
    const n2Uuid = ready.status?.nodes?.[1]?.uuid;
    expect(n2Uuid).to.be.a('string');
    await pool().pool.dropInbound(n(1), 22);
    try {
      const cutAt = Date.now();
      const unreachable = await harness.waitFor(
        'named',
        'report n2 Unreachable',
        (c) => c.status?.nodes?.[1]?.state === 'Unreachable',
        60_000,
      );
      // A read has a deadline of its own: within resync (10 s) + read deadline (5 s) + slack.
      expect(Date.now() - cutAt).to.be.below(18_000);
      expect(unreachable.status?.nodes?.[1]?.uuid).to.equal(n2Uuid);
      expect(unreachable.status?.unmanagedMembers ?? []).to.deep.equal([]);
      // Passes later: still a member everywhere, never detached.
      await sleep(12_000);
      expect(await membersOf(n(0))).to.include(n(1).hostname);
      expect(await membersOf(n(2))).to.include(n(1).hostname);
      const events = await harness.events('named');
      expect(events.filter((event) => event.startsWith('Detached'))).to.deep.equal([]);
      const latest = await harness.get('named');
      expect(condition(latest, 'Ready')).to.equal('False NodesUnreachable');
    } finally {
      await pool().pool.restoreInbound(n(1));
    }
    await harness.waitFor('named', 'be Ready again', (c) => isReadyAt(c, 3), 120_000);
  });

  it('a node detached while its glusterd was down has a stale view: it never leads, the others stay Connected, and it Stalls', async () => {
    await harness.apply('named', specOf([0, 1, 2], { resyncInterval: '10s' }));
    await pool().pool.stopGlusterd(n(2));
    const detach = await runGluster(pool().pool, n(0), ['peer', 'detach', n(2).hostname, 'force']);
    expect(detach.stdout).to.contain('<opRet>0</opRet>');
    await pool().pool.startGlusterd(n(2));
    try {
      const stale = await harness.waitFor(
        'named',
        'report n3 StaleView',
        (c) => c.status?.nodes?.[2]?.state === 'StaleView',
        60_000,
      );
      expect(stale.status?.commandNode).to.equal(n(0).ipv4);
      expect(stale.status?.nodes?.slice(0, 2).map((node) => node.state)).to.deep.equal([
        'Connected',
        'Connected',
      ]);
      expect(stale.status?.connected).to.equal(2);
      expect(condition(stale, 'Stalled')).to.equal('True StaleView');
      expect(condition(stale, 'Ready')).to.equal('False StaleView');
      expect(stale.status?.nodes?.[2]?.message).to.match(/do not list it/);
      // Nothing moves, so nothing is looked at more often than the resync asks.
      const passes = () => passCount(`${harness.namespace}/named`);
      const first = await passes();
      await sleep(10_000);
      expect((await passes()) - first).to.be.at.most(3);
    } finally {
      // What the status tells a person to do: clear the stale node's old peers.
      await pool().pool.stopGlusterd(n(2));
      await pool().pool.execOnNode(n(2), ['sh', '-c', 'rm -f /var/lib/glusterd/peers/*']);
      await pool().pool.startGlusterd(n(2));
    }
    await harness.waitFor('named', 'probe n3 back and be Ready', (c) => isReadyAt(c, 3), 90_000);

    async function passCount(key: string): Promise<number> {
      const metric = await metrics.registry
        .getSingleMetric('gluster_operator_cluster_reconciles_total')
        ?.get();
      return (
        metric?.values.find(
          (value) => `${String(value.labels['namespace'])}/${String(value.labels['name'])}` === key,
        )?.value ?? 0
      );
    }
  });

  it('a spec node whose UUID was never seen and whose name cannot be matched is never detached as "unmanaged"', async () => {
    await harness.stop();
    await harness.deleteAndWait('named');
    // A resolver that knows no names: n1 lists n2 by its host name only.
    const kubeConfig = loadKubeConfigOf();
    const blind = await createOperatorHarness({
      kubeConfig,
      namespace: await createTestNamespace(kubeConfig, 'blind'),
      pool: pool().pool,
      resolver: tableResolver({}),
    });
    await pool().pool.dropInbound(n(1), 22);
    blind.start();
    try {
      await blind.apply('fresh', specOf([0, 1, 2]));
      const blocked = await blind.waitFor(
        'fresh',
        'hold the detach back for an incomplete picture',
        (c) =>
          condition(c, 'Reconciling') === 'True IncompleteObservation' &&
          c.status?.observedGeneration === c.metadata.generation,
        60_000,
      );
      expect(blocked.status?.unmanagedMembers?.map((member) => member.hostname)).to.deep.equal([
        n(1).hostname,
      ]);
      await sleep(12_000);
      expect(await membersOf(n(0))).to.include(n(1).hostname);
      const events = await blind.events('fresh');
      expect(events.some((event) => event.startsWith('IncompleteObservation: '))).to.equal(true);
      expect(events.filter((event) => event.startsWith('Detached'))).to.deep.equal([]);
    } finally {
      await pool().pool.restoreInbound(n(1));
      await blind.stop();
    }
  });
});

function neverAborted(): AbortSignal {
  return new AbortController().signal;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
