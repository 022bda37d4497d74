import { expect } from 'chai';
import type { HaRole } from '../../../src/ha/ha-role.js';
import { isReplicaReady } from '../../../src/ha/replica-readiness.js';

describe('isReplicaReady', () => {
  const cases: readonly {
    readonly name: string;
    readonly role: HaRole;
    readonly watchLive: boolean;
    readonly ready: boolean;
  }[] = [
    { name: 'a leader whose watch is live', role: 'master', watchLive: true, ready: true },
    { name: 'a leader whose watch is down', role: 'master', watchLive: false, ready: false },
    { name: 'a standby that reaches the lease', role: 'slave', watchLive: false, ready: true },
    {
      name: 'a replica not (or no longer) in the election',
      role: 'none',
      watchLive: true,
      ready: false,
    },
  ];
  for (const tc of cases) {
    it(`${tc.ready ? 'is' : 'is not'} Ready: ${tc.name}`, () => {
      expect(isReplicaReady({ role: tc.role }, tc.watchLive)).to.equal(tc.ready);
    });
  }
});
