import { expect } from 'chai';
import type { GlusterCluster } from '../../../src/api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeSpec } from '../../../src/api/gluster-volume.js';
import { VOLUME_FINALIZER } from '../../../src/api/gluster-volume.js';
import type { ExecutorSource } from '../../../src/controller/executor-cache.js';
import type { VolumeReconcilerDeps } from '../../../src/controller/reconcile-gluster-volume.js';
import { reconcileGlusterVolume } from '../../../src/controller/reconcile-gluster-volume.js';
import type { VolumeCommands } from '../../../src/controller/volume-commands.js';
import type { ObservedVolume } from '../../../src/core/volume/volume-observation.js';
import type { VolumeAction } from '../../../src/core/volume/volume-plan-types.js';
import { NotFoundError } from '../../../src/kube/kube-errors.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { createSilentLogger } from '../../../src/observability/logger.js';
import { FakeExecutor } from '../../support/fake-executor.js';

const KEY = { namespace: 'storage', name: 'data' };
const NODES = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

function aVolume(
  spec: Partial<GlusterVolumeSpec> = {},
  metadata: Partial<GlusterVolume['metadata']> = {},
): GlusterVolume {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterVolume',
    metadata: { ...KEY, uid: 'u1', generation: 1, resourceVersion: '1', ...metadata },
    spec: {
      clusterRef: { name: 'pool' },
      layout: { type: 'Replicate', replica: 3 },
      bricks: NODES.map((node) => ({ node, path: '/bricks/data/brick' })),
      ...spec,
    },
  };
}

function aReadyCluster(): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { namespace: 'storage', name: 'pool', generation: 1, resourceVersion: '1' },
    spec: { nodes: NODES.map((address) => ({ address })), ssh: { secretRef: { name: 'ssh' } } },
    status: {
      connected: 3,
      commandNode: NODES[0],
      nodes: NODES.map((address, index) => ({
        address,
        uuid: `uuid-${index}`,
        state: 'Connected' as const,
        sshReachable: true,
        glusterdRunning: true,
      })),
    },
  } as GlusterCluster;
}

/** A volume as gluster would report it once created from aVolume()'s spec. */
function created(
  state: ObservedVolume['state'],
  options: Record<string, string> = {},
): ObservedVolume {
  return {
    name: 'data',
    id: 'vol-id-1',
    state,
    typeStr: 'Replicate',
    transport: 'tcp',
    replicaCount: 3,
    arbiterCount: 0,
    disperseCount: 0,
    redundancyCount: 0,
    bricks: NODES.map((host, index) => ({
      name: `${host}:/bricks/data/brick`,
      host,
      path: '/bricks/data/brick',
      hostUuid: `uuid-${index}`,
      isArbiter: false,
    })),
    options,
  };
}

/**
 * A pool whose volume changes as the actions run on it, like glusterd: create makes it Created,
 * options are stored, start starts it. Anything else it was not told to expect fails the test.
 */
class FakeVolumeCommands implements VolumeCommands {
  readonly ran: string[] = [];
  volume: ObservedVolume | null = null;
  refuse: Partial<Record<VolumeAction['kind'], Error>> = {};

  readVolume(): Promise<ObservedVolume | null> {
    return Promise.resolve(this.volume);
  }
  readBrickStatus() {
    const bricks = this.volume?.bricks ?? [];
    return Promise.resolve(
      Object.fromEntries(
        bricks.map((brick, index) => [
          brick.name,
          { online: true, port: 49152 + index, pid: 100 + index, freeBytes: 10, totalBytes: 20 },
        ]),
      ),
    );
  }
  readHeal() {
    const bricks = this.volume?.bricks ?? [];
    return Promise.resolve(
      Object.fromEntries(
        bricks.map((brick) => [
          brick.name,
          { pending: 0, splitBrain: 0, possiblyHealing: 0, connected: true },
        ]),
      ),
    );
  }
  readRebalance() {
    return Promise.reject(new Error('not expected: a volume of one set has no rebalance'));
  }
  readRemoveBrick() {
    return Promise.resolve({
      state: 'not started',
      filesMoved: 0,
      bytesMoved: 0,
      filesScanned: 0,
      failures: 0,
      skipped: 0,
      runtimeSeconds: 0,
      bricks: [],
    });
  }
  run(node: string, _volume: string, action: Exclude<VolumeAction, { kind: 'removeFinalizer' }>) {
    this.ran.push(`${node} ${action.kind}`);
    const refusal = this.refuse[action.kind];
    if (refusal) return Promise.reject(refusal);
    switch (action.kind) {
      case 'create':
        this.volume = created('Created');
        break;
      case 'setOptions':
        if (this.volume) {
          this.volume = {
            ...this.volume,
            options: { ...this.volume.options, ...Object.fromEntries(action.options) },
          };
        }
        break;
      case 'start':
        if (this.volume) this.volume = { ...this.volume, state: 'Started' };
        break;
      case 'stop':
        if (this.volume) this.volume = { ...this.volume, state: 'Stopped' };
        break;
      case 'delete':
        this.volume = null;
        break;
      case 'resetOption':
      case 'addBricks':
      case 'rebalanceStart':
      case 'replaceBrick':
      case 'removeBricksStart':
      case 'removeBricksCommit':
        return Promise.reject(new Error(`not expected: ${action.kind}`));
    }
    return Promise.resolve();
  }
}

/** glusterd's refusal of `volume create` on the command node, with `reason`. */
function createRefusal(reason: GlusterReason, opErrstr: string): GlusterOperationError {
  return new GlusterOperationError('volume create', NODES[0]!, reason, {
    output: { opRet: -1, opErrno: 0, opErrstr, output: '', root: {} },
    result: {
      command: 'gluster volume create',
      argv: [],
      node: NODES[0]!,
      exitCode: 0,
      stdout: '',
      stderr: '',
      durationMs: 1,
    },
  });
}

class FakeVolumeApi {
  readonly calls: string[] = [];
  constructor(public volume: GlusterVolume | undefined) {}
  /** The object as stored now (unnarrowed, for assertions after the test set it). */
  stored(): GlusterVolume | undefined {
    return this.volume;
  }
  get(): Promise<GlusterVolume> {
    this.calls.push('get');
    return this.volume
      ? Promise.resolve(this.volume)
      : Promise.reject(new NotFoundError('gone', { cause: undefined, code: 404 }));
  }
  replaceStatus(volume: GlusterVolume): Promise<GlusterVolume> {
    this.calls.push('replaceStatus');
    this.volume = {
      ...volume,
      metadata: {
        ...volume.metadata,
        resourceVersion: String(Number(volume.metadata.resourceVersion) + 1),
      },
    };
    return Promise.resolve(this.volume);
  }
  addFinalizer(): Promise<GlusterVolume> {
    this.calls.push('addFinalizer');
    if (!this.volume) return Promise.reject(new Error('no object'));
    this.volume = {
      ...this.volume,
      metadata: { ...this.volume.metadata, finalizers: [VOLUME_FINALIZER] },
    };
    return Promise.resolve(this.volume);
  }
  removeFinalizer(): Promise<GlusterVolume> {
    this.calls.push('removeFinalizer');
    if (!this.volume) return Promise.reject(new Error('no object'));
    this.volume = { ...this.volume, metadata: { ...this.volume.metadata, finalizers: [] } };
    return Promise.resolve(this.volume);
  }
}

function depsWith(
  api: FakeVolumeApi,
  commands: FakeVolumeCommands,
  cluster: GlusterCluster | undefined,
) {
  const events: string[] = [];
  const executors: ExecutorSource = {
    executorFor: () => Promise.resolve(new FakeExecutor()),
    forget: () => Promise.resolve(),
  };
  const deps: VolumeReconcilerDeps = {
    api,
    clusters: {
      get: () =>
        cluster
          ? Promise.resolve(cluster)
          : Promise.reject(new NotFoundError('gone', { cause: undefined, code: 404 })),
    },
    credentials: {
      load: () => Promise.resolve({ privateKey: 'k', knownHosts: 'h', version: '1' }),
    },
    executors,
    commandsFor: () => commands,
    events: {
      record: (_object, event) => {
        events.push(`${event.type} ${event.reason}`);
        return Promise.resolve();
      },
    },
    logger: createSilentLogger(),
    now: () => new Date('2026-12-06T10:00:00Z'),
    glusterTimeoutSeconds: 30,
    commandTimeoutMs: 60_000,
    readTimeoutMs: 4_000,
    defaultResyncMs: 300_000,
  };
  return { deps, events };
}

const condition = (volume: GlusterVolume | undefined, type: string) =>
  volume?.status?.conditions?.find((c) => c.type === type);

describe('reconcileGlusterVolume', () => {
  const signal = new AbortController().signal;

  it('creates, sets the options of and starts a declared volume in one pass, and reports it Ready', async () => {
    const api = new FakeVolumeApi(aVolume({ options: { 'performance.cache-size': '64MB' } }));
    const commands = new FakeVolumeCommands();
    const { deps, events } = depsWith(api, commands, aReadyCluster());
    const result = await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([
      `${NODES[0]} create`,
      `${NODES[0]} setOptions`,
      `${NODES[0]} start`,
    ]);
    expect(events).to.deep.equal(['Normal Creating', 'Normal SettingOptions', 'Normal Starting']);
    expect(api.volume?.status).to.include({
      state: 'Started',
      volumeId: 'vol-id-1',
      bricksOnline: '3/3',
    });
    expect(condition(api.volume, 'Ready')?.status).to.equal('True');
    expect(result.requeueAfterMs).to.equal(300_000);
  });

  it("says what gluster's replica 2 prompt would have said, in a Warning, and creates as spec asks", async () => {
    const api = new FakeVolumeApi(
      aVolume({
        layout: { type: 'Replicate', replica: 2 },
        bricks: NODES.slice(0, 2).map((node) => ({ node, path: '/bricks/data/brick' })),
      }),
    );
    const commands = new FakeVolumeCommands();
    const { deps, events } = depsWith(api, commands, aReadyCluster());
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(events[0]).to.equal('Warning SplitBrainProne');
    expect(commands.ran[0]).to.equal(`${NODES[0]} create`);
  });

  it('warns of no split-brain risk for replica 3', async () => {
    const api = new FakeVolumeApi(aVolume());
    const { deps, events } = depsWith(api, new FakeVolumeCommands(), aReadyCluster());
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(events).not.to.include('Warning SplitBrainProne');
  });

  it("reads a running volume's status and tasks one at a time (glusterd holds the volume's lock for each)", async () => {
    const api = new FakeVolumeApi(aVolume());
    api.volume = { ...api.volume!, status: { volumeId: 'vol-id-1', state: 'Started' } };
    const commands = new FakeVolumeCommands();
    commands.volume = created('Started');
    let reading = 0;
    let mostAtOnce = 0;
    const locked =
      <T>(read: () => Promise<T>) =>
      async (): Promise<T> => {
        reading++;
        mostAtOnce = Math.max(mostAtOnce, reading);
        await new Promise((resolve) => setTimeout(resolve, 5));
        reading--;
        return read();
      };
    commands.readBrickStatus = locked(commands.readBrickStatus.bind(commands));
    commands.readRemoveBrick = locked(commands.readRemoveBrick.bind(commands));
    const { deps } = depsWith(api, commands, aReadyCluster());
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(mostAtOnce).to.equal(1);
    expect(condition(api.stored(), 'Ready')?.status).to.equal('True');
  });

  it('looks again soon, not at the resync, when a read of a running volume failed', async () => {
    const api = new FakeVolumeApi(aVolume());
    api.volume = { ...api.volume!, status: { volumeId: 'vol-id-1', state: 'Started' } };
    const commands = new FakeVolumeCommands();
    commands.volume = created('Started');
    commands.readBrickStatus = () =>
      Promise.reject(new Error('Another transaction is in progress for data'));
    const { deps } = depsWith(api, commands, aReadyCluster());
    const result = await reconcileGlusterVolume(deps, KEY, signal);
    expect(result.followUp).to.equal(true);
    expect(commands.ran).to.deep.equal([]);
  });

  it('makes no change and writes no new status on the pass after', async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const { deps } = depsWith(api, commands, aReadyCluster());
    await reconcileGlusterVolume(deps, KEY, signal);
    const ran = commands.ran.length;
    const writes = api.calls.filter((call) => call === 'replaceStatus').length;
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.have.length(ran);
    expect(api.calls.filter((call) => call === 'replaceStatus')).to.have.length(writes);
  });

  it("reports glusterd's refusal of the create with its reason, stops the batch, and waits for a person", async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const opErrstr =
      'The brick 10.0.0.1:/bricks/data/brick is being created in the root partition.';
    commands.refuse.create = createRefusal('BrickOnRootFilesystem', opErrstr);
    const { deps, events } = depsWith(api, commands, aReadyCluster());
    const result = await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([`${NODES[0]} create`]);
    expect(events).to.deep.equal(['Warning CreatingFailed']);
    // Waiting cannot fix it: no retry every few seconds, Stalled says a person must act.
    expect(result.retry).to.equal(undefined);
    expect(result.requeueAfterMs).to.equal(300_000);
    expect(condition(api.volume, 'Stalled')).to.include({
      status: 'True',
      reason: 'BrickOnRootFilesystem',
    });
    expect(condition(api.volume, 'Ready')?.status).to.equal('False');
    expect(JSON.stringify(api.volume?.status?.conditions)).to.include('root partition');
  });

  it('retries a refusal that waiting can fix (another transaction held the lock)', async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const opErrstr =
      'Another transaction is in progress for data. Please try again after some time.';
    commands.refuse.create = createRefusal('TransactionInProgress', opErrstr);
    const { deps } = depsWith(api, commands, aReadyCluster());
    expect((await reconcileGlusterVolume(deps, KEY, signal)).retry).to.equal(true);
    expect(condition(api.stored(), 'Stalled')?.status).to.equal('False');
  });

  it('stops a started volume alone: the options first, the stop in a pass of its own', async () => {
    const api = new FakeVolumeApi(
      aVolume(
        { state: 'Stopped', options: { 'performance.cache-size': '64MB' } },
        { generation: 2 },
      ),
    );
    const commands = new FakeVolumeCommands();
    commands.volume = created('Started');
    api.volume = { ...api.volume!, status: { volumeId: 'vol-id-1', state: 'Started' } };
    const { deps } = depsWith(api, commands, aReadyCluster());
    const first = await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([`${NODES[0]} setOptions`]);
    expect(first.requeueAfterMs).to.equal(0);
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([`${NODES[0]} setOptions`, `${NODES[0]} stop`]);
    expect(api.stored()?.status?.state).to.equal('Stopped');
  });

  it('says the GlusterCluster is missing, runs nothing, and waits for the resync', async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const { deps } = depsWith(api, commands, undefined);
    const result = await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([]);
    expect(condition(api.volume, 'Stalled')).to.include({
      status: 'True',
      reason: 'ClusterNotFound',
    });
    expect(result.requeueAfterMs).to.equal(300_000);
  });

  it('asks nothing and changes nothing while no member of the pool is connected', async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const cluster = aReadyCluster();
    const down = {
      ...cluster,
      status: {
        ...cluster.status!,
        nodes: cluster.status!.nodes!.map((node) => ({ ...node, state: 'Unreachable' as const })),
      },
    } as GlusterCluster;
    const { deps } = depsWith(api, commands, down);
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(commands.ran).to.deep.equal([]);
    expect(condition(api.volume, 'Ready')?.status).to.equal('False');
  });

  it('keeps a finalizer only for deletionPolicy Delete, and on deletion stops then deletes the definition', async () => {
    const api = new FakeVolumeApi(aVolume({ deletionPolicy: 'Delete' }));
    const commands = new FakeVolumeCommands();
    const { deps } = depsWith(api, commands, aReadyCluster());
    await reconcileGlusterVolume(deps, KEY, signal);
    expect(api.volume?.metadata.finalizers).to.deep.equal([VOLUME_FINALIZER]);
    api.volume = {
      ...api.volume!,
      metadata: { ...api.volume!.metadata, deletionTimestamp: '2026-12-06T10:00:00Z' },
    };
    commands.ran.length = 0;
    for (let pass = 0; pass < 4 && api.stored()?.metadata.finalizers?.length; pass++) {
      await reconcileGlusterVolume(deps, KEY, signal);
    }
    expect(commands.ran).to.deep.equal([`${NODES[0]} stop`, `${NODES[0]} delete`]);
    expect(api.stored()?.metadata.finalizers).to.deep.equal([]);
    expect(commands.volume).to.equal(null);
  });

  it('lets a resource with deletionPolicy Retain go at once, leaving the volume as it is', async () => {
    const api = new FakeVolumeApi(aVolume({}, { deletionTimestamp: '2026-12-06T10:00:00Z' }));
    const commands = new FakeVolumeCommands();
    commands.volume = created('Started');
    const { deps } = depsWith(api, commands, aReadyCluster());
    expect((await reconcileGlusterVolume(deps, KEY, signal)).gone).to.equal(true);
    expect(commands.ran).to.deep.equal([]);
    expect((commands.volume as ObservedVolume | null)?.state).to.equal('Started');
  });

  it('writes nothing and acts on nothing when the pass was stopped before acting', async () => {
    const api = new FakeVolumeApi(aVolume());
    const commands = new FakeVolumeCommands();
    const { deps } = depsWith(api, commands, aReadyCluster());
    const stopped = new AbortController();
    stopped.abort();
    const error = await reconcileGlusterVolume(deps, KEY, stopped.signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect(commands.ran).to.deep.equal([]);
    expect(api.calls).not.to.include('replaceStatus');
  });
});
