import { expect } from 'chai';
import {
  FOLLOW_TIMEOUT_MS,
  followChanges,
  hasLanded,
  type Look,
} from '../../../src/controller/follow-changes.js';
import type { Observation } from '../../../src/core/observation.js';
import { planReconcile } from '../../../src/core/plan-reconcile.js';
import type { Action } from '../../../src/core/plan-types.js';
import {
  aHealthyPool,
  aMember,
  aNode,
  anObservation,
  anUnreachableNode,
  aPlanInput,
  uuidOf,
} from '../../support/pool-builders.js';
import { rejection } from '../../support/rejection.js';

/** A look at `observation`, planned by the real planner for spec `specNodes`. */
function aLook(
  specNodes: readonly string[],
  observation: Observation,
  overrides: Parameters<typeof aPlanInput>[2] = {},
): Look {
  return { observation, plan: planReconcile(aPlanInput(specNodes, observation, overrides)) };
}

const lone = (name: string) => aNode(name, []);
const probe = (target: string): Action => ({ kind: 'probe', node: 'n1', target });
const detach = (target: string, why: 'RemovedFromSpec' | 'Dissolving' = 'RemovedFromSpec') =>
  ({ kind: 'detach', node: 'n1', target, uuid: uuidOf(target), why }) as const;

describe('hasLanded', () => {
  const cases: readonly { name: string; made: readonly Action[]; look: Look; landed: boolean }[] = [
    {
      name: 'a probe whose target is still a lone node (Pending): not yet',
      made: [probe('n2')],
      look: aLook(['n1', 'n2'], anObservation([lone('n1'), lone('n2')])),
      landed: false,
    },
    {
      name: 'a probe whose handshake is still under way in every view (Probing): not yet',
      made: [probe('n3')],
      look: aLook(
        ['n1', 'n2', 'n3'],
        anObservation([
          aNode('n1', [aMember('n2'), aMember('n3', { state: 4 })]),
          aNode('n2', [aMember('n1'), aMember('n3', { state: 4 })]),
          aNode('n3', [aMember('n1', { state: 4 }), aMember('n2', { state: 4 })]),
        ]),
      ),
      landed: false,
    },
    {
      name: 'probes whose targets every member sees connected: landed',
      made: [probe('n2'), probe('n3')],
      look: aLook(['n1', 'n2', 'n3'], anObservation(aHealthyPool(['n1', 'n2', 'n3']))),
      landed: true,
    },
    {
      name: 'one of two probes landed: not yet',
      made: [probe('n2'), probe('n3')],
      look: aLook(
        ['n1', 'n2', 'n3'],
        anObservation([aNode('n1', [aMember('n2')]), aNode('n2', [aMember('n1')]), lone('n3')]),
      ),
      landed: false,
    },
    {
      name: 'a detached member every view still lists: not yet',
      made: [detach('n3')],
      look: aLook(
        ['n1', 'n2'],
        anObservation([
          aNode('n1', [aMember('n2'), aMember('n3', { spec: false })]),
          aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
        ]),
      ),
      landed: false,
    },
    {
      name: 'a detached member one view still lists: not yet',
      made: [detach('n3')],
      look: aLook(
        ['n1', 'n2'],
        anObservation([
          aNode('n1', [aMember('n2')]),
          aNode('n2', [aMember('n1'), aMember('n3', { spec: false })]),
        ]),
      ),
      landed: false,
    },
    {
      name: 'a detached member no view lists: landed',
      made: [detach('n3')],
      look: aLook(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2']))),
      landed: true,
    },
    {
      name: 'a spec node detached while dissolving, now alone (only its own row lists it): landed',
      made: [detach('n2', 'Dissolving')],
      look: aLook(['n1', 'n2'], anObservation([lone('n1'), lone('n2')]), { isDeleting: true }),
      landed: true,
    },
    {
      name: 'a released node still in its other pool: not yet',
      made: [{ kind: 'release', target: 'n2' }],
      look: aLook(
        ['n1', 'n2'],
        anObservation([lone('n1'), aNode('n2', [aMember('n9', { spec: false })])]),
      ),
      landed: false,
    },
    {
      name: 'a released node now alone: landed',
      made: [{ kind: 'release', target: 'n2' }],
      look: aLook(['n1', 'n2'], anObservation([lone('n1'), lone('n2')])),
      landed: true,
    },
    {
      name: 'a released node that does not answer: nothing to wait for',
      made: [{ kind: 'release', target: 'n2' }],
      look: aLook(['n1', 'n2'], anObservation([lone('n1'), anUnreachableNode('n2')])),
      landed: true,
    },
    {
      name: 'removing the finalizer: landed',
      made: [{ kind: 'removeFinalizer' }],
      look: aLook(['n1'], anObservation([lone('n1')]), { isDeleting: true }),
      landed: true,
    },
    {
      name: 'nothing made, views that agree: landed',
      made: [],
      look: aLook(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2']))),
      landed: true,
    },
    {
      name: 'nothing made, but the views disagree: not yet',
      made: [],
      look: aLook(
        ['n1', 'n2', 'n3'],
        anObservation([
          aNode('n1', [aMember('n2'), aMember('n3')]),
          aNode('n2', [aMember('n1'), aMember('n3')]),
          aNode('n3', [aMember('n1'), aMember('n2'), aMember('n9', { spec: false })]),
        ]),
      ),
      landed: false,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(hasLanded(tc.made, tc.look)).to.equal(tc.landed);
    });
  }
});

describe('followChanges', () => {
  const pending = aLook(['n1', 'n2'], anObservation([lone('n1'), lone('n2')]));
  const joined = aLook(['n1', 'n2'], anObservation(aHealthyPool(['n1', 'n2'])));
  const made = [probe('n2')];

  /** look() answers from `looks` in turn (the last repeats), moving the clock by `stepMs`. */
  function aFollower(looks: readonly Look[], stepMs = 0) {
    let nowMs = 0;
    let count = 0;
    return {
      look: () => {
        nowMs += stepMs;
        return Promise.resolve(looks[Math.min(count++, looks.length - 1)]!);
      },
      now: () => nowMs,
      looks: () => count,
    };
  }

  it('looks once when the changes have landed already', async () => {
    const f = aFollower([joined]);
    const result = await followChanges(made, {
      look: f.look,
      now: f.now,
      signal: new AbortController().signal,
      intervalMs: 60_000,
    });
    expect(result).to.deep.equal({ ...joined, landed: true });
    expect(f.looks()).to.equal(1);
  });

  it('looks again until the changes have landed, and ends on that look', async () => {
    const f = aFollower([pending, pending, joined, pending]);
    const result = await followChanges(made, {
      look: f.look,
      now: f.now,
      signal: new AbortController().signal,
      intervalMs: 1,
    });
    expect(result).to.deep.equal({ ...joined, landed: true });
    expect(f.looks()).to.equal(3);
  });

  describe('gives up at the deadline, with the last look', () => {
    const cases: readonly { name: string; timeoutMs?: number; stepMs: number; looks: number }[] = [
      { name: 'its timeout', timeoutMs: 100, stepMs: 40, looks: 3 },
      { name: 'a look that takes the whole timeout', timeoutMs: 100, stepMs: 100, looks: 1 },
      { name: 'the default of 10 s', stepMs: FOLLOW_TIMEOUT_MS / 4, looks: 4 },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const f = aFollower([pending], tc.stepMs);
        const result = await followChanges(made, {
          look: f.look,
          now: f.now,
          signal: new AbortController().signal,
          intervalMs: 1,
          ...(tc.timeoutMs === undefined ? {} : { timeoutMs: tc.timeoutMs }),
        });
        expect(result).to.deep.equal({ ...pending, landed: false });
        expect(f.looks()).to.equal(tc.looks);
      });
    }
  });

  it('stops when the pass is stopped during a look', async () => {
    const controller = new AbortController();
    const f = aFollower([pending]);
    const result = await followChanges(made, {
      look: () => {
        controller.abort();
        return f.look();
      },
      now: f.now,
      signal: controller.signal,
      intervalMs: 1,
    });
    expect(result.landed).to.equal(false);
    expect(f.looks()).to.equal(1);
  });

  it('cuts the wait short when the pass is stopped while waiting, and looks a last time', async () => {
    const controller = new AbortController();
    const f = aFollower([pending]);
    const following = followChanges(made, {
      look: f.look,
      now: f.now,
      signal: controller.signal,
      // Far longer than the test may run: only the abort ends the wait.
      intervalMs: 600_000,
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.looks()).to.equal(1);
    controller.abort();
    const result = await following;
    expect(result.landed).to.equal(false);
    expect(f.looks()).to.equal(2);
  });

  it('lets a failed look through', async () => {
    const failure = new Error('SSH connection lost');
    const error = await rejection(
      followChanges(made, {
        look: () => Promise.reject(failure),
        signal: new AbortController().signal,
        intervalMs: 1,
      }),
    );
    expect(error).to.equal(failure);
  });
});
