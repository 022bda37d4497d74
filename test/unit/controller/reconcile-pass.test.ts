import { expect } from 'chai';
import type { ChangeFence } from '../../../src/controller/pass/change-fence.js';
import { ALWAYS_LEADING, type Leadership } from '../../../src/controller/pass/leadership.js';
import { PassAbortedError } from '../../../src/controller/pass/pass-aborted-error.js';
import {
  runReconcilePass,
  type PassOptions,
  type PassOutcome,
  type PassResource,
} from '../../../src/controller/pass/reconcile-pass.js';
import { rejection } from '../../support/rejection.js';

interface Thing {
  readonly metadata: { readonly name: string; readonly generation?: number; readonly rv: string };
}

interface ThingStatus {
  readonly observedGeneration: number;
  readonly seen: string;
}

function aThing(rv: string, generation = 3): Thing {
  return { metadata: { name: 'pool-a', generation, rv } };
}

type WriteOutcome = 'written' | 'unchanged' | 'superseded';

/**
 * A resource whose every step answers from a script; each call is recorded in order, and a call
 * nobody scripted throws.
 */
class FakeResource implements PassResource<Thing, ThingStatus> {
  readonly calls: string[] = [];
  readonly ranWith: { object: Thing; fence: ChangeFence }[] = [];
  readonly written: { snapshot: Thing; status: ThingStatus }[] = [];
  private readonly reads: (Thing | undefined)[] = [];
  private prepared: ((object: Thing) => Thing | undefined) | undefined;
  private runner:
    ((object: Thing, fence: ChangeFence) => Promise<PassOutcome<ThingStatus>>) | undefined;
  private writeOutcome: WriteOutcome | Error | undefined;
  private forgets = 0;

  onRead(...objects: (Thing | undefined)[]): this {
    this.reads.push(...objects);
    return this;
  }

  onPrepare(prepare: (object: Thing) => Thing | undefined): this {
    this.prepared = prepare;
    return this;
  }

  onRun(run: (object: Thing, fence: ChangeFence) => Promise<PassOutcome<ThingStatus>>): this {
    this.runner = run;
    return this;
  }

  onWriteStatus(outcome: WriteOutcome | Error): this {
    this.writeOutcome = outcome;
    return this;
  }

  onForget(): this {
    this.forgets++;
    return this;
  }

  read(): Promise<Thing | undefined> {
    this.calls.push('read');
    if (this.reads.length === 0) return Promise.reject(surprise('read'));
    return Promise.resolve(this.reads.shift());
  }

  forget(): Promise<void> {
    this.calls.push('forget');
    if (this.forgets-- <= 0) return Promise.reject(surprise('forget'));
    return Promise.resolve();
  }

  prepare(object: Thing): Promise<Thing | undefined> {
    this.calls.push('prepare');
    const prepare = this.prepared;
    if (prepare === undefined) return Promise.reject(surprise('prepare'));
    return Promise.resolve(prepare(object));
  }

  run(object: Thing, fence: ChangeFence): Promise<PassOutcome<ThingStatus>> {
    this.calls.push('run');
    this.ranWith.push({ object, fence });
    const run = this.runner;
    if (run === undefined) return Promise.reject(surprise('run'));
    return run(object, fence);
  }

  writeStatus(snapshot: Thing, status: ThingStatus): Promise<WriteOutcome> {
    this.calls.push('writeStatus');
    this.written.push({ snapshot, status });
    const outcome = this.writeOutcome;
    this.writeOutcome = undefined;
    if (outcome === undefined) return Promise.reject(surprise('writeStatus'));
    return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
  }
}

function surprise(call: string): Error {
  return new Error(`FakeResource: unexpected call to ${call}`);
}

function options(overrides: Partial<PassOptions> = {}): PassOptions {
  return {
    leadership: ALWAYS_LEADING,
    signal: new AbortController().signal,
    maxChangeMs: 30_000,
    ...overrides,
  };
}

/** A run that computes its status from the object it was given. */
const statusFrom =
  (result: PassOutcome<ThingStatus>['result']) =>
  (object: Thing): Promise<PassOutcome<ThingStatus>> =>
    Promise.resolve({
      status: { observedGeneration: object.metadata.generation ?? 0, seen: object.metadata.rv },
      result,
    });

describe('runReconcilePass', () => {
  it('forgets an object that is gone, and runs nothing', async () => {
    const resource = new FakeResource().onRead(undefined).onForget();
    expect(await runReconcilePass(resource, options())).to.deep.equal({});
    expect(resource.calls).to.deep.equal(['read', 'forget']);
  });

  it('runs nothing when prepare() lets the object go', async () => {
    const resource = new FakeResource().onRead(aThing('7')).onPrepare(() => undefined);
    expect(await runReconcilePass(resource, options())).to.deep.equal({});
    expect(resource.calls).to.deep.equal(['read', 'prepare']);
  });

  it('runs on the object prepare() returned and writes the status for that same object', async () => {
    const read = aThing('7');
    // prepare() added the finalizer: a newer resourceVersion, the same generation.
    const prepared = aThing('8');
    const resource = new FakeResource()
      .onRead(read)
      .onPrepare((object) => {
        expect(object).to.equal(read);
        return prepared;
      })
      .onRun(statusFrom({ requeueAfterMs: 60_000 }))
      .onWriteStatus('written');
    const result = await runReconcilePass(resource, options());
    expect(result).to.deep.equal({ requeueAfterMs: 60_000 });
    expect(resource.calls).to.deep.equal(['read', 'prepare', 'run', 'writeStatus']);
    expect(resource.ranWith.map((run) => run.object)).to.deep.equal([prepared]);
    expect(resource.written).to.have.length(1);
    expect(resource.written[0]!.snapshot).to.equal(prepared);
    expect(resource.written[0]!.status).to.deep.equal({ observedGeneration: 3, seen: '8' });
  });

  describe('returns what the run asked for, unless the status was superseded', () => {
    const cases: readonly {
      name: string;
      runResult: PassOutcome<ThingStatus>['result'];
      write: WriteOutcome;
      result: PassOutcome<ThingStatus>['result'];
    }[] = [
      {
        name: 'written',
        runResult: { requeueAfterMs: 60_000 },
        write: 'written',
        result: { requeueAfterMs: 60_000 },
      },
      {
        name: 'unchanged',
        runResult: { followUp: true },
        write: 'unchanged',
        result: { followUp: true },
      },
      {
        name: 'superseded (a newer spec is in force): run again at once',
        runResult: { requeueAfterMs: 60_000, followUp: true },
        write: 'superseded',
        result: { requeueAfterMs: 0 },
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const resource = new FakeResource()
          .onRead(aThing('7'))
          .onPrepare((object) => object)
          .onRun(statusFrom(tc.runResult))
          .onWriteStatus(tc.write);
        expect(await runReconcilePass(resource, options())).to.deep.equal(tc.result);
        expect(resource.calls).to.deep.equal(['read', 'prepare', 'run', 'writeStatus']);
      });
    }
  });

  it('writes nothing when the run computed no status', async () => {
    const resource = new FakeResource()
      .onRead(aThing('7'))
      .onPrepare((object) => object)
      .onRun(() => Promise.resolve({ status: undefined, result: { requeueAfterMs: 5_000 } }));
    expect(await runReconcilePass(resource, options())).to.deep.equal({ requeueAfterMs: 5_000 });
    expect(resource.calls).to.deep.equal(['read', 'prepare', 'run']);
  });

  describe('writes nothing once the pass may no longer act', () => {
    const cases: readonly {
      name: string;
      options: () => PassOptions;
      reason: string;
    }[] = [
      {
        name: 'the leadership says no time is left',
        options: () => options({ leadership: { remainingMs: () => 0 } }),
        reason: 'LeadershipLost',
      },
      {
        name: 'the pass was stopped',
        options: () => {
          const controller = new AbortController();
          controller.abort(new Error('operator stopping'));
          return options({ signal: controller.signal });
        },
        reason: 'Shutdown',
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const resource = new FakeResource()
          .onRead(aThing('7'))
          .onPrepare((object) => object)
          .onRun(statusFrom({ requeueAfterMs: 60_000 }));
        const error = await rejection(runReconcilePass(resource, tc.options()));
        expect(error).to.be.instanceOf(PassAbortedError);
        expect((error as PassAbortedError).reason).to.equal(tc.reason);
        expect(resource.calls).to.deep.equal(['read', 'prepare', 'run']);
        expect(resource.written).to.deep.equal([]);
      });
    }
  });

  it('loses the leadership during the run: the status is not written', async () => {
    let remainingMs = 60_000;
    const leadership: Leadership = { remainingMs: () => remainingMs };
    const resource = new FakeResource()
      .onRead(aThing('7'))
      .onPrepare((object) => object)
      .onRun(async (object, fence) => {
        expect(await fence.clear('probe n2', { isDestructive: false })).to.equal(30_000);
        remainingMs = 0;
        return statusFrom({})(object);
      });
    const error = await rejection(runReconcilePass(resource, options({ leadership })));
    expect((error as PassAbortedError).reason).to.equal('LeadershipLost');
    expect(resource.written).to.deep.equal([]);
  });

  describe('gives run() a fence for the generation of the object it runs on', () => {
    const cases: readonly {
      name: string;
      /** What the fence's re-read of the object finds. */
      reread: Thing | undefined;
      /** The budget clear() gave, or why it refused. */
      cleared: number | string;
    }[] = [
      {
        name: 'unchanged: the destructive change is cleared',
        reread: aThing('9'),
        cleared: 20_000,
      },
      {
        name: 'a new generation: Superseded',
        reread: aThing('9', 4),
        cleared:
          'Superseded: Did not detach n3: the resource is at generation 4, the plan was made for generation 3',
      },
      {
        name: 'gone: Superseded',
        reread: undefined,
        cleared:
          'Superseded: Did not detach n3: the resource is gone, the plan was made for generation 3',
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        let cleared: number | string | undefined;
        const resource = new FakeResource()
          .onRead(aThing('7'), tc.reread)
          .onPrepare((object) => object)
          .onRun(async (object, fence) => {
            expect(fence.generation).to.equal(3);
            try {
              cleared = await fence.clear('detach n3', { isDestructive: true });
            } catch (error) {
              if (!(error instanceof PassAbortedError)) throw error;
              cleared = `${error.reason}: ${error.message}`;
            }
            return { status: undefined, result: {} };
          });
        await runReconcilePass(resource, options({ maxChangeMs: 20_000 }));
        expect(cleared).to.equal(tc.cleared);
        expect(resource.calls).to.deep.equal(['read', 'prepare', 'run', 'read']);
      });
    }
  });

  it('the fence carries the generation of the prepared object, not of the first read', async () => {
    const resource = new FakeResource()
      .onRead(aThing('7', 3))
      .onPrepare(() => aThing('8', 5))
      .onRun((_object, fence) => {
        expect(fence.generation).to.equal(5);
        return Promise.resolve({ status: undefined, result: {} });
      });
    await runReconcilePass(resource, options());
    expect(resource.ranWith).to.have.length(1);
  });

  describe('lets failures through', () => {
    const failure = new Error('API server unreachable');
    const cases: readonly {
      name: string;
      script: (resource: FakeResource) => FakeResource;
      calls: readonly string[];
    }[] = [
      {
        name: 'the run failed: nothing written',
        script: (resource) => resource.onRun(() => Promise.reject(failure)),
        calls: ['read', 'prepare', 'run'],
      },
      {
        name: 'the status write failed',
        script: (resource) => resource.onRun(statusFrom({})).onWriteStatus(failure),
        calls: ['read', 'prepare', 'run', 'writeStatus'],
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const resource = tc.script(
          new FakeResource().onRead(aThing('7')).onPrepare((object) => object),
        );
        expect(await rejection(runReconcilePass(resource, options()))).to.equal(failure);
        expect(resource.calls).to.deep.equal(tc.calls);
      });
    }
  });
});
