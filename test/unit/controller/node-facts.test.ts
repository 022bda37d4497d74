import { expect } from 'chai';
import {
  FACTS_REFRESH_MS,
  NodeFacts,
  PROBE_STUCK_AFTER_MS,
} from '../../../src/controller/node-facts.js';

/** A NodeFacts on a clock the test moves. */
function someFacts(refreshMs?: number) {
  let nowMs = 1_000;
  const facts = new NodeFacts(() => nowMs, refreshMs);
  return {
    facts,
    elapse: (ms: number) => {
      nowMs += ms;
    },
    /** versionOf, without anything but what it promises. */
    versionOf: (address: string) => {
      const known = facts.versionOf(address);
      return known && { uuid: known.uuid, version: known.version };
    },
  };
}

type Facts = ReturnType<typeof someFacts>;

describe('NodeFacts', () => {
  describe('versions per address', () => {
    const cases: readonly {
      name: string;
      steps: (f: Facts) => void;
      expected: Record<string, { uuid: string; version: string } | undefined>;
    }[] = [
      {
        name: 'nothing is known at first',
        steps: () => undefined,
        expected: { n1: undefined },
      },
      {
        name: 'a version is known for its address only, with the UUID it came with',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
        },
        expected: { n1: { uuid: 'uuid-n1', version: '10.3' }, n2: undefined },
      },
      {
        name: 'still known just before the refresh interval has passed',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.elapse(60_000 - 1);
        },
        expected: { n1: { uuid: 'uuid-n1', version: '10.3' } },
      },
      {
        name: 'asked again once the refresh interval has passed',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.elapse(60_000);
        },
        expected: { n1: undefined },
      },
      {
        name: 'remembering again starts the interval again',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.elapse(50_000);
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.elapse(50_000);
        },
        expected: { n1: { uuid: 'uuid-n1', version: '10.3' } },
      },
      {
        name: 'a node answering with another UUID (reinstalled) replaces what was known',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.facts.rememberVersion('n1', 'uuid-n1-reinstalled', '11.1');
        },
        expected: { n1: { uuid: 'uuid-n1-reinstalled', version: '11.1' } },
      },
      {
        name: 'forgetNode drops that node only',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.facts.rememberVersion('n2', 'uuid-n2', '10.4');
          f.facts.forgetNode('n1');
        },
        expected: { n1: undefined, n2: { uuid: 'uuid-n2', version: '10.4' } },
      },
      {
        name: 'forgetNode of an unknown node changes nothing',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.facts.forgetNode('n9');
        },
        expected: { n1: { uuid: 'uuid-n1', version: '10.3' } },
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const f = someFacts(60_000);
        tc.steps(f);
        for (const [address, expected] of Object.entries(tc.expected)) {
          expect(f.versionOf(address), address).to.deep.equal(expected);
        }
      });
    }
  });

  describe('the pool op-version', () => {
    const cases: readonly {
      name: string;
      steps: (f: Facts) => void;
      expected: number | undefined;
    }[] = [
      { name: 'unknown at first', steps: () => undefined, expected: undefined },
      {
        name: 'known once remembered',
        steps: (f) => {
          f.facts.rememberOpVersion(100000);
        },
        expected: 100000,
      },
      {
        name: 'the latest value wins',
        steps: (f) => {
          f.facts.rememberOpVersion(100000);
          f.facts.rememberOpVersion(110000);
        },
        expected: 110000,
      },
      {
        name: 'still known just before the refresh interval has passed',
        steps: (f) => {
          f.facts.rememberOpVersion(100000);
          f.elapse(60_000 - 1);
        },
        expected: 100000,
      },
      {
        name: 'asked again once the refresh interval has passed',
        steps: (f) => {
          f.facts.rememberOpVersion(100000);
          f.elapse(60_000);
        },
        expected: undefined,
      },
      {
        name: 'not dropped by forgetting a node',
        steps: (f) => {
          f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
          f.facts.rememberOpVersion(100000);
          f.facts.forgetNode('n1');
        },
        expected: 100000,
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        const f = someFacts(60_000);
        tc.steps(f);
        expect(f.facts.opVersion).to.equal(tc.expected);
      });
    }
  });

  it(`refreshes after ${String(FACTS_REFRESH_MS / 60_000)} minutes by default`, () => {
    const f = someFacts();
    f.facts.rememberVersion('n1', 'uuid-n1', '10.3');
    f.facts.rememberOpVersion(100000);
    f.elapse(FACTS_REFRESH_MS - 1);
    expect(f.versionOf('n1')).to.deep.equal({ uuid: 'uuid-n1', version: '10.3' });
    expect(f.facts.opVersion).to.equal(100000);
    f.elapse(1);
    expect(f.versionOf('n1')).to.equal(undefined);
    expect(f.facts.opVersion).to.equal(undefined);
  });

  it('calls a node stuck once it has been Probing pass after pass for the stuck time', () => {
    const f = someFacts();
    f.facts.noteProbing(['n2', 'n3']);
    f.elapse(PROBE_STUCK_AFTER_MS - 1);
    f.facts.noteProbing(['n2', 'n3']);
    expect([...f.facts.stuckProbing()]).to.deep.equal([]);
    f.elapse(1);
    expect([...f.facts.stuckProbing()]).to.deep.equal(['n2', 'n3']);
    // n3 joined in between: its clock starts again if it is ever Probing once more.
    f.facts.noteProbing(['n2']);
    f.facts.noteProbing(['n2', 'n3']);
    expect([...f.facts.stuckProbing()]).to.deep.equal(['n2']);
  });
});
