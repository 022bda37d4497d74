import { expect } from 'chai';
import type { GlusterCluster, GlusterClusterSpec } from '../../../src/api/gluster-cluster.js';
import { FINALIZER } from '../../../src/api/gluster-cluster.js';
import { EventsRegistrar } from '../../../src/controller/events/events-registrar.js';
import type { ExecutorSource } from '../../../src/controller/executor-cache.js';
import type {
  EventSink,
  ReconcilerDeps,
} from '../../../src/controller/reconcile-gluster-cluster.js';
import {
  ClusterFacts,
  reconcileGlusterCluster,
} from '../../../src/controller/reconcile-gluster-cluster.js';
import { STORE_READ_ARGV } from '../../../src/gluster/glusterd-store.js';
import { tableResolver } from '../../../src/gluster/host-identity.js';
import { SshConnectError } from '../../../src/exec/exec-errors.js';
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

/** What the store read prints for a node with this UUID, peer files and volumes. */
function storeAnswer(
  uuid: string,
  { peers = [] as string[], vols = [] as string[], listening = 1 } = {},
): { stdout: string } {
  return {
    stdout: [
      '--info',
      `UUID=${uuid}`,
      'operating-version=100000',
      '--peers',
      ...peers,
      '--vols',
      ...vols,
      '--listening',
      String(listening),
      '',
    ].join('\n'),
  };
}

const LONE_XML = fixture('pool-list-lone.xml');
const FIXTURE_UUID = /<uuid>([^<]+)<\/uuid>/.exec(LONE_XML)?.[1] ?? '';
/** Each fake node's own glusterd UUID. */
const uuidOf = (index: number): string => `${FIXTURE_UUID.slice(0, -1)}${index}`;

/**
 * Two lone glusterd nodes, as the fixtures captured them (each with a UUID of its own). Their
 * store cannot be read (as through a restricted shell) unless `storeReadable`: then it says lone.
 */
function twoLoneNodes({ storeReadable = false } = {}): FakeExecutor {
  const executor = new FakeExecutor();
  for (const [index, node] of ['n1', 'n2'].entries()) {
    const ownUuid = uuidOf(index);
    executor
      .on(
        node,
        STORE_READ_ARGV,
        storeReadable ? storeAnswer(ownUuid) : { exitCode: 126, stderr: 'restricted' },
      )
      .on(node, glusterArgv('pool', 'list'), { stdout: LONE_XML.replace(FIXTURE_UUID, ownUuid) })
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

  it('a missing SSH Secret with events on: EventsDelivery False saying no node was asked (the resync is not shortened: a poll could not ask them either)', async () => {
    const api = new FakeApi(aCluster({ events: { enabled: true } }));
    const executor = new FakeExecutor();
    const why = 'Secret storage/ssh named in spec.ssh.secretRef does not exist';
    const credentials: SshCredentialsSource = {
      load: () => Promise.reject(new SshSecretError('SshSecretNotFound', why)),
    };
    const { deps } = depsWith(api, executor, credentials);
    const registrar = new EventsRegistrar({
      defaultUrl: 'http://192.0.2.10:30890',
      tokens: { tokenFor: () => Promise.resolve('t'.repeat(43)) },
      router: {
        setPool: () => undefined,
        lastEventMs: () => undefined,
        lastRefusedMs: () => undefined,
      },
      logger: createSilentLogger(),
      now: deps.now,
    });
    const router = {
      peerReportsAfter: () => [],
      settlePeers: () => undefined,
      notePassWrote: () => undefined,
      forget: () => undefined,
    };
    const withEvents = { ...deps, glusterdEvents: { registrar, router, fallbackResyncMs: 30_000 } };
    expect((await reconcileGlusterCluster(withEvents, KEY, signal)).requeueAfterMs).to.equal(
      RESYNC_MS,
    );
    expect(executor.calls).to.deep.equal([]);
    const delivery = api.cluster?.status?.conditions?.find(
      (condition) => condition.type === 'EventsDelivery',
    );
    expect(delivery).to.include({ status: 'False', reason: 'NodeUnreachable' });
    expect(delivery?.message).to.contain(
      `n1: not asked this pass, so its registration cannot be checked: ${why}`,
    );
    expect(api.cluster?.status?.events).to.include({ registered: 0, nodes: 2 });
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

  describe('asking probably-lone nodes their glusterd store first', () => {
    const verbs = (executor: FakeExecutor) =>
      executor.calls.map(
        (call) =>
          `${call.node}: ${call.argv[0] === 'sh' ? 'store read' : call.argv.slice(4).join(' ')}`,
      );

    it('probes lone nodes the store vouches for without a CLI read first; status comes from the pool lists after', async () => {
      const api = new FakeApi(aCluster());
      const executor = twoLoneNodes({ storeReadable: true }).on(
        'n1',
        glusterArgv('peer', 'probe', 'n2'),
        xmlAnswer('probe-success.xml'),
      );
      const { deps } = depsWith(api, executor);
      await reconcileGlusterCluster(deps, KEY, signal);
      expect(verbs(executor)).to.deep.equal([
        'n1: store read',
        'n2: store read',
        'n1: peer probe n2',
        'n1: pool list',
        'n2: pool list',
      ]);
      expect(api.cluster?.status?.nodes?.map((node) => node.uuid)).to.deep.equal([
        uuidOf(0),
        uuidOf(1),
      ]);
    });

    it('decides nothing but a probe on a store read: with nothing to probe it asks glusterd before the status', async () => {
      const api = new FakeApi(aCluster({ nodes: [{ address: 'n1' }] }));
      const executor = twoLoneNodes({ storeReadable: true });
      const { deps } = depsWith(api, executor);
      expect((await reconcileGlusterCluster(deps, KEY, signal)).requeueAfterMs).to.equal(RESYNC_MS);
      expect(verbs(executor).slice(0, 2)).to.deep.equal(['n1: store read', 'n1: pool list']);
      expect(api.cluster?.status?.nodes?.map((node) => node.state)).to.deep.equal(['Connected']);
    });

    it('asks glusterd when every probe failed, so the status is not the store read', async () => {
      const api = new FakeApi(aCluster());
      const executor = twoLoneNodes({ storeReadable: true }).on(
        'n1',
        glusterArgv('peer', 'probe', 'n2'),
        xmlAnswer('probe-unreachable.xml'),
      );
      const { deps } = depsWith(api, executor);
      expect((await reconcileGlusterCluster(deps, KEY, signal)).retry).to.equal(true);
      expect(verbs(executor).slice(-2)).to.deep.equal(['n1: pool list', 'n2: pool list']);
    });

    for (const [what, answer] of [
      ['peer files', storeAnswer(uuidOf(1), { peers: [uuidOf(7)] })],
      ['volumes', storeAnswer(uuidOf(1), { vols: ['data'] })],
      ['glusterd not listening', storeAnswer(uuidOf(1), { listening: 0 })],
      ['an unreadable answer', { stdout: 'UUID=x\n' }],
      ['a failed read', { exitCode: 3 }],
    ] as const) {
      it(`asks the CLI when the store shows ${what}`, async () => {
        const api = new FakeApi(aCluster());
        const executor = twoLoneNodes({ storeReadable: true })
          .on('n2', STORE_READ_ARGV, answer)
          .on('n1', glusterArgv('peer', 'probe', 'n2'), xmlAnswer('probe-success.xml'));
        const { deps } = depsWith(api, executor);
        await reconcileGlusterCluster(deps, KEY, signal);
        expect(verbs(executor).slice(0, 3)).to.have.members([
          'n1: store read',
          'n2: store read',
          'n2: pool list',
        ]);
      });
    }

    it('reports a node it cannot reach as that failure at once, without a second try through the CLI', async () => {
      const api = new FakeApi(
        aCluster({ nodes: [{ address: 'n1' }, { address: 'n2' }, { address: 'n3' }] }),
      );
      const unreachable = { error: new SshConnectError('connect ECONNREFUSED n3:22', 'n3') };
      const executor = twoLoneNodes({ storeReadable: true })
        .on('n3', STORE_READ_ARGV, unreachable)
        .on('n3', glusterArgv('pool', 'list'), unreachable)
        .on('n1', glusterArgv('peer', 'probe', 'n2'), xmlAnswer('probe-success.xml'));
      const { deps } = depsWith(api, executor);
      await reconcileGlusterCluster(deps, KEY, signal);
      const calls = verbs(executor);
      expect(calls.slice(0, calls.indexOf('n1: peer probe n2'))).to.have.members([
        'n1: store read',
        'n2: store read',
        'n3: store read',
      ]);
      expect(executor.mutations()).to.have.length(1);
      expect(api.cluster?.status?.nodes?.find((node) => node.address === 'n3')?.state).to.equal(
        'Unreachable',
      );
    });

    it('never reads the store through sudo (a least-privilege rule allows the gluster CLI only)', async () => {
      const api = new FakeApi(aCluster({ ssh: { secretRef: { name: 'ssh' }, sudo: true } }));
      const executor = twoLoneNodes({ storeReadable: true }).on(
        'n1',
        glusterArgv('peer', 'probe', 'n2'),
        xmlAnswer('probe-success.xml'),
      );
      const { deps } = depsWith(api, executor);
      await reconcileGlusterCluster(deps, KEY, signal);
      expect(verbs(executor)).not.to.include('n1: store read');
      expect(executor.mutations()).to.have.length(1);
    });
  });
});
