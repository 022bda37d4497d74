import { expect } from 'chai';
import { applyFinalizerPolicy } from '../../../src/controller/finalizer-policy.js';

const FINALIZER = 'storage.example.com/finalizer';

interface Thing {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
  };
}

const thing = (finalizers: readonly string[] = [], deleting = false): Thing => ({
  metadata: {
    namespace: 'storage',
    name: 'pool',
    finalizers,
    ...(deleting ? { deletionTimestamp: '2026-12-07T00:00:00Z' } : {}),
  },
});

/** Records every call; answers with the object as the API server would have it after the call. */
class FakeApi {
  readonly calls: string[] = [];

  constructor(private readonly current: Thing) {}

  addFinalizer(namespace: string, name: string): Promise<Thing> {
    this.calls.push(`add ${namespace}/${name}`);
    const finalizers = [...(this.current.metadata.finalizers ?? []), FINALIZER];
    return Promise.resolve({ metadata: { ...this.current.metadata, finalizers } });
  }

  removeFinalizer(namespace: string, name: string): Promise<Thing> {
    this.calls.push(`remove ${namespace}/${name}`);
    const finalizers = (this.current.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    return Promise.resolve({ metadata: { ...this.current.metadata, finalizers } });
  }
}

async function apply(
  object: Thing,
  actsOnDeletion: boolean,
): Promise<{ result: Thing | undefined; calls: string[]; forgotten: number }> {
  const api = new FakeApi(object);
  let forgotten = 0;
  const result = await applyFinalizerPolicy(
    api,
    object,
    { finalizer: FINALIZER, actsOnDeletion },
    () => {
      forgotten += 1;
      return Promise.resolve();
    },
  );
  return { result, calls: api.calls, forgotten };
}

describe('applyFinalizerPolicy', () => {
  it('adds the finalizer when deleting has work to do and it is missing', async () => {
    const { result, calls, forgotten } = await apply(thing(['other/keep']), true);
    expect(calls).to.deep.equal(['add storage/pool']);
    expect(result?.metadata.finalizers).to.deep.equal(['other/keep', FINALIZER]);
    expect(forgotten).to.equal(0);
  });

  it('removes the finalizer when deleting has nothing to do, and leaves other finalizers', async () => {
    const { result, calls } = await apply(thing(['other/keep', FINALIZER]), false);
    expect(calls).to.deep.equal(['remove storage/pool']);
    expect(result?.metadata.finalizers).to.deep.equal(['other/keep']);
  });

  it('changes nothing when the finalizer already matches the policy', async () => {
    for (const [finalizers, actsOnDeletion] of [
      [[FINALIZER], true],
      [[], false],
      [['other/keep'], false],
    ] as const) {
      const object = thing(finalizers);
      const { result, calls } = await apply(object, actsOnDeletion);
      expect(calls, `${finalizers.join(',')} ${actsOnDeletion}`).to.deep.equal([]);
      expect(result).to.equal(object);
    }
  });

  it('a resource being deleted with the finalizer is passed on, whatever the policy says now', async () => {
    for (const actsOnDeletion of [true, false]) {
      const object = thing([FINALIZER], true);
      const { result, calls, forgotten } = await apply(object, actsOnDeletion);
      expect(result).to.equal(object);
      expect(calls).to.deep.equal([]);
      expect(forgotten).to.equal(0);
    }
  });

  it('a resource being deleted without the finalizer is let go and forgotten, never given one again', async () => {
    for (const actsOnDeletion of [true, false]) {
      const { result, calls, forgotten } = await apply(thing(['other/keep'], true), actsOnDeletion);
      expect(result).to.equal(undefined);
      expect(calls).to.deep.equal([]);
      expect(forgotten).to.equal(1);
    }
  });
});
