import { expect } from 'chai';
import type { GlusterClusterSpec, GlusterNodeSpec } from '../../src/api/gluster-cluster.js';
import { parsePeerRows, runGluster } from '../../testbed/gluster-commands.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

describe('the operator with nodes in other pools, and with its command node down', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('others', 5);
  let harness: OperatorHarness;
  const n = (index: number) => pool().node(index);
  const specOf = (nodes: GlusterNodeSpec[]): GlusterClusterSpec => ({
    nodes,
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
  });

  before(async function () {
    this.timeout(300_000);
    // n3 and n4 form a pool of their own, by hand, before the operator sees anything.
    const probe = await runGluster(pool().pool, n(2), ['peer', 'probe', n(3).ipv4]);
    expect(probe.stdout).to.contain('<opRet>0</opRet>');
    for (let i = 0; i < 100; i++) {
      const rows = parsePeerRows(await runGluster(pool().pool, n(3), ['peer', 'status']));
      if (rows.some((row) => row.connected && row.state === 3)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    harness = await createPoolHarness('others', pool());
    harness.start();
  });
  after(async () => {
    await harness.stop();
  });

  it('does not take a node from another pool silently: it says so, and Stalls', async () => {
    await harness.apply(
      'pool',
      specOf([{ address: n(0).ipv4 }, { address: n(1).ipv4 }, { address: n(2).ipv4 }]),
    );
    const stalled = await harness.waitFor(
      'pool',
      'report n3 InOtherPool',
      (c) => condition(c, 'Stalled') === 'True NodeInOtherPool' && c.status?.connected === 2,
    );
    expect(stalled.status?.nodes?.[2]?.state).to.equal('InOtherPool');
    expect(condition(stalled, 'Ready')).to.equal('False NodeInOtherPool');
    // The other pool is untouched.
    const snapshot = await poolSnapshot(pool().pool, [n(2), n(3)]);
    expect(snapshot['n3']).to.have.length(2);
    expect(snapshot['n4']).to.have.length(2);
  });

  it("takes it over once the node's entry opts in, leaving its old pool-mate alone", async () => {
    await harness.apply(
      'pool',
      specOf([
        { address: n(0).ipv4 },
        { address: n(1).ipv4 },
        { address: n(2).ipv4, reclaimFromOtherPool: true },
      ]),
    );
    await harness.waitFor('pool', 'be Ready with 3 members', (c) => isReadyAt(c, 3));
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(3)]);
    expect(snapshot['n1']).to.have.length(3);
    expect(snapshot['n4']).to.deep.equal([n(3).hostname]);
    expect((await harness.events('pool')).some((event) => event.startsWith('Released: '))).to.equal(
      true,
    );
  });

  it('runs commands from another member when the preferred one is down, and probes from there', async () => {
    await pool().pool.stopGlusterd(n(0));
    try {
      await harness.apply(
        'pool',
        specOf([
          { address: n(0).ipv4 },
          { address: n(1).ipv4 },
          { address: n(2).ipv4, reclaimFromOtherPool: true },
          { address: n(4).ipv4 },
        ]),
      );
      const failedOver = await harness.waitFor(
        'pool',
        'probe n5 from n2',
        (c) => c.status?.nodes?.[3]?.state === 'Connected' && c.status.commandNode === n(1).ipv4,
      );
      expect(failedOver.status?.nodes?.[0]?.state).to.equal('GlusterdDown');
      expect(condition(failedOver, 'Ready')).to.equal('False GlusterdDown');
    } finally {
      await pool().pool.startGlusterd(n(0));
    }
    const ready = await harness.waitFor('pool', 'be Ready with 4 members', (c) => isReadyAt(c, 4));
    expect(ready.status?.commandNode).to.equal(n(0).ipv4);
  });
});
