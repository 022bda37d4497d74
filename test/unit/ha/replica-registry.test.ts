import { expect } from 'chai';
import { ReplicaRegistry } from '../../../src/ha/replica-registry.js';

describe('ReplicaRegistry', () => {
  it('counts a replica present while its heartbeat changes, by this clock alone', () => {
    const registry = new ReplicaRegistry(45_000);
    // Heartbeat texts are whatever the writer's clock said: never compared with ours.
    registry.observe({ a: '1999-01-01T00:00:00Z', b: '2999-01-01T00:00:00Z' }, 0);
    expect(registry.seen(45_000)).to.deep.equal(['a', 'b']);
    registry.observe({ a: '1999-01-01T00:00:02Z', b: '2999-01-01T00:00:00Z' }, 40_000);
    expect(registry.seen(45_001)).to.deep.equal(['a']);
    expect(registry.withHeartbeat('c', 'now', 45_001)).to.deep.equal({
      a: '1999-01-01T00:00:02Z',
      c: 'now',
    });
  });

  it('forgets an entry that left the Lease (released, or pruned by another replica)', () => {
    const registry = new ReplicaRegistry(45_000);
    registry.observe({ a: '1', b: '1' }, 0);
    registry.observe({ a: '1' }, 1_000);
    expect(registry.seen(1_000)).to.deep.equal(['a']);
  });
});
