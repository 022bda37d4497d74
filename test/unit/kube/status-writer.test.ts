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
  options: {
    status?: GlusterClusterStatus;
    nodes?: readonly string[];
    generation?: number;
    labels?: Record<string, string>;
  } = {},
): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: {
      ...KEY,
      resourceVersion,
      generation: options.generation ?? 3,
      ...(options.labels === undefined ? {} : { labels: options.labels }),
    },
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
  describe('sends nothing when the status would not change', () => {
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
        const snapshot = aCluster('7', tc.stored === undefined ? {} : { status: tc.stored });
        // Nothing scripted: any call at all fails the test.
        const api = new FakeStatusApi();
        const result = await writeStatusIfChanged(api, snapshot, tc.computed);
        expect(result).to.deep.equal({ outcome: 'unchanged', conflicts: 0 });
        expect(api.methods()).to.deep.equal([]);
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
        const api = new FakeStatusApi().onReplaceStatus('echo');
        const result = await writeStatusIfChanged(
          api,
          aCluster('7', { status: READY }),
          tc.computed,
        );
        expect(result).to.deep.equal({ outcome: 'written', conflicts: 0 });
        expect(api.methods()).to.deep.equal(['replaceStatus']);
      });
    }
  });

  it('writes the snapshot as the pass read it, with the new status and its resourceVersion, without reading first', async () => {
    const snapshot = aCluster('7', { status: READY });
    const before = structuredClone(snapshot);
    const computed: GlusterClusterStatus = { ...READY, connected: 1 };
    const api = new FakeStatusApi().onReplaceStatus('echo');
    const result = await writeStatusIfChanged(api, snapshot, computed);
    expect(result).to.deep.equal({ outcome: 'written', conflicts: 0 });
    expect(api.methods()).to.deep.equal(['replaceStatus']);
    expect(api.writesSent()).to.deep.equal([{ ...before, status: computed }]);
    expect(snapshot, 'the snapshot itself is left as it was').to.deep.equal(before);
  });

  describe('on a conflict with no spec edit (same generation), writes the same status on the fresh object', () => {
    const computed: GlusterClusterStatus = { ...READY, connected: 1 };
    const cases: readonly { name: string; fresh: GlusterCluster }[] = [
      {
        name: 'someone added a label',
        fresh: aCluster('8', { status: READY, labels: { team: 'storage' } }),
      },
      {
        name: 'another writer changed the status',
        fresh: aCluster('8', { status: { ...READY, connected: 0 } }),
      },
      {
        name: 'the status was cleared',
        fresh: aCluster('8'),
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const snapshot = aCluster('7', { status: READY });
        const api = new FakeStatusApi().onReplaceStatus(conflict(), 'echo').onGet(tc.fresh);
        const result = await writeStatusIfChanged(api, snapshot, computed);
        expect(result).to.deep.equal({ outcome: 'written', conflicts: 1 });
        expect(api.methods()).to.deep.equal(['replaceStatus', 'get', 'replaceStatus']);
        expect(api.writesSent()).to.deep.equal([
          { ...snapshot, status: computed },
          // The fresh metadata (its resourceVersion, its label) with the status as computed.
          { ...tc.fresh, status: computed },
        ]);
      });
    }
  });

  describe('on a conflict, gives up with superseded, writing nothing more, when', () => {
    const cases: readonly {
      name: string;
      fresh: GlusterCluster | Error;
    }[] = [
      {
        name: 'spec was edited between the read and the write (a new generation)',
        fresh: aCluster('8', { generation: 4, status: READY, nodes: ['n1', 'n2', 'n3'] }),
      },
      {
        name: 'the object is gone',
        fresh: new NotFoundError('404', { cause: undefined, code: 404, reason: 'NotFound' }),
      },
      {
        name: 'the object was deleted and created again (generation 1)',
        fresh: aCluster('20', { generation: 1 }),
      },
      {
        name: 'the generation went missing',
        fresh: {
          ...aCluster('8', { status: READY }),
          metadata: { ...KEY, resourceVersion: '8' },
        },
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const snapshot = aCluster('7', { status: READY });
        const computed: GlusterClusterStatus = { ...READY, connected: 1 };
        const api = new FakeStatusApi().onReplaceStatus(conflict()).onGet(tc.fresh);
        const result = await writeStatusIfChanged(api, snapshot, computed);
        expect(result).to.deep.equal({ outcome: 'superseded', conflicts: 1 });
        expect(api.methods()).to.deep.equal(['replaceStatus', 'get']);
        expect(api.writesSent()).to.deep.equal([{ ...snapshot, status: computed }]);
      });
    }
  });

  it('gives up with superseded when the write meets a deleted object (404)', async () => {
    const snapshot = aCluster('7', { status: READY });
    const api = new FakeStatusApi().onReplaceStatus(
      new NotFoundError('404', { cause: undefined, code: 404 }),
    );
    const result = await writeStatusIfChanged(api, snapshot, { ...READY, connected: 0 });
    expect(result).to.deep.equal({ outcome: 'superseded', conflicts: 0 });
    expect(api.writesSent()).to.have.length(1);
  });

  it('never stamps an observation of the old spec with the generation of the new one', async () => {
    // The pass read generation 3 and observed two nodes; meanwhile a person added a third.
    const snapshot = aCluster('7', { status: READY });
    const observedOld: GlusterClusterStatus = {
      ...READY,
      members: 2,
      nodes: [aNode('n1'), aNode('n2', { state: 'Disconnected' })],
    };
    const edited = aCluster('8', { generation: 4, status: READY, nodes: ['n1', 'n2', 'n3'] });
    const api = new FakeStatusApi().onReplaceStatus(conflict()).onGet(edited);
    const result = await writeStatusIfChanged(api, snapshot, observedOld);
    expect(result.outcome).to.equal('superseded');
    expect(api.writesSent()).to.have.length(1);
    for (const body of api.writesSent()) {
      expect(body.metadata.generation).to.equal(3);
      expect(body.metadata.resourceVersion).to.equal('7');
    }
  });

  it('after a conflict, sends nothing more when the fresh object already has the status', async () => {
    const computed: GlusterClusterStatus = { ...READY, connected: 1 };
    const api = new FakeStatusApi()
      .onReplaceStatus(conflict())
      .onGet(aCluster('8', { status: computed }));
    const result = await writeStatusIfChanged(api, aCluster('7', { status: READY }), computed);
    expect(result).to.deep.equal({ outcome: 'unchanged', conflicts: 1 });
    expect(api.methods()).to.deep.equal(['replaceStatus', 'get']);
  });

  it('gives up after five conflicting writes with a ConflictError caused by the last one', async () => {
    const conflicts = [conflict(), conflict(), conflict(), conflict(), conflict()];
    const api = new FakeStatusApi()
      .onReplaceStatus(...conflicts)
      .onGet(...['8', '9', '10', '11'].map((rv) => aCluster(rv, { status: READY })));
    const error = await rejection(
      writeStatusIfChanged(api, aCluster('7', { status: READY }), { ...READY, connected: 0 }),
    );
    expect(error).to.be.instanceOf(ConflictError);
    expect(error.message).to.equal(
      'Failed to write the status of GlusterCluster storage/pool-a: 5 writes in a row met a newer version',
    );
    expect(error.cause).to.equal(conflicts[4]);
    expect((error as ConflictError).code).to.equal(409);
    expect((error as ConflictError).reason).to.equal('Conflict');
    expect(api.methods()).to.deep.equal([
      'replaceStatus',
      'get',
      'replaceStatus',
      'get',
      'replaceStatus',
      'get',
      'replaceStatus',
      'get',
      'replaceStatus',
    ]);
    expect(api.writesSent().map((body) => body.metadata.resourceVersion)).to.deep.equal([
      '7',
      '8',
      '9',
      '10',
      '11',
    ]);
  });

  describe('takes the number of attempts from its options', () => {
    const cases: readonly { maxAttempts: number; methods: readonly string[] }[] = [
      { maxAttempts: 1, methods: ['replaceStatus'] },
      { maxAttempts: 2, methods: ['replaceStatus', 'get', 'replaceStatus'] },
    ];
    for (const tc of cases) {
      it(`maxAttempts ${String(tc.maxAttempts)}`, async () => {
        const api = new FakeStatusApi()
          .onReplaceStatus(conflict(), conflict())
          .onGet(aCluster('8', { status: READY }));
        const error = await rejection(
          writeStatusIfChanged(
            api,
            aCluster('7', { status: READY }),
            { ...READY, connected: 0 },
            { maxAttempts: tc.maxAttempts },
          ),
        );
        expect(error).to.be.instanceOf(ConflictError);
        expect(error.message).to.contain(`${String(tc.maxAttempts)} writes in a row`);
        expect(api.methods()).to.deep.equal(tc.methods);
      });
    }
  });

  describe('lets any other failure through at once, without retrying', () => {
    const serverError = new KubeApiError('500', { cause: undefined, code: 500 });
    const cases: readonly {
      name: string;
      script: (api: FakeStatusApi) => FakeStatusApi;
      error: Error;
      methods: readonly string[];
    }[] = [
      {
        name: 'the API server failed the write',
        script: (api) => api.onReplaceStatus(serverError),
        error: serverError,
        methods: ['replaceStatus'],
      },
      {
        name: 'the read after a conflict failed',
        script: (api) => api.onReplaceStatus(conflict()).onGet(serverError),
        error: serverError,
        methods: ['replaceStatus', 'get'],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const api = tc.script(new FakeStatusApi());
        const error = await rejection(writeStatusIfChanged(api, aCluster('7'), READY));
        expect(error).to.equal(tc.error);
        expect(api.methods()).to.deep.equal(tc.methods);
      });
    }
  });
});
