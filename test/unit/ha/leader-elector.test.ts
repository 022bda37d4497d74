import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { LeaderElector } from '../../../src/ha/leader-elector.js';
import { LeadershipEndedError } from '../../../src/ha/leadership-ended-error.js';
import type { LeaseSnapshot } from '../../../src/ha/lease-lock.js';
import { ConflictError, KubeApiError } from '../../../src/kube/kube-errors.js';
import { FakeLeaseLock, aLease, applied, created } from './fake-lease-lock.js';
import { ManualClock } from './manual-clock.js';

const ME = 'operator-7d9f_aaaa';
const OTHER = 'operator-5c2b_bbbb';
const wall = (ms: number): Date => ManualClock.wallAt(ms);
const beat = (ms: number): string => wall(ms).toISOString();

const unreachable = (): never => {
  throw new KubeApiError('Failed to read Lease: no answer from the API server', {
    cause: new Error('connect ECONNREFUSED 127.0.0.1:6443'),
  });
};
const conflict = (): never => {
  throw new ConflictError('Failed to update Lease: 409 Conflict', {
    cause: new Error('409'),
    code: 409,
    reason: 'Conflict',
  });
};

interface Harness {
  readonly clock: ManualClock;
  readonly lock: FakeLeaseLock;
  /** Callbacks and test marks, each with the manual clock's time: "started@0". */
  readonly events: string[];
  readonly leadingSignals: AbortSignal[];
  readonly elector: LeaderElector;
  /** Starts run(); the test then drives the clock. */
  start(): void;
  /** Ends run() (no release) and checks every scripted call was made, and nothing else. */
  finish(): Promise<void>;
}

function harness(
  options: { readonly work?: (signal: AbortSignal, events: string[]) => Promise<void> } = {},
): Harness {
  const clock = new ManualClock();
  const lock = new FakeLeaseLock();
  const events: string[] = [];
  const leadingSignals: AbortSignal[] = [];
  const at = (what: string): void => {
    events.push(`${what}@${clock.monotonicMs()}`);
  };
  const elector = new LeaderElector({
    lock,
    identity: ME,
    clock,
    callbacks: {
      onStartedLeading: (signal) => {
        at('started');
        leadingSignals.push(signal);
        return options.work?.(signal, events);
      },
      onStoppedLeading: () => {
        at('stopped');
      },
      onNewLeader: (identity) => {
        at(`leader ${identity === ME ? 'ME' : identity === OTHER ? 'OTHER' : identity}`);
      },
    },
  });
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  return {
    clock,
    lock,
    events,
    leadingSignals,
    elector,
    start() {
      running = elector.run(stop.signal);
    },
    async finish() {
      stop.abort();
      await running;
      lock.verify();
    },
  };
}

/** Scripts the leader's renewals: each a get of what is stored, then an update stored back. */
function scriptRenewals(lock: FakeLeaseLock, count: number, stored: { current: LeaseSnapshot }) {
  for (let i = 0; i < count; i += 1) {
    lock
      .onGet(() => stored.current)
      .onUpdate((call) => {
        expect(call.resourceVersion).to.equal(stored.current.resourceVersion);
        stored.current = applied(stored.current, call.change);
        return stored.current;
      });
  }
}

describe('LeaderElector', () => {
  it('acquires a lease nobody has created', async () => {
    const h = harness();
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => {
        expect(call.record).to.deep.equal({
          holderIdentity: ME,
          leaseDurationSeconds: 15,
          acquireTime: wall(0),
          renewTime: wall(0),
          leaseTransitions: 0,
        });
        expect(call.replicas).to.deep.equal({ [ME]: beat(0) });
        return created(call.record, call.replicas);
      });
    expect(h.elector.status()).to.deep.equal({
      role: 'none',
      identity: ME,
      leader: undefined,
      replicasSeen: [],
    });
    h.start();
    expect(await h.clock.asleep()).to.equal(2_000);
    expect(h.elector.status()).to.deep.equal({
      role: 'master',
      identity: ME,
      leader: ME,
      replicasSeen: [ME],
    });
    expect(h.elector.isLeader()).to.equal(true);
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0']);
    expect(h.leadingSignals[0]?.aborted).to.equal(false);
    await h.finish();
    // run() ending stops the work but does not give the lease back (as when killed).
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0', 'stopped@0']);
    expect(h.leadingSignals[0]?.aborted).to.equal(true);
    expect(h.elector.status().role).to.equal('none');
  });

  it('acquires a released lease at once and counts a transition', async () => {
    const h = harness();
    const released = aLease('', {
      resourceVersion: '41',
      leaseTransitions: 3,
      leaseDurationSeconds: 1,
    });
    h.lock
      .onGet(() => released)
      .onUpdate((call) => {
        expect(call.resourceVersion).to.equal('41');
        expect(call.change.record).to.deep.include({ holderIdentity: ME, leaseTransitions: 4 });
        return applied(released, call.change);
      });
    h.start();
    await h.clock.asleep();
    expect(h.elector.status().role).to.equal('master');
    await h.finish();
  });

  it('respects a live lease held by another replica, whatever its renewTime says', async () => {
    const h = harness();
    // A renewTime 26 years old: another machine's clock is never compared with ours.
    const foreign = aLease(OTHER, { resourceVersion: '7', renewTime: new Date('2000-01-01') });
    h.lock
      .onGet(() => foreign)
      .onUpdate((call) => {
        // The standby's heartbeat: the annotation only, never the record.
        expect(call.change).to.deep.equal({ replicas: { [OTHER]: 'x', [ME]: beat(0) } });
        return applied(foreign, call.change);
      });
    h.lock.onGet(() => applied(foreign, {}, '8'));
    h.start();
    expect(await h.clock.asleep()).to.equal(2_000);
    expect(h.elector.status()).to.deep.equal({
      role: 'slave',
      identity: ME,
      leader: OTHER,
      replicasSeen: [OTHER, ME],
    });
    expect(await h.clock.tick()).to.equal(2_000);
    expect(h.elector.status().role).to.equal('slave');
    expect(h.events).to.deep.equal(['leader OTHER@0']);
    await h.finish();
  });

  it('takes over a lease whose holder stopped renewing, one lease duration after it last saw it change', async () => {
    const h = harness();
    const foreign = aLease(OTHER, { resourceVersion: '7', leaseTransitions: 2 });
    let stored = foreign;
    h.lock.onGet(() => foreign).onUpdate((call) => (stored = applied(foreign, call.change)));
    for (let t = 2_000; t <= 14_000; t += 2_000) h.lock.onGet(() => stored);
    h.lock
      .onGet(() => stored)
      .onUpdate((call) => {
        expect(call.resourceVersion).to.equal('8');
        expect(call.change.record).to.deep.equal({
          holderIdentity: ME,
          leaseDurationSeconds: 15,
          acquireTime: wall(15_000),
          renewTime: wall(15_000),
          leaseTransitions: 3,
        });
        return applied(stored, call.change);
      });
    h.start();
    const delays = [await h.clock.asleep()];
    for (let i = 0; i < 8; i += 1) delays.push(await h.clock.tick());
    // Looks every retry period, and once more exactly when the lease expires.
    expect(delays).to.deep.equal([2_000, 2_000, 2_000, 2_000, 2_000, 2_000, 2_000, 1_000, 2_000]);
    expect(h.events).to.deep.equal(['leader OTHER@0', 'leader ME@15000', 'started@15000']);
    expect(h.elector.status()).to.include({ role: 'master', leader: ME });
    await h.finish();
  });

  it('never takes a lease that keeps being renewed, and heartbeats once per lease duration', async () => {
    const h = harness();
    let stored = aLease(OTHER, { resourceVersion: '10' });
    const heartbeats: number[] = [];
    const renewedByOther = (t: number): LeaseSnapshot =>
      (stored = {
        ...stored,
        resourceVersion: String(Number(stored.resourceVersion) + 1),
        record: { ...stored.record, renewTime: new Date(Date.parse('2026-03-01T11:59:59Z') + t) },
      });
    const heartbeat = (t: number) =>
      h.lock.onUpdate((call) => {
        heartbeats.push(t);
        expect(call.change.record).to.equal(undefined);
        return (stored = applied(stored, call.change));
      });
    h.lock.onGet(() => stored);
    heartbeat(0);
    for (let t = 2_000; t <= 20_000; t += 2_000) {
      h.lock.onGet(() => renewedByOther(t));
      if (t === 16_000) heartbeat(t);
    }
    h.start();
    await h.clock.asleep();
    for (let t = 2_000; t <= 20_000; t += 2_000) await h.clock.tick();
    expect(heartbeats).to.deep.equal([0, 16_000]);
    expect(h.elector.status()).to.include({ role: 'slave', leader: OTHER });
    expect(h.events).to.deep.equal(['leader OTHER@0']);
    await h.finish();
  });

  it('renews every retry period, keeping acquireTime and transitions', async () => {
    const h = harness();
    const stored = { current: aLease('') };
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => (stored.current = created(call.record, call.replicas)));
    h.lock
      .onGet(() => stored.current)
      .onUpdate((call) => {
        expect(call.change.record).to.deep.equal({
          holderIdentity: ME,
          leaseDurationSeconds: 15,
          acquireTime: wall(0),
          renewTime: wall(2_000),
          leaseTransitions: 0,
        });
        expect(call.change.replicas).to.deep.equal({ [ME]: beat(2_000) });
        return (stored.current = applied(stored.current, call.change));
      });
    scriptRenewals(h.lock, 2, stored);
    h.start();
    await h.clock.asleep();
    expect([await h.clock.tick(), await h.clock.tick(), await h.clock.tick()]).to.deep.equal([
      2_000, 2_000, 2_000,
    ]);
    expect(stored.current.record.renewTime).to.deep.equal(wall(6_000));
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0']);
    await h.finish();
  });

  it('steps down when it cannot renew within the renew deadline, before the lease could pass', async () => {
    const h = harness();
    h.lock.onGet(() => undefined).onCreate((call) => created(call.record, call.replicas));
    for (let t = 2_000; t <= 16_000; t += 2_000) h.lock.onGet(unreachable);
    h.start();
    await h.clock.asleep();
    for (let t = 2_000; t <= 8_000; t += 2_000) await h.clock.tick();
    expect(h.elector.status().role).to.equal('master');
    await h.clock.tick(); // t = 10 s: the renew deadline
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0', 'stopped@10000']);
    // A standby may take the lease 15 s after it saw the last renewal (sent at 0): later than 10 s.
    expect(h.leadingSignals[0]?.reason).to.be.instanceOf(LeadershipEndedError);
    expect((h.leadingSignals[0]?.reason as Error).message).to.contain('renew deadline');
    // Still a standby while the lease was read within a lease duration; then not joined.
    expect(h.elector.status()).to.include({ role: 'slave', leader: undefined });
    await h.clock.tick(); // 12 s
    await h.clock.tick(); // 14 s
    expect(h.elector.status().role).to.equal('slave');
    await h.clock.tick(); // 16 s
    expect(h.elector.status()).to.deep.equal({
      role: 'none',
      identity: ME,
      leader: undefined,
      replicasSeen: [],
    });
    await h.finish();
  });

  it('steps down at the renew deadline even while a renewal hangs', async () => {
    const h = harness();
    const stored = { current: aLease('') };
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => (stored.current = created(call.record, call.replicas)));
    scriptRenewals(h.lock, 1, stored); // t = 2 s: the deadline moves to 12 s
    let hanging: () => void = () => undefined;
    const reachedHang = new Promise<void>((resolve) => (hanging = resolve));
    h.lock
      .onGet(() => stored.current)
      .onUpdate(
        (_call, signal) =>
          new Promise((_resolve, reject) => {
            hanging();
            signal.addEventListener('abort', () => {
              reject(signal.reason as Error);
            });
          }),
      );
    h.lock.onGet(unreachable);
    h.start();
    await h.clock.asleep();
    await h.clock.tick();
    h.clock.advance(await h.clock.asleep()); // t = 4 s: this renewal never answers
    await reachedHang;
    h.clock.advance(7_999);
    await Promise.resolve();
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0']);
    h.clock.advance(1); // 12 s: the request is abandoned and the leader steps down
    expect(await h.clock.asleep()).to.equal(2_000);
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0', 'stopped@12000']);
    h.clock.advance(2_000);
    await h.clock.asleep();
    await h.finish();
  });

  it('loses the race for a free lease (409) and follows the winner', async () => {
    const h = harness();
    h.lock.onGet(() => aLease('', { resourceVersion: '5' })).onUpdate(conflict);
    const taken = aLease(OTHER, { resourceVersion: '6' });
    h.lock
      .onGet(() => taken)
      .onUpdate((call) => {
        expect(call.change.record).to.equal(undefined);
        return applied(taken, call.change);
      });
    h.start();
    await h.clock.asleep();
    expect(h.elector.status()).to.include({ role: 'slave', leader: OTHER });
    expect(h.events).to.deep.equal(['leader OTHER@0']);
    await h.finish();
  });

  it('loses the race to create the lease (409 AlreadyExists) and follows the winner', async () => {
    const h = harness();
    const taken = aLease(OTHER, { resourceVersion: '2' });
    h.lock
      .onGet(() => undefined)
      .onCreate(conflict)
      .onGet(() => taken)
      .onUpdate((call) => applied(taken, call.change));
    h.start();
    await h.clock.asleep();
    expect(h.elector.status()).to.include({ role: 'slave', leader: OTHER });
    await h.finish();
  });

  it('retries at once a renewal that conflicted with a standby heartbeat', async () => {
    const h = harness();
    const stored = { current: aLease('') };
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => (stored.current = created(call.record, call.replicas, '1')));
    h.lock.onGet(() => stored.current).onUpdate(conflict);
    h.lock
      .onGet(() => {
        // Meanwhile OTHER wrote its heartbeat: only the annotation changed.
        stored.current = applied(stored.current, {
          replicas: { ...stored.current.replicas, [OTHER]: 'y' },
        });
        return stored.current;
      })
      .onUpdate((call) => {
        expect(call.resourceVersion).to.equal('2');
        expect(call.change.replicas).to.deep.equal({ [ME]: beat(2_000), [OTHER]: 'y' });
        return (stored.current = applied(stored.current, call.change));
      });
    h.start();
    await h.clock.asleep();
    await h.clock.tick();
    expect(h.elector.status()).to.deep.equal({
      role: 'master',
      identity: ME,
      leader: ME,
      replicasSeen: [OTHER, ME],
    });
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0']);
    await h.finish();
  });

  it('steps down at once when it finds another replica holding the lease', async () => {
    const h = harness();
    h.lock.onGet(() => undefined).onCreate((call) => created(call.record, call.replicas));
    h.lock.onGet(() => aLease(OTHER, { resourceVersion: '9' }));
    h.start();
    await h.clock.asleep();
    await h.clock.tick();
    expect(h.events).to.deep.equal([
      'leader ME@0',
      'started@0',
      'stopped@2000',
      'leader OTHER@2000',
    ]);
    expect(h.elector.status()).to.include({ role: 'slave', leader: OTHER });
    await h.finish();
  });

  it('release() stops the work, waits for it, then clears the holder so a standby takes over', async () => {
    const h = harness({
      work: async (signal, events) => {
        await new Promise((resolve) => {
          signal.addEventListener('abort', resolve);
        });
        await new Promise((resolve) => setImmediate(resolve));
        events.push('work finished');
      },
    });
    let stored = aLease('');
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => (stored = created(call.record, { ...call.replicas, [OTHER]: 'y' })));
    h.lock
      .onGet(() => stored)
      .onUpdate((call) => {
        h.events.push('lease written');
        expect(call.change).to.deep.equal({
          record: {
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: wall(0),
            renewTime: wall(0),
            leaseTransitions: 0,
          },
          replicas: { [OTHER]: 'y' },
        });
        return applied(stored, call.change);
      });
    h.start();
    await h.clock.asleep();
    await h.elector.release();
    expect(h.events).to.deep.equal([
      'leader ME@0',
      'started@0',
      'stopped@0',
      'work finished',
      'lease written',
    ]);
    expect(h.elector.status()).to.deep.equal({
      role: 'none',
      identity: ME,
      leader: undefined,
      replicasSeen: [OTHER],
    });
    await h.finish();
  });

  it('release() as a standby removes only its own heartbeat', async () => {
    const h = harness();
    let stored = aLease(OTHER, { resourceVersion: '3' });
    h.lock.onGet(() => stored).onUpdate((call) => (stored = applied(stored, call.change)));
    h.lock
      .onGet(() => stored)
      .onUpdate((call) => {
        expect(call.change).to.deep.equal({ replicas: { [OTHER]: 'x' } });
        return applied(stored, call.change);
      });
    h.start();
    await h.clock.asleep();
    await h.elector.release();
    expect(h.elector.status().role).to.equal('none');
    await h.finish();
  });

  it('gives the lease back when the leading work ends on its own, and holds off one lease duration', async () => {
    const h = harness({
      work: async () => {
        await Promise.resolve();
      },
    });
    let stored = aLease('');
    h.lock
      .onGet(() => undefined)
      .onCreate((call) => (stored = created(call.record, call.replicas)));
    h.lock
      .onGet(() => stored)
      .onUpdate((call) => {
        expect(call.change.record?.holderIdentity).to.equal('');
        return (stored = applied(stored, call.change));
      });
    // t = 4 … 16 s: a free lease it may not take yet (its heartbeat is due at 15 s).
    for (let t = 4_000; t <= 16_000; t += 2_000) {
      h.lock.onGet(() => stored);
      if (t === 16_000) h.lock.onUpdate((call) => (stored = applied(stored, call.change)));
    }
    h.lock
      .onGet(() => stored)
      .onUpdate((call) => {
        expect(call.change.record?.holderIdentity).to.equal(ME);
        return (stored = applied(stored, call.change));
      });
    h.start();
    await h.clock.asleep();
    expect(h.events).to.deep.equal(['leader ME@0', 'started@0', 'stopped@0']);
    for (let t = 2_000; t <= 18_000; t += 2_000) await h.clock.tick();
    expect(h.events).to.deep.equal([
      'leader ME@0',
      'started@0',
      'stopped@0',
      'leader ME@18000',
      'started@18000',
      'stopped@18000',
    ]);
    await h.finish();
  });

  it('lists the replicas it sees, and drops one whose heartbeat stayed unchanged for three lease durations', async () => {
    const h = harness();
    const stored = { current: aLease('', { resourceVersion: '1', replicas: { [OTHER]: 'x' } }) };
    h.lock
      .onGet(() => stored.current)
      .onUpdate((call) => {
        expect(call.change.replicas).to.deep.equal({ [OTHER]: 'x', [ME]: beat(0) });
        return (stored.current = applied(stored.current, call.change));
      });
    scriptRenewals(h.lock, 23, stored); // t = 2 … 46 s
    h.start();
    await h.clock.asleep();
    expect(h.elector.status().replicasSeen).to.deep.equal([OTHER, ME]);
    for (let t = 2_000; t <= 44_000; t += 2_000) await h.clock.tick();
    expect(h.elector.status().replicasSeen).to.deep.equal([OTHER, ME]);
    expect(stored.current.replicas).to.have.property(OTHER);
    await h.clock.tick(); // 46 s: OTHER's heartbeat has not changed for more than 45 s
    expect(h.elector.status().replicasSeen).to.deep.equal([ME]);
    expect(stored.current.replicas).to.deep.equal({ [ME]: beat(46_000) });
    await h.finish();
  });

  it('refuses timings where a leader could outlive its lease, and a second run()', async () => {
    const lock = new FakeLeaseLock();
    expect(
      () => new LeaderElector({ lock, identity: ME, timings: { renewDeadlineMs: 15_000 } }),
    ).to.throw(
      InvalidArgumentError,
      'renewDeadlineMs (15000 ms) must be shorter than leaseDurationMs',
    );
    expect(() => new LeaderElector({ lock, identity: ' ' })).to.throw(InvalidArgumentError);
    const clock = new ManualClock();
    lock.onGet(() => aLease(OTHER)).onUpdate((call) => applied(aLease(OTHER), call.change));
    const elector = new LeaderElector({ lock, identity: ME, clock });
    const stop = new AbortController();
    const running = elector.run(stop.signal);
    await clock.asleep();
    let error: unknown;
    try {
      await elector.run(stop.signal);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidArgumentError);
    stop.abort();
    await running;
    lock.verify();
  });
});
