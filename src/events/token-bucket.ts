import { InvalidArgumentError } from '../errors.js';

export interface TokenBucketOptions {
  /** Tokens added per second, up to `burst`. */
  readonly ratePerSecond: number;
  /** How many tokens the bucket holds: the most requests let through at once after a quiet spell. */
  readonly burst: number;
  /** Milliseconds clock; default Date.now. Injected so tests do not sleep. */
  readonly now?: () => number;
}

/**
 * A token bucket: starts full, refills continuously at `ratePerSecond`, and each `tryTake`
 * spends one token. Refilling is computed lazily from the clock on each call, so an idle bucket
 * costs nothing.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #lastMs: number;

  constructor(options: TokenBucketOptions) {
    checkRate(options);
    this.#ratePerMs = options.ratePerSecond / 1_000;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.burst;
    this.#lastMs = this.#now();
  }

  /** Spends a token when there is one: true means go ahead, false means over the rate. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket has refilled completely: it is then no different from a new one. */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.#burst;
  }

  #refill(): void {
    const nowMs = this.#now();
    // A clock that steps back (wall clock adjusted) must not drain the bucket.
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = Math.max(this.#lastMs, nowMs);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedMs * this.#ratePerMs);
  }
}

export interface KeyedTokenBucketsOptions extends TokenBucketOptions {
  /** At most this many keys have a bucket at once. Default 10,000. */
  readonly maxKeys?: number;
}

/**
 * One TokenBucket per key (a pool, say), with a bounded number of keys: the keys come from
 * requests, so an unbounded map would let anyone grow the process by inventing keys.
 */
export class KeyedTokenBuckets {
  /** In order of last use, least recent first (a Map keeps insertion order; a use re-inserts). */
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #options: TokenBucketOptions;
  readonly #maxKeys: number;

  constructor(options: KeyedTokenBucketsOptions) {
    checkRate(options);
    const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new InvalidArgumentError(`maxKeys must be a positive integer, not ${maxKeys}`);
    }
    this.#maxKeys = maxKeys;
    this.#options = {
      ratePerSecond: options.ratePerSecond,
      burst: options.burst,
      ...(options.now ? { now: options.now } : {}),
    };
  }

  /** Spends a token from the key's bucket (a new key starts with a full one). */
  tryTake(key: string): boolean {
    let bucket = this.#buckets.get(key);
    if (bucket) {
      this.#buckets.delete(key);
    } else {
      if (this.#buckets.size >= this.#maxKeys) this.#makeRoom();
      bucket = new TokenBucket(this.#options);
    }
    this.#buckets.set(key, bucket);
    return bucket.tryTake();
  }

  /** How many keys have a bucket now. */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * First drops every full bucket (forgetting it loses nothing: a new one starts full); if that
   * frees too little, drops the least recently used down to 90% of the bound. Freeing a tenth at
   * a time keeps a flood of new keys from paying a full scan on every request.
   */
  #makeRoom(): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFull()) this.#buckets.delete(key);
    }
    const target = Math.floor(this.#maxKeys * 0.9);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= target) break;
      this.#buckets.delete(key);
    }
  }
}

const DEFAULT_MAX_KEYS = 10_000;

function checkRate(options: TokenBucketOptions): void {
  if (!Number.isFinite(options.ratePerSecond) || options.ratePerSecond <= 0) {
    throw new InvalidArgumentError(
      `ratePerSecond must be a positive number, not ${options.ratePerSecond}`,
    );
  }
  if (!Number.isFinite(options.burst) || options.burst < 1) {
    throw new InvalidArgumentError(`burst must be at least 1, not ${options.burst}`);
  }
}
