import { expect } from 'chai';
import type { EventRouterDeps } from '../../../../src/controller/events/event-router.js';
import { EventRouter } from '../../../../src/controller/events/event-router.js';
import type { DownReport } from '../../../../src/core/events/event-ledger.js';
import type { GlusterdEvent } from '../../../../src/core/events/glusterd-event.js';
import type { LoggedLine } from '../../../support/recording-logger.js';
import { recordingLogger } from '../../../support/recording-logger.js';
import {
  TS,
  TS_MS,
  aBrickDisconnect,
  aPeerDisconnect,
  anEvent,
  digestOf,
  membersOf,
  uuidOf,
} from '../../core/events/event-builders.js';

const KEY = 'storage/pool';
const TOKEN = 'T'.repeat(43);
const RECEIVED_MS = TS_MS + 300;

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function aDeferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * Fake deps that record every call. Status writes answer at once unless `holdWrites` is set:
 * then each write waits for its deferred in `pendingWrites`.
 */
class FakeDeps {
  readonly lines: LoggedLine[] = [];
  readonly clusters: string[] = [];
  readonly volumes: [string, string | undefined][] = [];
  readonly peerWrites: { key: string; reports: readonly DownReport[] }[] = [];
  readonly brickWrites: { key: string; volume: string; reports: readonly DownReport[] }[] = [];
  readonly events: [string, string][] = [];
  readonly reported: [string, number][] = [];
  readonly pendingWrites: Deferred[] = [];
  holdWrites = false;
  failWrites: Error | undefined;
  nowMs = RECEIVED_MS;

  deps(): EventRouterDeps {
    return {
      logger: recordingLogger(this.lines),
      enqueueCluster: (key) => this.clusters.push(key),
      enqueueVolumes: (key, volume) => this.volumes.push([key, volume]),
      reportPeersDown: (key, reports) => {
        this.peerWrites.push({ key, reports });
        return this.write();
      },
      reportBricksDown: (key, volume, reports) => {
        this.brickWrites.push({ key, volume, reports });
        return this.write();
      },
      onEvent: (event, result) => this.events.push([event, result]),
      onReported: (event, latencyMs) => this.reported.push([event, latencyMs]),
      nowMs: () => this.nowMs,
    };
  }

  private write(): Promise<void> {
    if (this.failWrites) return Promise.reject(this.failWrites);
    if (!this.holdWrites) return Promise.resolve();
    const deferred = aDeferred();
    this.pendingWrites.push(deferred);
    return deferred.promise;
  }
}

function aRouter(fake: FakeDeps, members = membersOf('n1', 'n2', 'n3', 'n4')): EventRouter {
  const router = new EventRouter(fake.deps());
  router.setPool(KEY, { token: TOKEN, members });
  return router;
}

function accept(router: EventRouter, event: GlusterdEvent, receivedMs = RECEIVED_MS): string {
  return router.accept(KEY, event, digestOf(event), receivedMs);
}

const reportersOf = (reports: readonly DownReport[]): string[][] =>
  reports.map((report) => [...report.reporters]);

describe('EventRouter: what an event starts', () => {
  const cases: {
    name: string;
    event: GlusterdEvent;
    result: string;
    clusters: string[];
    volumes: [string, string | undefined][];
    peerWrites: number;
    brickWrites: [string, string][];
  }[] = [
    {
      name: 'a PEER_DISCONNECT of a member writes peers and enqueues the cluster',
      event: aPeerDisconnect('n1', 'n2'),
      result: 'accepted',
      clusters: [KEY],
      volumes: [],
      peerWrites: 1,
      brickWrites: [],
    },
    {
      name: 'a BRICK_DISCONNECTED writes that volume’s bricks and enqueues the volume',
      event: aBrickDisconnect('n1', 'n2', '/bricks/gv0', 'gv0'),
      result: 'accepted',
      clusters: [],
      volumes: [[KEY, 'gv0']],
      peerWrites: 0,
      brickWrites: [[KEY, 'gv0']],
    },
    {
      name: 'a PEER_CONNECT only enqueues the cluster',
      event: anEvent('n1', 'PEER_CONNECT', { peer: 'n2', uuid: uuidOf('n2') }),
      result: 'accepted',
      clusters: [KEY],
      volumes: [],
      peerWrites: 0,
      brickWrites: [],
    },
    {
      name: 'a BRICK_CONNECTED only enqueues the volume: bricks are its pass’s business',
      event: anEvent('n1', 'BRICK_CONNECTED', { peer: 'n2', brick: '/b', volume: 'gv0' }),
      result: 'accepted',
      clusters: [],
      volumes: [[KEY, 'gv0']],
      peerWrites: 0,
      brickWrites: [],
    },
    {
      name: 'a PEER_DISCONNECT of a UUID that is not a member only enqueues the cluster',
      event: anEvent('n1', 'PEER_DISCONNECT', { peer: 'x', uuid: uuidOf('x') }),
      result: 'accepted',
      clusters: [KEY],
      volumes: [],
      peerWrites: 0,
      brickWrites: [],
    },
    {
      name: 'OPERATOR_PROBE is accepted and starts nothing',
      event: anEvent('n1', 'OPERATOR_PROBE'),
      result: 'accepted',
      clusters: [],
      volumes: [],
      peerWrites: 0,
      brickWrites: [],
    },
    {
      name: 'an event from a node that is not a member is dropped and starts nothing',
      event: aPeerDisconnect('stranger', 'n2'),
      result: 'unknown-node',
      clusters: [],
      volumes: [],
      peerWrites: 0,
      brickWrites: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const fake = new FakeDeps();
      const router = aRouter(fake);
      expect(accept(router, tc.event)).to.equal(tc.result);
      await router.settled();
      expect(fake.clusters).to.deep.equal(tc.clusters);
      expect(fake.volumes).to.deep.equal(tc.volumes);
      expect(fake.peerWrites).to.have.length(tc.peerWrites);
      expect(fake.brickWrites.map((write) => [write.key, write.volume])).to.deep.equal(
        tc.brickWrites,
      );
      expect(fake.events).to.deep.equal([[tc.event.type, tc.result]]);
    });
  }

  it('writes peers at once, before the write resolves, with the report', () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake);
    accept(router, aPeerDisconnect('n1', 'n2'));
    expect(fake.peerWrites).to.have.length(1);
    expect(fake.peerWrites[0]?.key).to.equal(KEY);
    expect(fake.peerWrites[0]?.reports).to.deep.equal([
      {
        event: 'PEER_DISCONNECT',
        subject: uuidOf('n2'),
        reporters: ['n1'],
        tsSeconds: TS,
        receivedMs: RECEIVED_MS,
      },
    ]);
  });

  it('drops everything for a pool it was never given', () => {
    const fake = new FakeDeps();
    const router = new EventRouter(fake.deps());
    expect(router.accept(KEY, aPeerDisconnect('n1', 'n2'), 'd', RECEIVED_MS)).to.equal(
      'unknown-node',
    );
    expect(fake.events).to.deep.equal([['PEER_DISCONNECT', 'unknown-node']]);
    expect(fake.clusters).to.deep.equal([]);
    expect(router.tokenOf(KEY)).to.equal(undefined);
  });

  it('drops everything once the pool is set to none', () => {
    const fake = new FakeDeps();
    const router = aRouter(fake);
    router.setPool(KEY, undefined);
    expect(accept(router, aPeerDisconnect('n1', 'n2'))).to.equal('unknown-node');
    expect(router.tokenOf(KEY)).to.equal(undefined);
  });

  it('tokenOf gives the pool’s token, and none for another pool', () => {
    const router = aRouter(new FakeDeps());
    expect(router.tokenOf(KEY)).to.equal(TOKEN);
    expect(router.tokenOf('storage/other')).to.equal(undefined);
  });

  it('lastEventMs is the receipt of the last accepted event, the probe left out', () => {
    const router = aRouter(new FakeDeps());
    expect(router.lastEventMs(KEY)).to.equal(undefined);
    accept(router, anEvent('n1', 'PEER_CONNECT'), RECEIVED_MS);
    accept(router, anEvent('n1', 'OPERATOR_PROBE'), RECEIVED_MS + 500);
    expect(router.lastEventMs(KEY)).to.equal(RECEIVED_MS);
  });
});

describe('EventRouter: writes while one is in flight', () => {
  // Every surviving member reports the disconnect: the status names them all, in one more write.
  it('2 more reporters of the same disconnect while the first write is in flight: exactly one more write, with all 3 reporters', async () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake);
    accept(router, aPeerDisconnect('n1', 'n4'));
    accept(router, aPeerDisconnect('n2', 'n4'));
    accept(router, aPeerDisconnect('n3', 'n4'));
    expect(fake.peerWrites).to.have.length(1);
    fake.pendingWrites.shift()?.resolve();
    fake.holdWrites = false;
    await router.settled();
    expect(fake.peerWrites.map((write) => reportersOf(write.reports))).to.deep.equal([
      [['n1']],
      [['n1', 'n2', 'n3']],
    ]);
  });

  it('2 new reports while the first write is in flight: exactly one more write, with all 3', async () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake, membersOf('n1', 'n2', 'n3', 'n4', 'n5'));
    accept(router, aPeerDisconnect('n1', 'n3'));
    accept(router, aPeerDisconnect('n1', 'n4'));
    accept(router, aPeerDisconnect('n1', 'n5'));
    expect(fake.peerWrites).to.have.length(1);
    fake.pendingWrites.shift()?.resolve();
    fake.holdWrites = false;
    await router.settled();
    expect(fake.peerWrites.map((write) => write.reports.map((r) => r.subject))).to.deep.equal([
      [uuidOf('n3')],
      [uuidOf('n3'), uuidOf('n4'), uuidOf('n5')],
    ]);
  });

  it('counts the other members’ reports of one disconnect as duplicates', () => {
    const fake = new FakeDeps();
    const router = aRouter(fake);
    expect(accept(router, aPeerDisconnect('n1', 'n4'))).to.equal('accepted');
    expect(accept(router, aPeerDisconnect('n2', 'n4'))).to.equal('duplicate');
    expect(router.peerReportsAfter(KEY, TS_MS).map((r) => [...r.reporters])).to.deep.equal([
      ['n1', 'n2'],
    ]);
    expect(fake.events.map(([, result]) => result)).to.deep.equal(['accepted', 'duplicate']);
  });

  it('writes bricks per volume: a write in flight for one volume does not hold another', () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake);
    accept(router, aBrickDisconnect('n1', 'n2', '/bricks/a', 'gv0'));
    accept(router, aBrickDisconnect('n1', 'n2', '/bricks/b', 'gv1'));
    expect(
      fake.brickWrites.map((write) => [write.volume, write.reports.map((r) => r.subject)]),
    ).to.deep.equal([
      ['gv0', ['n2:/bricks/a']],
      ['gv1', ['n2:/bricks/b']],
    ]);
  });
});

describe('EventRouter: reports and passes', () => {
  it('peerReportsAfter gives the reports a look may not have seen; settlePeers drops them', () => {
    const router = aRouter(new FakeDeps());
    accept(router, aPeerDisconnect('n1', 'n2'));
    accept(router, aBrickDisconnect('n1', 'n3', '/b', 'gv0'));
    expect(router.peerReportsAfter(KEY, TS_MS + 999).map((r) => r.subject)).to.deep.equal([
      uuidOf('n2'),
    ]);
    expect(router.peerReportsAfter(KEY, TS_MS + 1000)).to.deep.equal([]);
    expect(router.brickReportsAfter(KEY, 'gv0', TS_MS).map((r) => r.subject)).to.deep.equal([
      'n3:/b',
    ]);
    expect(router.brickReportsAfter(KEY, 'gv1', TS_MS)).to.deep.equal([]);

    router.settlePeers(KEY, TS_MS + 1000);
    expect(router.peerReportsAfter(KEY, 0)).to.deep.equal([]);
    // A pool's look settles peers, not bricks.
    expect(router.brickReportsAfter(KEY, 'gv0', 0)).to.have.length(1);
    router.settleBricks(KEY, 'gv0', TS_MS + 1000);
    expect(router.brickReportsAfter(KEY, 'gv0', 0)).to.deep.equal([]);
  });

  it('after settlePeers, an event from before that look is dropped as stale', () => {
    const fake = new FakeDeps();
    const router = aRouter(fake);
    router.settlePeers(KEY, TS_MS + 1000);
    expect(accept(router, aPeerDisconnect('n1', 'n2'))).to.equal('stale');
    expect(accept(router, aPeerDisconnect('n1', 'n3', TS + 1))).to.equal('accepted');
    expect(fake.clusters).to.deep.equal([KEY]);
  });

  it('an older settlePeers does not move the stale line back', () => {
    const router = aRouter(new FakeDeps());
    router.settlePeers(KEY, TS_MS + 5000);
    router.settlePeers(KEY, TS_MS);
    expect(accept(router, aPeerDisconnect('n1', 'n2', TS + 1))).to.equal('stale');
  });

  it('calls onReported once per report, with its receipt-to-status latency', async () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake);
    accept(router, aPeerDisconnect('n1', 'n2'), RECEIVED_MS);
    accept(router, aPeerDisconnect('n1', 'n3'), RECEIVED_MS + 40);
    fake.nowMs = RECEIVED_MS + 250;
    fake.pendingWrites.shift()?.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // The first write is done and measured; the second (n3's report) is in flight.
    expect(fake.peerWrites).to.have.length(2);
    expect(fake.reported).to.deep.equal([['PEER_DISCONNECT', 250]]);
    fake.nowMs = RECEIVED_MS + 400;
    fake.holdWrites = false;
    fake.pendingWrites.shift()?.resolve();
    await router.settled();
    expect(fake.peerWrites).to.have.length(2);
    expect(fake.reported).to.deep.equal([
      ['PEER_DISCONNECT', 250],
      ['PEER_DISCONNECT', 360],
    ]);
    // A pass that wrote the same reports again measures nothing more.
    router.notePassWrote(KEY, router.peerReportsAfter(KEY, 0));
    expect(fake.reported).to.have.length(2);
  });

  it('notePassWrote measures a report no event write carried yet', () => {
    const fake = new FakeDeps();
    fake.holdWrites = true;
    const router = aRouter(fake);
    accept(router, aPeerDisconnect('n1', 'n2'), RECEIVED_MS);
    fake.nowMs = RECEIVED_MS + 120;
    router.notePassWrote(KEY, router.peerReportsAfter(KEY, 0));
    expect(fake.reported).to.deep.equal([['PEER_DISCONNECT', 120]]);
  });

  it('logs a failed peers write, and the next event still writes', async () => {
    const fake = new FakeDeps();
    fake.failWrites = new Error('the API server refused');
    const router = aRouter(fake);
    accept(router, aPeerDisconnect('n1', 'n2'));
    await router.settled();
    expect(fake.lines.filter((line) => line.level === 'warn')).to.deep.equal([
      {
        level: 'warn',
        message: 'Failed to write a reported fault to status',
        meta: { key: KEY, error: 'the API server refused' },
      },
    ]);
    expect(fake.reported).to.deep.equal([]);

    fake.failWrites = undefined;
    expect(accept(router, aPeerDisconnect('n1', 'n3'))).to.equal('accepted');
    await router.settled();
    expect(fake.peerWrites).to.have.length(2);
    expect(fake.peerWrites[1]?.reports.map((r) => r.subject)).to.deep.equal([
      uuidOf('n2'),
      uuidOf('n3'),
    ]);
    expect(fake.reported).to.have.length(2);
    expect(fake.clusters).to.deep.equal([KEY, KEY]);
  });

  it('forget drops the pool and its reports', () => {
    const router = aRouter(new FakeDeps());
    accept(router, aPeerDisconnect('n1', 'n2'));
    router.forget(KEY);
    expect(router.peerReportsAfter(KEY, 0)).to.deep.equal([]);
    expect(router.tokenOf(KEY)).to.equal(undefined);
  });
});
