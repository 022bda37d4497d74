import type {
  LeaseChange,
  LeaseLock,
  LeaseRecord,
  LeaseSnapshot,
  ReplicaHeartbeats,
} from '../../../src/ha/lease-lock.js';

export type LockCall =
  | { readonly method: 'get' }
  | {
      readonly method: 'create';
      readonly record: LeaseRecord;
      readonly replicas: ReplicaHeartbeats;
    }
  | { readonly method: 'update'; readonly resourceVersion: string; readonly change: LeaseChange };

type CallOf<M extends LockCall['method']> = Extract<LockCall, { method: M }>;
type Answer<M extends LockCall['method'], R> = (
  call: CallOf<M>,
  signal: AbortSignal,
) => R | Promise<R>;

interface Expectation {
  readonly method: LockCall['method'];
  readonly answer: (call: LockCall, signal: AbortSignal) => unknown;
}

/**
 * A LeaseLock that answers from a script, in order, and throws on any call the script does not
 * expect (also recorded in `unexpected`, since the elector catches what the lock throws).
 */
export class FakeLeaseLock implements LeaseLock {
  readonly description = 'operators/gluster-operator-leader';
  readonly calls: LockCall[] = [];
  readonly unexpected: string[] = [];
  private readonly script: Expectation[] = [];

  onGet(answer: Answer<'get', LeaseSnapshot | undefined>): this {
    return this.push('get', answer);
  }

  onCreate(answer: Answer<'create', LeaseSnapshot>): this {
    return this.push('create', answer);
  }

  onUpdate(answer: Answer<'update', LeaseSnapshot>): this {
    return this.push('update', answer);
  }

  /** Every scripted call was made, and nothing else. */
  verify(): void {
    if (this.unexpected.length > 0) throw new Error(this.unexpected.join('\n'));
    if (this.script.length > 0) {
      throw new Error(`Calls never made: ${this.script.map((e) => e.method).join(', ')}`);
    }
  }

  get(signal: AbortSignal): Promise<LeaseSnapshot | undefined> {
    return this.answer({ method: 'get' }, signal) as Promise<LeaseSnapshot | undefined>;
  }

  create(
    record: LeaseRecord,
    replicas: ReplicaHeartbeats,
    signal: AbortSignal,
  ): Promise<LeaseSnapshot> {
    return this.answer({ method: 'create', record, replicas }, signal) as Promise<LeaseSnapshot>;
  }

  update(
    resourceVersion: string,
    change: LeaseChange,
    signal: AbortSignal,
  ): Promise<LeaseSnapshot> {
    return this.answer(
      { method: 'update', resourceVersion, change },
      signal,
    ) as Promise<LeaseSnapshot>;
  }

  private push<M extends LockCall['method']>(method: M, answer: Answer<M, unknown>): this {
    this.script.push({
      method,
      answer: (call, signal) => answer(call as CallOf<M>, signal),
    });
    return this;
  }

  private async answer(call: LockCall, signal: AbortSignal): Promise<unknown> {
    await Promise.resolve(); // answers come back asynchronously, as from a server
    this.calls.push(call);
    const next = this.script[0];
    if (next?.method !== call.method) {
      const message = `Unexpected LeaseLock.${call.method}() (call ${this.calls.length}; expected ${next?.method ?? 'nothing'})`;
      this.unexpected.push(message);
      throw new Error(message);
    }
    this.script.shift();
    return next.answer(call, signal);
  }
}

/** A Lease as the server would return it. */
export function aLease(
  holderIdentity: string,
  options: {
    readonly resourceVersion?: string;
    readonly renewTime?: Date;
    readonly acquireTime?: Date;
    readonly leaseDurationSeconds?: number;
    readonly leaseTransitions?: number;
    readonly replicas?: ReplicaHeartbeats;
  } = {},
): LeaseSnapshot {
  const renewTime = options.renewTime ?? new Date('2026-03-01T11:59:59.000Z');
  return {
    resourceVersion: options.resourceVersion ?? '100',
    record: {
      holderIdentity,
      leaseDurationSeconds: options.leaseDurationSeconds ?? 15,
      acquireTime: options.acquireTime ?? renewTime,
      renewTime,
      leaseTransitions: options.leaseTransitions ?? 0,
    },
    replicas: options.replicas ?? (holderIdentity === '' ? {} : { [holderIdentity]: 'x' }),
  };
}

/** What the server stores after `change`: a new resourceVersion, the rest as written. */
export function applied(
  snapshot: LeaseSnapshot,
  change: LeaseChange,
  resourceVersion = String(Number(snapshot.resourceVersion) + 1),
): LeaseSnapshot {
  return {
    resourceVersion,
    record: change.record ?? snapshot.record,
    replicas: change.replicas ?? snapshot.replicas,
  };
}

/** What the server stores after a create. */
export function created(
  record: LeaseRecord,
  replicas: ReplicaHeartbeats,
  resourceVersion = '1',
): LeaseSnapshot {
  return { resourceVersion, record, replicas };
}
