import { expect } from 'chai';
import type { GlusterCluster, GlusterClusterSpec } from '../../../src/api/gluster-cluster.js';
import { FINALIZER } from '../../../src/api/gluster-cluster.js';
import type { ExecutorSource } from '../../../src/controller/executor-cache.js';
import type {
  EventSink,
  ReconcilerDeps,
} from '../../../src/controller/reconcile-gluster-cluster.js';
import {
  ClusterFacts,
  reconcileGlusterCluster,
} from '../../../src/controller/reconcile-gluster-cluster.js';
import { tableResolver } from '../../../src/gluster/host-identity.js';
import type { GlusterClusterApi } from '../../../src/kube/gluster-cluster-api.js';
import { NotFoundError } from '../../../src/kube/kube-errors.js';
import type { SshCredentialsSource } from '../../../src/kube/ssh-credentials.js';
import { SshSecretError } from '../../../src/kube/ssh-credentials.js';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';

const KEY = { namespace: 'storage', name: 'pool' };
const RESYNC_MS = 60_000;
const READ_TIMEOUT_MS = 4_000;

function aCluster(
  spec: Partial<GlusterClusterSpec> = {},
  metadata: Partial<GlusterCluster['metadata']> = {},
): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { ...KEY, generation: 1, resourceVersion: '1', ...metadata },
    spec: {
      nodes: [{ address: 'n1' }, { address: 'n2' }],
      ssh: { secretRef: { name: 'ssh' } },
      resyncInterval: '1m',
      ...spec,
    },
  };
}

/** A fake API server holding one object; status writes are kept, everything else is refused. */
class FakeApi implements Pick<
  GlusterClusterApi,
  'get' | 'replaceStatus' | 'addFinalizer' | 'removeFinalizer'
> {
  readonly calls: string[] = [];
  constructor(public cluster: GlusterCluster | undefined) {}
  get(): Promise<GlusterCluster> {
    this.calls.push('get');
    return this.cluster
      ? Promise.resolve(this.cluster)
      : Promise.reject(new NotFoundError('gone', { cause: undefined, code: 404 }));
  }
  replaceStatus(cluster: GlusterCluster): Promise<GlusterCluster> {
    this.calls.push('replaceStatus');
    this.cluster = {
      ...cluster,
      metadata: {
        ...cluster.metadata,
        resourceVersion: String(Number(cluster.metadata.resourceVersion) + 1),
      },
    };
    return Promise.resolve(this.cluster);
  }
  addFinalizer(): Promise<GlusterCluster> {
    this.calls.push('addFinalizer');
    return Promise.reject(new Error('unexpected addFinalizer'));
  }
  removeFinalizer(): Promise<GlusterCluster> {
    this.calls.push('removeFinalizer');
    if (!this.cluster) return Promise.reject(new Error('no object'));
    this.cluster = { ...this.cluster, metadata: { ...this.cluster.metadata, finalizers: [] } };
    return Promise.resolve(this.cluster);
  }
}

function depsWith(api: FakeApi, executor: FakeExecutor, credentials?: SshCredentialsSource) {
  const events: string[] = [];
  const forgotten: string[] = [];
  const executors: ExecutorSource = {
    executorFor: () => Promise.resolve(executor),
    forget: (key) => {
      forgotten.push(key);
      return Promise.resolve();
    },
  };
  const sink: EventSink = {
    record: (_object, event) => {
      events.push(`${event.type} ${event.reason}`);
      return Promise.resolve();
    },
  };
  const deps: ReconcilerDeps = {
    api,
    credentials: credentials ?? {
      load: () => Promise.resolve({ privateKey: 'k', knownHosts: 'h', version: '1' }),
    },
    executors,
    events: sink,
    logger: createSilentLogger(),
    now: () => new Date('2026-11-22T10:00:00Z'),
    resolver: tableResolver({}),
    glusterTimeoutSeconds: 30,
    commandTimeoutMs: 60_000,
    // These resources list their nodes; reading an inventory would be a mistake.
    inventory: {
      read: () => Promise.reject(new Error('unexpected inventory read')),
      forget: () => undefined,
    },
    facts: new ClusterFacts(),
    readTimeoutMs: READ_TIMEOUT_MS,
    // The fakes answer the same forever: one look after a change, then leave it to a follow-up.
    followTimeoutMs: 0,
    defaultResyncMs: RESYNC_MS,
  };
  return { deps, events, forgotten };
}

/** Two lone glusterd nodes, as the fixtures captured them (each with a UUID of its own). */
function twoLoneNodes(): FakeExecutor {
  const executor = new FakeExecutor();
  const lone = fixture('pool-list-lone.xml');
  const uuid = /<uuid>([^<]+)<\/uuid>/.exec(lone)?.[1] ?? '';
  for (const [index, node] of ['n1', 'n2'].entries()) {
    const ownUuid = `${uuid.slice(0, -1)}${index}`;
    executor
      .on(node, glusterArgv('pool', 'list'), { stdout: lone.replace(uuid, ownUuid) })
      .on(node, ['gluster', '--version'], { stdout: fixture('version.txt') })
      .on(node, glusterArgv('volume', 'info'), xmlAnswer('volume-info-none.xml'))
      .on(
        node,
        glusterArgv('volume', 'get', 'all', 'cluster.op-version'),
        xmlAnswer('volume-get-op-version.xml'),
      );
  }
  return executor;
}

describe('reconcileGlusterCluster', () => {
  const signal = new AbortController().signal;

  it('forgets a resource that is gone', async () => {
    const api = new FakeApi(undefined);
    const { deps, forgotten } = depsWith(api, new FakeExecutor());
    expect(await reconcileGlusterCluster(deps, KEY, signal)).to.deep.equal({
      statusWritten: false,
      gone: true,
    });
    expect(forgotten).to.deep.equal(['storage/pool']);
  });

  it('reports a missing SSH Secret as Stalled, runs nothing, and waits for the resync', async () => {
    const api = new FakeApi(aCluster());
    const executor = new FakeExecutor();
    const credentials: SshCredentialsSource = {
      load: () =>
        Promise.reject(
          new SshSecretError(
            'SshSecretNotFound',
            'Secret storage/ssh named in spec.ssh.secretRef does not exist',
          ),
        ),
    };
    const { deps, events } = depsWith(api, executor, credentials);
    expect((await reconcileGlusterCluster(deps, KEY, signal)).requeueAfterMs).to.equal(RESYNC_MS);
    expect(executor.calls).to.deep.equal([]);
    expect(events).to.deep.equal(['Warning SshSecretNotFound']);
    const stalled = api.cluster?.status?.conditions?.find(
      (condition) => condition.type === 'Stalled',
    );
    expect(stalled).to.include({ status: 'True', reason: 'SshSecretNotFound' });
    expect(api.cluster?.status?.nodes?.map((node) => node.state)).to.deep.equal([
      'Unknown',
      'Unknown',
    ]);
  });

  it('probes a lone node, follows it, and asks to look again soon while it has not landed', async () => {
    const api = new FakeApi(aCluster());
    const executor = twoLoneNodes().on(
      'n1',
      glusterArgv('peer', 'probe', 'n2'),
      xmlAnswer('probe-success.xml'),
    );
    const { deps, events } = depsWith(api, executor);
    expect(await reconcileGlusterCluster(deps, KEY, signal)).to.deep.equal({
      followUp: true,
      health: { ready: false, nodeStates: ['Connected', 'Pending'] },
      statusWritten: true,
      gone: false,
    });
    expect(
      executor.mutations().map((call) => `${call.node}: ${call.argv.slice(4).join(' ')}`),
    ).to.deep.equal(['n1: peer probe n2']);
    expect(events).to.deep.equal(['Normal Probed']);
    // Reads have a short deadline of their own; a change gets COMMAND_TIMEOUT_MS.
    const probe = executor.calls.findIndex((call) => call.argv.includes('probe'));
    expect(executor.timeoutsMs[probe]).to.equal(deps.commandTimeoutMs);
    expect(new Set(executor.timeoutsMs.filter((_timeout, index) => index !== probe))).to.deep.equal(
      new Set([READ_TIMEOUT_MS]),
    );
  });

  it('when paused, changes nothing and waits for the resync, not the progress requeue', async () => {
    const api = new FakeApi(aCluster({ paused: true }));
    const executor = twoLoneNodes();
    const { deps, events } = depsWith(api, executor);
    expect((await reconcileGlusterCluster(deps, KEY, signal)).requeueAfterMs).to.equal(RESYNC_MS);
    expect(executor.mutations()).to.deep.equal([]);
    expect(events).to.deep.equal([]);
    expect(api.cluster?.status?.nodes?.map((node) => node.state)).to.deep.equal([
      'Connected',
      'Pending',
    ]);
  });

  it("turns a refused probe into a Warning event and a retry, with gluster's reason in status", async () => {
    const api = new FakeApi(aCluster());
    const executor = twoLoneNodes().on(
      'n1',
      glusterArgv('peer', 'probe', 'n2'),
      xmlAnswer('probe-unreachable.xml'),
    );
    const { deps, events } = depsWith(api, executor);
    expect((await reconcileGlusterCluster(deps, KEY, signal)).retry).to.equal(true);
    expect(events).to.deep.equal(['Warning ProbeFailed']);
    const reconciling = api.cluster?.status?.conditions?.find(
      (condition) => condition.type === 'Reconciling',
    );
    expect(reconciling).to.include({ status: 'True', reason: 'ProbeTransportFailed' });
  });

  it('drops a finalizer left from deletionPolicy Dissolve once the policy is Retain', async () => {
    const api = new FakeApi(aCluster({ deletionPolicy: 'Retain' }, { finalizers: [FINALIZER] }));
    const executor = twoLoneNodes().on(
      'n1',
      glusterArgv('peer', 'probe', 'n2'),
      xmlAnswer('probe-success.xml'),
    );
    const { deps } = depsWith(api, executor);
    await reconcileGlusterCluster(deps, KEY, signal);
    expect(api.calls).to.include('removeFinalizer');
    expect(api.calls).not.to.include('addFinalizer');
  });

  it('writes no status when nothing changed', async () => {
    const api = new FakeApi(aCluster({ paused: true }));
    const { deps } = depsWith(api, twoLoneNodes());
    await reconcileGlusterCluster(deps, KEY, signal);
    const writes = api.calls.filter((call) => call === 'replaceStatus').length;
    await reconcileGlusterCluster(deps, KEY, signal);
    expect(api.calls.filter((call) => call === 'replaceStatus').length).to.equal(writes);
  });
});
