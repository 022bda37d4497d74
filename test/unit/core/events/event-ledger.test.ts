import { expect } from 'chai';
import type { EventVerdict } from '../../../../src/core/events/event-ledger.js';
import { EventLedger } from '../../../../src/core/events/event-ledger.js';
import type { GlusterdEvent } from '../../../../src/core/events/glusterd-event.js';
import {
  TS,
  TS_MS,
  aBrickDisconnect,
  aPeerDisconnect,
  aPool,
  anEvent,
  digestOf,
  membersOf,
  uuidOf,
} from './event-builders.js';

const MEMBERS = membersOf('n1', 'n2', 'n3', 'n4');
const RECEIVED_MS = TS_MS + 300;

function classify(
  ledger: EventLedger,
  event: GlusterdEvent,
  options: { lastLookStartedMs?: number; receivedMs?: number; digest?: string } = {},
): EventVerdict {
  return ledger.classify(
    event,
    options.digest ?? digestOf(event),
    aPool(MEMBERS, options.lastLookStartedMs),
    options.receivedMs ?? RECEIVED_MS,
  );
}

describe('EventLedger.classify', () => {
  const cases: {
    name: string;
    event: GlusterdEvent;
    lastLookStartedMs?: number;
    expected: EventVerdict;
  }[] = [
    {
      name: 'drops an event from a node that is not a member',
      event: aPeerDisconnect('stranger', 'n2'),
      expected: { accepted: false, reason: 'unknown-node' },
    },
    {
      name: 'makes a report of the first disconnect of a member',
      event: aPeerDisconnect('n1', 'n2'),
      expected: {
        accepted: true,
        report: {
          event: 'PEER_DISCONNECT',
          subject: uuidOf('n2'),
          reporters: ['n1'],
          tsSeconds: TS,
          receivedMs: RECEIVED_MS,
        },
      },
    },
    {
      name: 'accepts a disconnect of a UUID that is not a member without a report',
      event: anEvent('n1', 'PEER_DISCONNECT', { peer: 'x', uuid: uuidOf('other') }),
      expected: { accepted: true },
    },
    {
      name: 'accepts a disconnect without a uuid field without a report',
      event: anEvent('n1', 'PEER_DISCONNECT', { peer: 'n2' }),
      expected: { accepted: true },
    },
    {
      name: 'makes a brick report keyed by peer:brick with its volume',
      event: aBrickDisconnect('n1', 'n2', '/bricks/gv0', 'gv0'),
      expected: {
        accepted: true,
        report: {
          event: 'BRICK_DISCONNECTED',
          subject: 'n2:/bricks/gv0',
          volume: 'gv0',
          reporters: ['n1'],
          tsSeconds: TS,
          receivedMs: RECEIVED_MS,
        },
      },
    },
    {
      name: 'accepts a brick disconnect without a volume without a report',
      event: anEvent('n1', 'BRICK_DISCONNECTED', { peer: 'n2', brick: '/bricks/gv0' }),
      expected: { accepted: true },
    },
    {
      name: 'accepts any other event without a report',
      event: anEvent('n1', 'VOLUME_START', { name: 'gv0' }),
      expected: { accepted: true },
    },
    {
      name: 'drops an event of a second that ended before the last look started',
      event: aPeerDisconnect('n1', 'n2'),
      lastLookStartedMs: TS_MS + 1000,
      expected: { accepted: false, reason: 'stale' },
    },
    {
      name: 'keeps an event of the second the last look started in (it may have come after)',
      event: aPeerDisconnect('n1', 'n2'),
      lastLookStartedMs: TS_MS + 999,
      expected: {
        accepted: true,
        report: {
          event: 'PEER_DISCONNECT',
          subject: uuidOf('n2'),
          reporters: ['n1'],
          tsSeconds: TS,
          receivedMs: RECEIVED_MS,
        },
      },
    },
    {
      name: 'drops a stale event even when it makes no report',
      event: anEvent('n1', 'VOLUME_START', { name: 'gv0' }),
      lastLookStartedMs: TS_MS + 5000,
      expected: { accepted: false, reason: 'stale' },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const options =
        tc.lastLookStartedMs === undefined ? {} : { lastLookStartedMs: tc.lastLookStartedMs };
      expect(classify(new EventLedger(), tc.event, options)).to.deep.equal(tc.expected);
    });
  }
});

describe('EventLedger: the N−1 reports of one disconnect', () => {
  it('counts the other members’ reports as duplicates that add their reporters', () => {
    const ledger = new EventLedger();
    expect(classify(ledger, aPeerDisconnect('n1', 'n4')).accepted).to.equal(true);
    const second = classify(ledger, aPeerDisconnect('n2', 'n4', TS + 1));
    expect(second).to.deep.include({ accepted: false, reason: 'duplicate' });
    // A new reporter: the report it joined comes back, to be written again.
    expect(second.accepted ? undefined : second.joined?.reporters).to.deep.equal(['n1', 'n2']);
    expect(classify(ledger, aPeerDisconnect('n3', 'n4'))).to.deep.include({
      accepted: false,
      reason: 'duplicate',
    });
    const [report, ...others] = ledger.reportsNewerThan(undefined);
    expect(others).to.deep.equal([]);
    expect(report?.reporters).to.deep.equal(['n1', 'n2', 'n3']);
    // The first report's time stays.
    expect(report?.tsSeconds).to.equal(TS);
  });

  it('drops the same body from the same reporter again as a replay', () => {
    const ledger = new EventLedger();
    const event = aPeerDisconnect('n1', 'n4');
    classify(ledger, event);
    expect(classify(ledger, event, { receivedMs: RECEIVED_MS + 10 })).to.deep.equal({
      accepted: false,
      reason: 'replayed',
    });
  });

  it('counts another body from the same reporter as a duplicate without adding it twice', () => {
    const ledger = new EventLedger();
    classify(ledger, aPeerDisconnect('n1', 'n4'));
    expect(classify(ledger, aPeerDisconnect('n1', 'n4', TS + 2))).to.deep.equal({
      accepted: false,
      reason: 'duplicate',
    });
    expect(ledger.reportsNewerThan(undefined).map((report) => report.reporters)).to.deep.equal([
      ['n1'],
    ]);
  });

  it('keeps brick reports per volume: the same brick in two volumes is two reports', () => {
    const ledger = new EventLedger();
    classify(ledger, aBrickDisconnect('n1', 'n2', '/bricks/b', 'gv0'));
    expect(classify(ledger, aBrickDisconnect('n1', 'n2', '/bricks/b', 'gv1')).accepted).to.equal(
      true,
    );
    expect(classify(ledger, aBrickDisconnect('n3', 'n2', '/bricks/b', 'gv1'))).to.deep.include({
      accepted: false,
      reason: 'duplicate',
    });
    expect(
      ledger.reportsNewerThan(undefined).map((report) => [report.volume, report.reporters]),
    ).to.deep.equal([
      ['gv0', ['n1']],
      ['gv1', ['n1', 'n3']],
    ]);
  });
});

describe('EventLedger: reports and looks', () => {
  /** A ledger with a peer report at TS and a brick report at TS + 10. */
  function aLedgerWithReports(): EventLedger {
    const ledger = new EventLedger();
    classify(ledger, aPeerDisconnect('n1', 'n2'));
    classify(ledger, aBrickDisconnect('n1', 'n3', '/bricks/b', 'gv0', TS + 10));
    return ledger;
  }
  const isPeer = (report: { event: string }): boolean => report.event === 'PEER_DISCONNECT';

  const newer: { name: string; lookStartedMs: number | undefined; subjects: string[] }[] = [
    {
      name: 'every report without a look',
      lookStartedMs: undefined,
      subjects: [uuidOf('n2'), 'n3:/bricks/b'],
    },
    {
      name: 'a look in the report’s own second sees it as newer',
      lookStartedMs: TS_MS + 999,
      subjects: [uuidOf('n2'), 'n3:/bricks/b'],
    },
    {
      name: 'a look after the report’s second covers it',
      lookStartedMs: TS_MS + 1000,
      subjects: ['n3:/bricks/b'],
    },
    { name: 'a look after both covers both', lookStartedMs: TS_MS + 11_000, subjects: [] },
  ];
  for (const tc of newer) {
    it(`reportsNewerThan: ${tc.name}`, () => {
      const subjects = aLedgerWithReports()
        .reportsNewerThan(tc.lookStartedMs)
        .map((report) => report.subject);
      expect(subjects).to.deep.equal(tc.subjects);
    });
  }

  it('reportsNewerThan selects by the predicate', () => {
    expect(
      aLedgerWithReports()
        .reportsNewerThan(undefined, isPeer)
        .map((report) => report.subject),
    ).to.deep.equal([uuidOf('n2')]);
  });

  it('settleBefore with a predicate removes only the reports it selects', () => {
    const ledger = aLedgerWithReports();
    ledger.settleBefore(TS_MS + 60_000, isPeer);
    expect(ledger.reportsNewerThan(undefined).map((report) => report.subject)).to.deep.equal([
      'n3:/bricks/b',
    ]);
  });

  it('settleBefore keeps the reports a look may not have seen', () => {
    const ledger = aLedgerWithReports();
    ledger.settleBefore(TS_MS + 999);
    expect(ledger.reportsNewerThan(undefined)).to.have.length(2);
    ledger.settleBefore(TS_MS + 1000);
    expect(ledger.reportsNewerThan(undefined).map((report) => report.subject)).to.deep.equal([
      'n3:/bricks/b',
    ]);
  });

  it('a settled disconnect reported again makes a new report', () => {
    const ledger = new EventLedger();
    classify(ledger, aPeerDisconnect('n1', 'n2'));
    ledger.settleBefore(TS_MS + 1000);
    const again = classify(ledger, aPeerDisconnect('n3', 'n2', TS + 5));
    expect(again.accepted && again.report?.reporters).to.deep.equal(['n3']);
  });

  it('noteWritten returns each report once, the first time it is written', () => {
    const ledger = aLedgerWithReports();
    const reports = ledger.reportsNewerThan(undefined);
    expect(ledger.noteWritten(reports, TS_MS + 2000)).to.deep.equal(reports);
    expect(ledger.noteWritten(reports, TS_MS + 3000)).to.deep.equal([]);
    expect(ledger.reportsNewerThan(undefined).map((report) => report.writtenMs)).to.deep.equal([
      TS_MS + 2000,
      TS_MS + 2000,
    ]);
  });

  it('noteWritten ignores a report that was settled meanwhile', () => {
    const ledger = aLedgerWithReports();
    const reports = ledger.reportsNewerThan(undefined, isPeer);
    ledger.settleBefore(TS_MS + 1000, isPeer);
    expect(ledger.noteWritten(reports, TS_MS + 2000)).to.deep.equal([]);
  });
});

describe('EventLedger: replay memory', () => {
  const event = anEvent('n1', 'VOLUME_START', { name: 'gv0' });
  const cases: { name: string; againAfterMs: number; expected: EventVerdict }[] = [
    {
      name: 'remembers a body for 15 minutes',
      againAfterMs: 15 * 60_000 - 1,
      expected: { accepted: false, reason: 'replayed' },
    },
    {
      name: 'forgets it after 15 minutes',
      againAfterMs: 15 * 60_000 + 1,
      expected: { accepted: true },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const ledger = new EventLedger();
      classify(ledger, event, { receivedMs: RECEIVED_MS });
      expect(classify(ledger, event, { receivedMs: RECEIVED_MS + tc.againAfterMs })).to.deep.equal(
        tc.expected,
      );
    });
  }

  it('remembers at most 4096 bodies, forgetting the oldest first', () => {
    const ledger = new EventLedger();
    for (let i = 0; i <= 4096; i++) classify(ledger, event, { digest: `body-${i}` });
    // 4097 bodies came: the first was forgotten, the second is still known.
    expect(classify(ledger, event, { digest: 'body-1' })).to.deep.equal({
      accepted: false,
      reason: 'replayed',
    });
    expect(classify(ledger, event, { digest: 'body-0' })).to.deep.equal({ accepted: true });
  });
});
