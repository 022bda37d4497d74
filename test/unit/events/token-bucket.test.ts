import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { KeyedTokenBuckets, TokenBucket } from '../../../src/events/token-bucket.js';

/** A clock the test moves by hand. */
function aClock(startMs = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

function takeTimes(take: () => boolean, times: number): boolean[] {
  return Array.from({ length: times }, () => take());
}

describe('TokenBucket', () => {
  it('starts full: lets `burst` through at once, then refuses', () => {
    const clock = aClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 3, now: clock.now });
    expect(takeTimes(() => bucket.tryTake(), 4)).to.deep.equal([true, true, true, false]);
  });

  it('refills at the rate, fractions included, and never above the burst', () => {
    const clock = aClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2, now: clock.now });
    expect(takeTimes(() => bucket.tryTake(), 3)).to.deep.equal([true, true, false]);
    clock.advance(50); // half a token
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(50); // the other half
    expect(bucket.tryTake()).to.equal(true);
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(60_000);
    expect(bucket.isFull()).to.equal(true);
    expect(takeTimes(() => bucket.tryTake(), 3)).to.deep.equal([true, true, false]);
  });

  it('is not drained by a clock that steps back', () => {
    const clock = aClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1, now: clock.now });
    expect(bucket.tryTake()).to.equal(true);
    clock.advance(-10_000);
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(10_000); // back where it was: no time has passed since the take
    expect(bucket.tryTake()).to.equal(false);
    clock.advance(1_000);
    expect(bucket.tryTake()).to.equal(true);
  });

  const invalid: { name: string; options: { ratePerSecond: number; burst: number } }[] = [
    { name: 'a zero rate', options: { ratePerSecond: 0, burst: 1 } },
    { name: 'a negative rate', options: { ratePerSecond: -1, burst: 1 } },
    { name: 'an infinite rate', options: { ratePerSecond: Infinity, burst: 1 } },
    { name: 'a burst below one', options: { ratePerSecond: 1, burst: 0.5 } },
    { name: 'a NaN burst', options: { ratePerSecond: 1, burst: NaN } },
  ];
  for (const tc of invalid) {
    it(`refuses ${tc.name}`, () => {
      expect(() => new TokenBucket(tc.options)).to.throw(InvalidArgumentError);
      expect(() => new KeyedTokenBuckets(tc.options)).to.throw(InvalidArgumentError);
    });
  }
});

describe('KeyedTokenBuckets', () => {
  it('keeps one bucket per key: one key running dry leaves the others alone', () => {
    const clock = aClock();
    const buckets = new KeyedTokenBuckets({ ratePerSecond: 1, burst: 2, now: clock.now });
    expect(takeTimes(() => buckets.tryTake('storage/a'), 3)).to.deep.equal([true, true, false]);
    expect(takeTimes(() => buckets.tryTake('storage/b'), 2)).to.deep.equal([true, true]);
    expect(buckets.tryTake('storage/a')).to.equal(false);
    clock.advance(1_000);
    expect(buckets.tryTake('storage/a')).to.equal(true);
    expect(buckets.size).to.equal(2);
  });

  it('when full, forgets buckets that have refilled before any that still hold a debt', () => {
    const clock = aClock();
    const buckets = new KeyedTokenBuckets({
      ratePerSecond: 1,
      burst: 2,
      maxKeys: 3,
      now: clock.now,
    });
    // "drained" is the oldest key, but it is the one with state worth keeping.
    takeTimes(() => buckets.tryTake('drained'), 3);
    buckets.tryTake('idle-1');
    buckets.tryTake('idle-2');
    clock.advance(1_500); // idle-1 and idle-2 refill; drained holds 1.5 of 2
    expect(buckets.tryTake('new')).to.equal(true);
    expect(buckets.size).to.equal(2);
    // drained kept its partial bucket: one token left, not a fresh burst of two.
    expect(takeTimes(() => buckets.tryTake('drained'), 2)).to.deep.equal([true, false]);
  });

  it('when no bucket is idle, drops the least recently used, so keys stay bounded', () => {
    const clock = aClock();
    const buckets = new KeyedTokenBuckets({
      ratePerSecond: 1,
      burst: 1,
      maxKeys: 10,
      now: clock.now,
    });
    for (let index = 0; index < 10; index += 1) {
      expect(buckets.tryTake(`key-${index}`)).to.equal(true);
    }
    expect(buckets.tryTake('key-0')).to.equal(false); // key-0 is now the most recent
    for (let index = 10; index < 1_000; index += 1) buckets.tryTake(`key-${index}`);
    expect(buckets.size).to.be.at.most(10);
    // An evicted key comes back with a fresh (full) bucket.
    expect(buckets.tryTake('key-5')).to.equal(true);
  });

  it('keeps the most recently used key when it has to drop one', () => {
    const clock = aClock();
    const buckets = new KeyedTokenBuckets({
      ratePerSecond: 1,
      burst: 1,
      maxKeys: 2,
      now: clock.now,
    });
    buckets.tryTake('a');
    buckets.tryTake('b');
    expect(buckets.tryTake('a')).to.equal(false); // a is used again: b is the oldest now
    buckets.tryTake('c'); // evicts b, keeps a (still empty)
    expect(buckets.tryTake('a')).to.equal(false);
  });

  it('refuses a maxKeys that is not a positive integer', () => {
    expect(() => new KeyedTokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 0 })).to.throw(
      InvalidArgumentError,
    );
  });
});
