import { expect } from 'chai';
import type { GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { createVolume, deleteVolume, poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

describe('the operator against a real API server and real glusterd nodes', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('opr', 4);
  let harness: OperatorHarness;
  const n = (index: number) => pool().node(index);
  const specOf = (
    indexes: number[],
    extra: Partial<GlusterClusterSpec> = {},
  ): GlusterClusterSpec => ({
    nodes: indexes.map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
    ...extra,
  });

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('e2e', pool());
    harness.start();
  });
  after(async () => {
    await harness.stop();
  });

  it('forms a pool of three and reports it Ready with three connected members', async () => {
    await harness.apply('pool', specOf([0, 1, 2]));
    // Versions and the op-version come with the pass that follows the probes.
    const ready = await harness.waitFor(
      'pool',
      'be Ready with 3 members, versions read',
      (c) => isReadyAt(c, 3) && c.status?.opVersion !== undefined,
    );
    expect(ready.status?.nodes?.map((node) => node.state)).to.deep.equal([
      'Connected',
      'Connected',
      'Connected',
    ]);
    expect(ready.status?.commandNode).to.equal(n(0).ipv4);
    expect(ready.status?.opVersion).to.be.at.least(100000);
    expect(condition(ready, 'Stalled')).to.equal('False NotStalled');
    expect(condition(ready, 'Reconciling')).to.equal('False Reconciled');
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([3, 3, 3]);
    const events = await harness.events('pool');
    expect(events.filter((event) => event.startsWith('Probed: '))).to.have.length(2);
  });

  it('probes a node added to spec', async () => {
    await harness.apply('pool', specOf([0, 1, 2, 3]));
    await harness.waitFor('pool', 'be Ready with 4 members', (c) => isReadyAt(c, 4));
  });

  it('detaches a node removed from spec', async () => {
    await harness.apply('pool', specOf([0, 1, 2]));
    const ready = await harness.waitFor('pool', 'be Ready with 3 members again', (c) =>
      isReadyAt(c, 3),
    );
    expect(ready.status?.unmanagedMembers ?? []).to.deep.equal([]);
    expect((await poolSnapshot(pool().pool, [n(3)]))['n4']).to.deep.equal([n(3).hostname]);
    expect((await harness.events('pool')).some((event) => event.startsWith('Detached: '))).to.equal(
      true,
    );
  });

  it('does not detach a removed node that hosts a brick, and says why', async () => {
    await createVolume(pool().pool, n(0), 'held', [n(0), n(2)]);
    try {
      await harness.apply('pool', specOf([0, 1]));
      const stalled = await harness.waitFor(
        'pool',
        'be Stalled on the brick host',
        (c) =>
          condition(c, 'Stalled') === 'True DetachBlockedBricks' &&
          c.status?.observedGeneration === c.metadata.generation,
      );
      expect(condition(stalled, 'Ready')).to.equal('False UnmanagedMembers');
      expect(condition(stalled, 'Degraded')).to.equal('True DetachBlockedBricks');
      expect(stalled.status?.unmanagedMembers?.map((member) => member.connected)).to.deep.equal([
        true,
      ]);
      // Still a member, several passes later.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect((await poolSnapshot(pool().pool, [n(0)]))['n1']).to.have.length(3);
      expect(
        (await harness.events('pool')).some((event) => event.startsWith('DetachBlockedBricks: ')),
      ).to.equal(true);
    } finally {
      await harness.apply('pool', specOf([0, 1, 2]));
      await harness.waitFor('pool', 'be Ready with 3 members again', (c) => isReadyAt(c, 3));
      await deleteVolume(pool().pool, n(0), 'held');
    }
  });

  it('reports glusterd down on a member truthfully, detaches nothing, and recovers', async () => {
    const before = await poolSnapshot(pool().pool, [n(0), n(1)]);
    await pool().pool.stopGlusterd(n(2));
    try {
      const down = await harness.waitFor(
        'pool',
        'report n3 GlusterdDown',
        (c) => c.status?.nodes?.[2]?.state === 'GlusterdDown',
      );
      expect(condition(down, 'Ready')).to.equal('False GlusterdDown');
      expect(condition(down, 'Degraded')).to.equal('True GlusterdDown');
      expect(down.status?.nodes?.[2]).to.include({ sshReachable: true, glusterdRunning: false });
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(await poolSnapshot(pool().pool, [n(0), n(1)])).to.deep.equal(before);
    } finally {
      await pool().pool.startGlusterd(n(2));
    }
    await harness.waitFor('pool', 'be Ready again', (c) => isReadyAt(c, 3));
  });

  it('reports a node cut off from the network, and detaches nothing', async () => {
    const before = await poolSnapshot(pool().pool, [n(0), n(1)]);
    await pool().pool.cutLink(n(2));
    try {
      const cut = await harness.waitFor(
        'pool',
        'report n3 Unreachable',
        (c) => c.status?.nodes?.[2]?.state === 'Unreachable',
      );
      expect(condition(cut, 'Ready')).to.equal('False NodesUnreachable');
      expect(cut.status?.nodes?.[2]).to.include({ sshReachable: false });
      expect(await poolSnapshot(pool().pool, [n(0), n(1)])).to.deep.equal(before);
    } finally {
      await pool().pool.restoreLink(n(2));
    }
    await harness.waitFor('pool', 'be Ready again', (c) => isReadyAt(c, 3), 150_000);
  });

  it('leaves the pool alone when a resource with deletionPolicy Retain is deleted', async () => {
    const before = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    await harness.deleteAndWait('pool');
    expect(await poolSnapshot(pool().pool, [n(0), n(1), n(2)])).to.deep.equal(before);
  });

  it('dissolves the pool when a resource with deletionPolicy Dissolve is deleted', async () => {
    await harness.apply('dissolve', specOf([0, 1, 2], { deletionPolicy: 'Dissolve' }));
    const ready = await harness.waitFor('dissolve', 'be Ready', (c) => isReadyAt(c, 3));
    expect(ready.metadata.finalizers).to.deep.equal(['glusteroperator.io/pool']);
    await harness.deleteAndWait('dissolve');
    expect(await poolSnapshot(pool().pool, [n(0), n(1), n(2)])).to.deep.equal({
      n1: [n(0).hostname],
      n2: [n(1).hostname],
      n3: [n(2).hostname],
    });
  });

  it('does not probe a lone node with volumes of its own: gluster refuses, and status says why', async () => {
    await createVolume(pool().pool, n(3), 'own', [n(3)]);
    try {
      await harness.apply('vols', specOf([0, 3]));
      const stalled = await harness.waitFor(
        'vols',
        'be Stalled on the node with volumes',
        (c) => condition(c, 'Stalled') === 'True NodeHasVolumes',
        60_000,
      );
      expect(stalled.status?.nodes?.[1]?.state).to.equal('Pending');
      expect(condition(stalled, 'Stalled')).to.equal('True NodeHasVolumes');
      expect(stalled.status?.conditions?.find((c) => c.type === 'Stalled')?.message).to.contain(
        'own',
      );
      expect((await poolSnapshot(pool().pool, [n(3)]))['n4']).to.deep.equal([n(3).hostname]);
    } finally {
      await deleteVolume(pool().pool, n(3), 'own');
    }
    await harness.waitFor(
      'vols',
      'probe it once the volume is gone',
      (c) => isReadyAt(c, 2),
      120_000,
    );
    await harness.deleteAndWait('vols');
  });
});
