import { expect } from 'chai';
import { ClusterChangeRefusedError } from '../../../src/gluster/cluster-errors.js';
import { createCluster } from '../../../src/gluster/create-cluster.js';
import { deleteCluster } from '../../../src/gluster/delete-cluster.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import type { MeshLink, MeshReport } from '../../../src/gluster/mesh-validation.js';
import { validatePeersAreConnected } from '../../../src/gluster/mesh-validation.js';
import { createVolume, deleteVolume, poolSnapshot } from '../../support/gluster-truth.js';
import { useGlusterTestPool } from '../../support/test-pool.js';
import { rejection } from '../../support/rejection.js';

function statusOf(
  report: MeshReport,
  observer: string,
  target: string,
): MeshLink['status'] | undefined {
  return report.links.find((link) => link.observer === observer && link.target === target)?.status;
}

describe('create cluster, delete cluster and full-mesh validation on real glusterd', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('clusterops', 5);
  const n = (index: number) => pool().node(index);
  let cli: GlusterCli;
  const options = () => ({
    resolver: pool().resolver,
    connectTimeoutMs: 60_000,
    pollIntervalMs: 250,
  });

  /** Polls the mesh until `done` holds or 90 s pass; returns the last report. */
  async function meshUntil(
    nodes: string[],
    done: (report: MeshReport) => boolean,
  ): Promise<MeshReport> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const report = await validatePeersAreConnected(cli, nodes, { resolver: pool().resolver });
      if (done(report) || Date.now() > deadline) return report;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  before(() => {
    cli = new GlusterCli(pool().executor({ connectTimeoutMs: 2_000 }), { timeoutSeconds: 10 });
  });

  it('forms a pool of three lone nodes, every member seeing every other as connected', async () => {
    const nodes = [n(0).ipv4, n(1).ipv4, n(2).ipv4];
    const result = await createCluster(cli, nodes, options());
    expect(
      result.actions.map((action) => `${action.verb} ${action.server} ${action.outcome}`),
    ).to.deep.equal([`probe ${n(1).ipv4} probed`, `probe ${n(2).ipv4} probed`]);
    expect(result.mesh.isFullMesh, result.mesh.problems.join('; ')).to.equal(true);
    expect(result.mesh.links).to.have.length(6);
    const all = [n(0).ipv4, n(1).ipv4, n(2).ipv4].sort();
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    expect(Object.values(snapshot).map((names) => names.length)).to.deep.equal([3, 3, 3]);
    expect(all).to.have.length(3);
  });

  it('is idempotent: the same call again changes nothing', async () => {
    const result = await createCluster(cli, [n(0).ipv4, n(1).ipv4, n(2).ipv4], options());
    expect(result.actions).to.deep.equal([]);
    expect(result.mesh.isFullMesh).to.equal(true);
  });

  it('reports a member whose glusterd is down from every view, and recovers', async () => {
    const nodes = [n(0).ipv4, n(1).ipv4, n(2).ipv4];
    await pool().pool.stopGlusterd(n(2));
    try {
      const report = await meshUntil(
        nodes,
        (r) => statusOf(r, n(0).ipv4, n(2).ipv4) === 'Disconnected',
      );
      expect(report.isFullMesh).to.equal(false);
      expect(statusOf(report, n(0).ipv4, n(2).ipv4)).to.equal('Disconnected');
      expect(statusOf(report, n(1).ipv4, n(2).ipv4)).to.equal('Disconnected');
      expect(statusOf(report, n(0).ipv4, n(1).ipv4)).to.equal('Connected');
      expect(statusOf(report, n(2).ipv4, n(0).ipv4)).to.equal('Unknown');
      const observer = report.observers.find((o) => o.node === n(2).ipv4);
      expect(observer?.isReachable).to.equal(false);
      expect(report.problems.join('\n')).to.contain(
        `${n(0).ipv4} sees ${n(2).ipv4} as Disconnected`,
      );
    } finally {
      await pool().pool.startGlusterd(n(2));
    }
    const healed = await meshUntil(nodes, (r) => r.isFullMesh);
    expect(healed.isFullMesh, healed.problems.join('; ')).to.equal(true);
  });

  it('reports a node cut off from the network: the others see it disconnected', async () => {
    const nodes = [n(0).ipv4, n(1).ipv4, n(2).ipv4];
    await pool().pool.cutLink(n(2));
    let report: MeshReport;
    try {
      report = await meshUntil(
        nodes,
        (r) =>
          statusOf(r, n(0).ipv4, n(2).ipv4) === 'Disconnected' &&
          statusOf(r, n(1).ipv4, n(2).ipv4) === 'Disconnected',
      );
    } finally {
      await pool().pool.restoreLink(n(2));
    }
    expect(statusOf(report, n(0).ipv4, n(2).ipv4)).to.equal('Disconnected');
    expect(statusOf(report, n(1).ipv4, n(2).ipv4)).to.equal('Disconnected');
    expect(statusOf(report, n(0).ipv4, n(1).ipv4)).to.equal('Connected');
    // We cannot reach it either: its own view is unknown, not guessed.
    expect(report.observers.find((o) => o.node === n(2).ipv4)?.isReachable).to.equal(false);
    expect(report.isFullMesh).to.equal(false);
    const healed = await meshUntil(nodes, (r) => r.isFullMesh);
    expect(healed.isFullMesh, healed.problems.join('; ')).to.equal(true);
  });

  it("reports a node whose outbound traffic to 24007 is dropped: its own view differs from the others'", async () => {
    const nodes = [n(0).ipv4, n(1).ipv4, n(2).ipv4];
    await pool().pool.dropOutbound(n(2), 24007);
    let report: MeshReport;
    try {
      // Existing connections survive a new filter rule; a restart makes n3 reconnect through it.
      await pool().pool.stopGlusterd(n(2));
      await pool().pool.startGlusterd(n(2));
      report = await meshUntil(
        nodes,
        (r) =>
          statusOf(r, n(2).ipv4, n(0).ipv4) === 'Disconnected' &&
          statusOf(r, n(2).ipv4, n(1).ipv4) === 'Disconnected',
      );
    } finally {
      await pool().pool.restoreOutbound(n(2));
    }
    expect(report.observers.every((o) => o.isReachable)).to.equal(true);
    expect(statusOf(report, n(2).ipv4, n(0).ipv4)).to.equal('Disconnected');
    expect(statusOf(report, n(2).ipv4, n(1).ipv4)).to.equal('Disconnected');
    expect(statusOf(report, n(0).ipv4, n(1).ipv4)).to.equal('Connected');
    expect(report.isFullMesh).to.equal(false);
    const healed = await meshUntil(nodes, (r) => r.isFullMesh);
    expect(healed.isFullMesh, healed.problems.join('; ')).to.equal(true);
  });

  it('takes a node from another pool and lets an unwanted member go, leaving the rest of that pool together', async () => {
    // {n4, n5} is another pool; the wanted pool is n1, n2 and n4 (n3 is no longer wanted).
    await createCluster(cli, [n(3).ipv4, n(4).ipv4], options());
    const result = await createCluster(cli, [n(0).ipv4, n(1).ipv4, n(3).ipv4], options());
    const [dropUnwanted, release, probe, ...rest] = result.actions;
    expect(rest).to.deep.equal([]);
    expect(dropUnwanted).to.include({ verb: 'detach', node: n(0).ipv4, server: n(2).ipv4 });
    // n4 leaves its old pool by a detach run on its pool-mate n5, under the name n5 knows it by
    // (n5 learnt n4's host name in the probe handshake).
    expect(release).to.include({ verb: 'detach', node: n(4).ipv4, outcome: 'detached' });
    expect([n(3).hostname, n(3).ipv4]).to.include(release?.server);
    expect(probe).to.include({ verb: 'probe', node: n(0).ipv4, server: n(3).ipv4 });
    expect(result.mesh.isFullMesh, result.mesh.problems.join('; ')).to.equal(true);
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(2), n(3), n(4)]);
    expect(snapshot['n1']).to.have.length(3);
    expect(snapshot['n3']).to.deep.equal([n(2).hostname]);
    expect(snapshot['n5']).to.deep.equal([n(4).hostname]);
  });

  it('refuses, changing nothing, when forming the pool would detach a brick host', async () => {
    const everyone = [n(0), n(1), n(2), n(3), n(4)];
    await createVolume(pool().pool, n(0), 'keep', [n(0), n(1)]);
    try {
      const before = await poolSnapshot(pool().pool, everyone);
      const error = await rejection(createCluster(cli, [n(0).ipv4, n(3).ipv4], options()));
      expect(error).to.be.instanceOf(ClusterChangeRefusedError);
      expect((error as ClusterChangeRefusedError).blockers.join('\n')).to.contain('hosts bricks');
      expect(await poolSnapshot(pool().pool, everyone)).to.deep.equal(before);
    } finally {
      await deleteVolume(pool().pool, n(0), 'keep');
    }
  });

  it('refuses to dissolve a pool whose members host bricks, changing nothing', async () => {
    const members = [n(0), n(1), n(3)];
    await createVolume(pool().pool, n(0), 'held', [n(3)]);
    try {
      const before = await poolSnapshot(pool().pool, members);
      const error = await rejection(
        deleteCluster(
          cli,
          members.map((m) => m.ipv4),
          options(),
        ),
      );
      expect(error).to.be.instanceOf(ClusterChangeRefusedError);
      expect(await poolSnapshot(pool().pool, members)).to.deep.equal(before);
    } finally {
      await deleteVolume(pool().pool, n(0), 'held');
    }
  });

  it('dissolves a pool one member at a time', async () => {
    const result = await deleteCluster(cli, [n(0).ipv4, n(1).ipv4, n(3).ipv4], options());
    expect(result.actions.map((action) => `${action.verb} ${action.outcome}`)).to.deep.equal([
      'detach detached',
      'detach detached',
    ]);
    const snapshot = await poolSnapshot(pool().pool, [n(0), n(1), n(3)]);
    expect(snapshot).to.deep.equal({
      n1: [n(0).hostname],
      n2: [n(1).hostname],
      n4: [n(3).hostname],
    });
  });
});
