import { expect } from 'chai';
import type {
  GlusterCluster,
  GlusterClusterStatus,
  NodeStatus,
} from '../../../src/api/gluster-cluster.js';
import type { GlusterClusterApi } from '../../../src/kube/gluster-cluster-api.js';
import { ConflictError, KubeApiError, NotFoundError } from '../../../src/kube/kube-errors.js';
import { writeStatusIfChanged } from '../../../src/kube/status-writer.js';
import { rejection } from '../../support/rejection.js';

const KEY = { namespace: 'storage', name: 'pool-a' };

function aCluster(
  resourceVersion: string,
  options: { status?: GlusterClusterStatus; nodes?: readonly string[] } = {},
): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { ...KEY, resourceVersion, generation: 3 },
    spec: {
      nodes: (options.nodes ?? ['n1', 'n2']).map((address) => ({ address })),
      ssh: { secretRef: { name: 'ssh' } },
    },
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

function aNode(address: string, overrides: Partial<NodeStatus> = {}): NodeStatus {
  return { address, state: 'Connected', sshReachable: true, glusterdRunning: true, ...overrides };
}

const READY: GlusterClusterStatus = {
  observedGeneration: 3,
  members: 2,
  connected: 2,
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      observedGeneration: 3,
      lastTransitionTime: '2026-11-22T03:00:00Z',
      reason: 'PoolReady',
      message: 'Every node is in the pool and connected',
    },
  ],
  nodes: [aNode('n1'), aNode('n2')],
};

function conflict(): ConflictError {
  return new ConflictError('Failed to replace status: 409 Conflict', {
    cause: undefined,
    code: 409,
    reason: 'Conflict',
  });
}

/** The same object with its keys in reverse order. */
function reverseKeys<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).reverse()) as T;
}

type Answer<T> = T | Error;

/**
 * get and replaceStatus answer from scripts, in turn; every call is recorded; anything not
 * scripted (another method, one call too many) throws, so a test never passes by accident.
 */
class FakeStatusApi implements GlusterClusterApi {
  readonly calls: { method: string; body?: GlusterCluster }[] = [];
  private readonly gets: Answer<GlusterCluster>[] = [];
  private readonly writes: Answer<GlusterCluster | 'echo'>[] = [];

  onGet(...answers: Answer<GlusterCluster>[]): this {
    this.gets.push(...answers);
    return this;
  }

  /** 'echo' answers with the body, its resourceVersion bumped, as the API server would. */
  onReplaceStatus(...answers: Answer<GlusterCluster | 'echo'>[]): this {
    this.writes.push(...answers);
    return this;
  }

  get(namespace: string, name: string): Promise<GlusterCluster> {
    this.calls.push({ method: 'get' });
    expect({ namespace, name }).to.deep.equal(KEY);
    return answer('get', this.gets.shift());
  }

  replaceStatus(cluster: GlusterCluster): Promise<GlusterCluster> {
    this.calls.push({ method: 'replaceStatus', body: cluster });
    const next = this.writes.shift();
    if (next === 'echo') {
      const resourceVersion = String(Number(cluster.metadata.resourceVersion) + 1);
      return Promise.resolve({ ...cluster, metadata: { ...cluster.metadata, resourceVersion } });
    }
    return answer('replaceStatus', next);
  }

  list(): never {
    throw new Error('FakeStatusApi: unexpected call to list');
  }

  watch(): never {
    throw new Error('FakeStatusApi: unexpected call to watch');
  }

  addFinalizer(): never {
    throw new Error('FakeStatusApi: unexpected call to addFinalizer');
  }

  removeFinalizer(): never {
    throw new Error('FakeStatusApi: unexpected call to removeFinalizer');
  }

  methods(): string[] {
    return this.calls.map((call) => call.method);
  }

  /** The bodies sent to replaceStatus. */
  writesSent(): GlusterCluster[] {
    return this.calls.flatMap((call) => (call.body === undefined ? [] : [call.body]));
  }
}

function answer<T>(method: string, next: Answer<T> | undefined): Promise<T> {
  if (next === undefined) {
    return Promise.reject(new Error(`FakeStatusApi: unexpected call to ${method}`));
  }
  return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
}

describe('writeStatusIfChanged', () => {
  describe('skips the write when the status would not change', () => {
    const cases: readonly {
      name: string;
      stored: GlusterClusterStatus | undefined;
      computed: GlusterClusterStatus;
    }[] = [
      { name: 'the same status', stored: READY, computed: READY },
      {
        name: 'the same status with its keys in another order',
        stored: READY,
        computed: reverseKeys({
          ...READY,
          nodes: READY.nodes!.map(reverseKeys),
          conditions: READY.conditions!.map(reverseKeys),
        }),
      },
      {
        name: 'properties set to undefined (which JSON drops) and the stored status lacks',
        stored: { observedGeneration: 3 },
        computed: {
          observedGeneration: 3,
          commandNode: undefined,
        } as unknown as GlusterClusterStatus,
      },
      { name: 'an empty status on an object that has none', stored: undefined, computed: {} },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const stored = aCluster('7', tc.stored === undefined ? {} : { status: tc.stored });
        const api = new FakeStatusApi().onGet(stored);
        const result = await writeStatusIfChanged(api, KEY, () => tc.computed);
        expect(result).to.deep.equal({ written: false, cluster: stored, conflicts: 0 });
        expect(api.methods()).to.deep.equal(['get']);
      });
    }
  });

  describe('writes when anything at all differs', () => {
    const cases: readonly { name: string; computed: GlusterClusterStatus }[] = [
      { name: 'a new observedGeneration', computed: { ...READY, observedGeneration: 4 } },
      {
        name: 'only a lastTransitionTime',
        computed: {
          ...READY,
          conditions: [{ ...READY.conditions![0]!, lastTransitionTime: '2026-11-22T03:00:01Z' }],
        },
      },
      {
        name: 'a node state deep in the list',
        computed: { ...READY, nodes: [aNode('n1'), aNode('n2', { state: 'Disconnected' })] },
      },
      { name: 'nodes in another order', computed: { ...READY, nodes: [aNode('n2'), aNode('n1')] } },
      { name: 'a property the stored status lacks', computed: { ...READY, opVersion: 100000 } },
      {
        name: 'a property removed',
        computed: { ...READY, members: undefined } as unknown as GlusterClusterStatus,
      },
      { name: 'an empty list for a missing one', computed: { ...READY, nodes: [] } },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const api = new FakeStatusApi()
          .onGet(aCluster('7', { status: READY }))
          .onReplaceStatus('echo');
        const result = await writeStatusIfChanged(api, KEY, () => tc.computed);
        expect(result.written).to.equal(true);
        expect(api.methods()).to.deep.equal(['get', 'replaceStatus']);
      });
    }
  });

  it('sends the object as read with the new status and its resourceVersion, and returns what was stored', async () => {
    const stored = aCluster('7', { status: READY });
    const computed: GlusterClusterStatus = { ...READY, connected: 1 };
    const api = new FakeStatusApi().onGet(stored).onReplaceStatus('echo');
    const result = await writeStatusIfChanged(api, KEY, () => computed);
    expect(api.writesSent()).to.deep.equal([{ ...stored, status: computed }]);
    expect(result).to.deep.equal({
      written: true,
      conflicts: 0,
      cluster: {
        ...stored,
        metadata: { ...stored.metadata, resourceVersion: '8' },
        status: computed,
      },
    });
  });

  it('computes from the object as read', async () => {
    const stored = aCluster('7', { status: READY });
    const seen: GlusterCluster[] = [];
    const api = new FakeStatusApi().onGet(stored);
    await writeStatusIfChanged(api, KEY, (current) => {
      seen.push(current);
      return READY;
    });
    expect(seen).to.deep.equal([stored]);
  });

  it('on a conflict reads again, recomputes from the fresh object and writes with its resourceVersion', async () => {
    const first = aCluster('7', { status: READY });
    // Someone changed spec meanwhile: a third node.
    const fresh = aCluster('9', { status: READY, nodes: ['n1', 'n2', 'n3'] });
    const api = new FakeStatusApi().onGet(first, fresh).onReplaceStatus(conflict(), 'echo');
    const compute = (current: GlusterCluster): GlusterClusterStatus => ({
      ...READY,
      observedGeneration: 4,
      nodes: current.spec.nodes!.map((node) => aNode(node.address)),
    });
    const result = await writeStatusIfChanged(api, KEY, compute);
    expect(api.methods()).to.deep.equal(['get', 'replaceStatus', 'get', 'replaceStatus']);
    const [stale, retried] = api.writesSent();
    expect(stale!.metadata.resourceVersion).to.equal('7');
    expect(retried!.metadata.resourceVersion).to.equal('9');
    expect(retried!.status?.nodes?.map((node) => node.address)).to.deep.equal(['n1', 'n2', 'n3']);
    expect(result.written).to.equal(true);
    expect(result.conflicts).to.equal(1);
    expect(result.cluster.metadata.resourceVersion).to.equal('10');
  });

  it('after a conflict, writes nothing when the fresh object already has the status', async () => {
    const changed: GlusterClusterStatus = { ...READY, connected: 1 };
    const api = new FakeStatusApi()
      .onGet(aCluster('7', { status: READY }), aCluster('8', { status: changed }))
      .onReplaceStatus(conflict());
    const result = await writeStatusIfChanged(api, KEY, () => changed);
    expect(api.methods()).to.deep.equal(['get', 'replaceStatus', 'get']);
    expect(result.written).to.equal(false);
    expect(result.conflicts).to.equal(1);
  });

  it('gives up after five conflicting writes with a ConflictError caused by the last one', async () => {
    const conflicts = [conflict(), conflict(), conflict(), conflict(), conflict()];
    const api = new FakeStatusApi()
      .onGet(...['1', '2', '3', '4', '5'].map((rv) => aCluster(rv, { status: READY })))
      .onReplaceStatus(...conflicts);
    const error = await rejection(
      writeStatusIfChanged(api, KEY, () => ({ ...READY, connected: 0 })),
    );
    expect(error).to.be.instanceOf(ConflictError);
    expect(error.message).to.equal(
      'Failed to write the status of GlusterCluster storage/pool-a: 5 writes in a row met a newer version',
    );
    expect(error.cause).to.equal(conflicts[4]);
    expect((error as ConflictError).code).to.equal(409);
    expect(api.methods().filter((method) => method === 'replaceStatus')).to.have.length(5);
  });

  it('takes the number of attempts from its options', async () => {
    const api = new FakeStatusApi()
      .onGet(aCluster('1', { status: READY }), aCluster('2', { status: READY }))
      .onReplaceStatus(conflict(), conflict());
    const error = await rejection(
      writeStatusIfChanged(api, KEY, () => ({ ...READY, connected: 0 }), { maxAttempts: 2 }),
    );
    expect(error).to.be.instanceOf(ConflictError);
    expect(api.methods()).to.deep.equal(['get', 'replaceStatus', 'get', 'replaceStatus']);
  });

  describe('lets any other failure through at once, without retrying', () => {
    const notFound = new NotFoundError('404', { cause: undefined, code: 404 });
    const serverError = new KubeApiError('500', { cause: undefined, code: 500 });
    const cases: readonly {
      name: string;
      script: (api: FakeStatusApi) => FakeStatusApi;
      error: Error;
      methods: readonly string[];
    }[] = [
      {
        name: 'the object is gone when read',
        script: (api) => api.onGet(notFound),
        error: notFound,
        methods: ['get'],
      },
      {
        name: 'the object went away before the write',
        script: (api) => api.onGet(aCluster('7')).onReplaceStatus(notFound),
        error: notFound,
        methods: ['get', 'replaceStatus'],
      },
      {
        name: 'the API server failed the write',
        script: (api) => api.onGet(aCluster('7')).onReplaceStatus(serverError),
        error: serverError,
        methods: ['get', 'replaceStatus'],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const api = tc.script(new FakeStatusApi());
        const error = await rejection(writeStatusIfChanged(api, KEY, () => READY));
        expect(error).to.equal(tc.error);
        expect(api.methods()).to.deep.equal(tc.methods);
      });
    }
  });
});
