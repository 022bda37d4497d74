import { expect } from 'chai';
import {
  ChangeFence,
  FENCE_MARGIN_MS,
  MIN_CHANGE_BUDGET_MS,
} from '../../../src/controller/pass/change-fence.js';
import { ALWAYS_LEADING, type Leadership } from '../../../src/controller/pass/leadership.js';
import { PassAbortedError } from '../../../src/controller/pass/pass-aborted-error.js';
import { rejection } from '../../support/rejection.js';

const MAX_CHANGE_MS = 30_000;
const PLAN_GENERATION = 4;

interface FenceSetup {
  /** Leadership left, in ms. Default 60 s. */
  readonly remainingMs?: number;
  /** Leadership left once the generation has been read (the read took time). */
  readonly remainingAfterReadMs?: number;
  /** What each re-read of the generation answers; a read nobody scripted fails the test. */
  readonly generations?: readonly (number | undefined)[];
  readonly aborted?: boolean;
  /** Aborts the pass while the generation is being read. */
  readonly abortWhileReading?: boolean;
}

function aFence(setup: FenceSetup = {}) {
  const controller = new AbortController();
  if (setup.aborted === true) controller.abort(new Error('operator stopping'));
  let remainingMs = setup.remainingMs ?? 60_000;
  const leadership: Leadership = { remainingMs: () => remainingMs };
  const generations = [...(setup.generations ?? [])];
  let reads = 0;
  const fence = new ChangeFence({
    leadership,
    signal: controller.signal,
    generation: PLAN_GENERATION,
    readGeneration: () => {
      reads++;
      if (generations.length === 0) {
        return Promise.reject(new Error('ChangeFence test: unexpected read of the generation'));
      }
      if (setup.abortWhileReading === true) controller.abort(new Error('operator stopping'));
      remainingMs = setup.remainingAfterReadMs ?? remainingMs;
      return Promise.resolve(generations.shift());
    },
    maxChangeMs: MAX_CHANGE_MS,
  });
  return { fence, controller, reads: () => reads };
}

function passAborted(error: Error): { reason: string; message: string } {
  expect(error).to.be.instanceOf(PassAbortedError);
  return { reason: (error as PassAbortedError).reason, message: error.message };
}

describe('ChangeFence', () => {
  it('knows the generation the plan was made for', () => {
    expect(aFence().fence.generation).to.equal(PLAN_GENERATION);
  });

  it('has a margin of 0.5 s and a smallest budget of 1 s', () => {
    expect({ FENCE_MARGIN_MS, MIN_CHANGE_BUDGET_MS }).to.deep.equal({
      FENCE_MARGIN_MS: 500,
      MIN_CHANGE_BUDGET_MS: 1_000,
    });
  });

  describe('clear() gives a change the time it may run: min(maxChangeMs, leadership left − 0.5 s)', () => {
    const cases: readonly {
      name: string;
      setup: FenceSetup;
      isDestructive: boolean;
      budgetMs: number;
      reads: number;
    }[] = [
      {
        name: 'plenty of leadership left: the longest a change may run',
        setup: { remainingMs: 60_000 },
        isDestructive: false,
        budgetMs: MAX_CHANGE_MS,
        reads: 0,
      },
      {
        name: 'no leader election: the longest a change may run',
        setup: { remainingMs: ALWAYS_LEADING.remainingMs() },
        isDestructive: false,
        budgetMs: MAX_CHANGE_MS,
        reads: 0,
      },
      {
        name: 'less leadership left than a change may run: what is left, less the margin',
        setup: { remainingMs: 20_000 },
        isDestructive: false,
        budgetMs: 19_500,
        reads: 0,
      },
      {
        name: 'exactly the smallest budget left after the margin',
        setup: { remainingMs: 1_500 },
        isDestructive: false,
        budgetMs: 1_000,
        reads: 0,
      },
      {
        name: 'a destructive change on an unchanged generation: read once, then cleared',
        setup: { remainingMs: 60_000, generations: [PLAN_GENERATION] },
        isDestructive: true,
        budgetMs: MAX_CHANGE_MS,
        reads: 1,
      },
      {
        name: 'a destructive change: leadership is asked after the read, so a slow read is taken off',
        setup: {
          remainingMs: 20_000,
          remainingAfterReadMs: 12_000,
          generations: [PLAN_GENERATION],
        },
        isDestructive: true,
        budgetMs: 11_500,
        reads: 1,
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const f = aFence(tc.setup);
        const budgetMs = await f.fence.clear('probe n2', { isDestructive: tc.isDestructive });
        expect(budgetMs).to.equal(tc.budgetMs);
        expect(f.reads(), 'reads of the generation').to.equal(tc.reads);
      });
    }
  });

  describe('clear() refuses a change that must not start', () => {
    const cases: readonly {
      name: string;
      setup: FenceSetup;
      isDestructive: boolean;
      reason: 'Shutdown' | 'LeadershipLost' | 'Superseded';
      message: string;
      reads: number;
    }[] = [
      {
        name: 'just under the smallest budget left',
        setup: { remainingMs: 1_499 },
        isDestructive: false,
        reason: 'LeadershipLost',
        message: 'Did not detach n3: only 999 ms of leadership left',
        reads: 0,
      },
      {
        name: 'less than the margin left',
        setup: { remainingMs: 500 },
        isDestructive: false,
        reason: 'LeadershipLost',
        message: 'Did not detach n3: only 0 ms of leadership left',
        reads: 0,
      },
      {
        name: 'not leading',
        setup: { remainingMs: 0 },
        isDestructive: false,
        reason: 'LeadershipLost',
        message: 'Did not detach n3: this replica does not lead',
        reads: 0,
      },
      {
        name: 'the pass was stopped',
        setup: { aborted: true },
        isDestructive: false,
        reason: 'Shutdown',
        message: 'Did not detach n3: the pass was stopped',
        reads: 0,
      },
      {
        name: 'the pass was stopped, for a destructive change: the generation is not even read',
        setup: { aborted: true, generations: [PLAN_GENERATION] },
        isDestructive: true,
        reason: 'Shutdown',
        message: 'Did not detach n3: the pass was stopped',
        reads: 0,
      },
      {
        name: 'the pass was stopped while the generation was read',
        setup: { abortWhileReading: true, generations: [PLAN_GENERATION] },
        isDestructive: true,
        reason: 'Shutdown',
        message: 'Did not detach n3: the pass was stopped',
        reads: 1,
      },
      {
        name: 'a destructive change after a spec edit (a new generation)',
        setup: { generations: [PLAN_GENERATION + 1] },
        isDestructive: true,
        reason: 'Superseded',
        message:
          'Did not detach n3: the resource is at generation 5, the plan was made for generation 4',
        reads: 1,
      },
      {
        name: 'a destructive change on a resource that is gone',
        setup: { generations: [undefined] },
        isDestructive: true,
        reason: 'Superseded',
        message: 'Did not detach n3: the resource is gone, the plan was made for generation 4',
        reads: 1,
      },
      {
        name: 'a destructive change with too little leadership left: refused before any read',
        setup: { remainingMs: 1_200, generations: [PLAN_GENERATION] },
        isDestructive: true,
        reason: 'LeadershipLost',
        message: 'Did not detach n3: only 700 ms of leadership left',
        reads: 0,
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const f = aFence(tc.setup);
        const error = await rejection(
          f.fence.clear('detach n3', { isDestructive: tc.isDestructive }),
        );
        expect(passAborted(error)).to.deep.equal({ reason: tc.reason, message: tc.message });
        expect(f.reads(), 'reads of the generation').to.equal(tc.reads);
      });
    }
  });

  it('a Shutdown carries the reason the pass was stopped as its cause', async () => {
    const f = aFence({ aborted: true });
    const error = await rejection(f.fence.clear('probe n2', { isDestructive: false }));
    expect(error.cause).to.equal(f.controller.signal.reason);
  });

  describe('assertLeading() (a status write needs no budget)', () => {
    const cases: readonly {
      name: string;
      setup: FenceSetup;
      refused?: { reason: string; message: string };
    }[] = [
      { name: 'leading: passes', setup: { remainingMs: 60_000 } },
      { name: 'leading for 1 ms more: passes', setup: { remainingMs: 1 } },
      {
        name: 'not leading: LeadershipLost',
        setup: { remainingMs: 0 },
        refused: {
          reason: 'LeadershipLost',
          message: 'Did not write the status: this replica does not lead',
        },
      },
      {
        name: 'stopped: Shutdown',
        setup: { aborted: true },
        refused: { reason: 'Shutdown', message: 'Did not write the status: the pass was stopped' },
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const f = aFence(tc.setup);
        let error: Error | undefined;
        try {
          f.fence.assertLeading('write the status');
        } catch (caught) {
          error = caught as Error;
        }
        expect(error && passAborted(error)).to.deep.equal(tc.refused);
        expect(f.reads()).to.equal(0);
      });
    }
  });
});
