import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterCliError,
  GlusterOperationError,
  PeerHostsBricksError,
} from '../../../src/gluster/gluster-errors.js';
import { convertHostsToIp } from '../../../src/gluster/host-identity.js';
import { isPeerConnected, waitForPeersToConnect } from '../../../src/gluster/peer-connectivity.js';
import { peerDetach } from '../../../src/gluster/peer-detach.js';
import { peerProbe } from '../../../src/gluster/peer-probe.js';
import { getPeerStatus } from '../../../src/gluster/peer-status.js';
import { getPoolList, nodesFromPoolList } from '../../../src/gluster/pool-list.js';
import { getClusterOpVersion, getGlusterVersion } from '../../../src/gluster/versions.js';
import { bricksHostedBy, getVolumeInfo } from '../../../src/gluster/volume-info.js';
import { createVolume, deleteVolume, poolSnapshot } from '../../support/gluster-truth.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { useGlusterTestPool } from '../../support/test-pool.js';
import { rejection } from '../../support/rejection.js';

describe('Gluster peer operations on real glusterd', function () {
  this.timeout(120_000);
  const pool = useGlusterTestPool('peerops', 4);
  let cli: GlusterCli;
  const n = (index: number) => pool().node(index);
  const resolver = () => ({ resolver: pool().resolver });
  before(() => {
    cli = new GlusterCli(pool().executor(), { timeoutSeconds: 10 });
  });

  it('reads a lone node: pool list is itself, peer status is empty', async () => {
    const members = await getPoolList(cli, n(0).ipv4);
    expect(members).to.have.length(1);
    expect(members[0]).to.include({ hostname: n(0).ipv4, isLocal: true, isConnected: true });
    expect(await getPeerStatus(cli, n(0).ipv4)).to.deep.equal([]);
  });

  it('probes a node, then calls a second probe already-member and a probe of itself local-node', async () => {
    expect((await peerProbe(cli, { server: n(1).hostname, node: n(0).ipv4 })).outcome).to.equal(
      'probed',
    );
    const wait = await waitForPeersToConnect(
      cli,
      { node: n(0).ipv4, servers: [n(1).hostname] },
      {
        ...resolver(),
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    expect(wait.isConnected).to.equal(true);
    expect((await peerProbe(cli, { server: n(1).hostname, node: n(0).ipv4 })).outcome).to.equal(
      'already-member',
    );
    expect((await peerProbe(cli, { server: n(0).hostname, node: n(0).ipv4 })).outcome).to.equal(
      'local-node',
    );
    expect((await peerProbe(cli, { server: n(0).ipv4, node: n(0).ipv4 })).outcome).to.equal(
      'local-node',
    );
    expect(await poolSnapshot(pool().pool, [n(0), n(1)])).to.deep.equal({
      n1: [n(0).hostname, n(1).hostname].sort(),
      n2: [n(0).hostname, n(1).hostname].sort(),
    });
  });

  it('reads one peer as a list of one, and maps the localhost row to the node asked', async () => {
    const peers = await getPeerStatus(cli, n(0).ipv4);
    expect(peers).to.have.length(1);
    expect(peers[0]).to.include({ hostname: n(1).hostname, isConnected: true, state: 3 });
    expect(await nodesFromPoolList(cli, n(0).ipv4)).to.deep.equal([n(1).hostname, n(0).ipv4]);
  });

  it('knows a member by its address too (identity by resolved address)', async () => {
    expect(
      await isPeerConnected(
        cli,
        { node: n(0).ipv4, servers: [n(1).ipv4, n(1).hostname] },
        resolver(),
      ),
    ).to.equal(true);
    expect(
      await isPeerConnected(cli, { node: n(0).ipv4, servers: n(2).ipv4 }, resolver()),
    ).to.equal(false);
  });

  it('converts host names to addresses, localhost standing for the node asked', async () => {
    // The list as peer-ops had it: gluster's own `localhost` row for the node asked.
    const hosts = (await nodesFromPoolList(cli, n(0).ipv4)).map((host) =>
      host === n(0).ipv4 ? 'localhost' : host,
    );
    expect(hosts).to.deep.equal([n(1).hostname, 'localhost']);
    const addresses = await convertHostsToIp(hosts, { localNode: n(0).hostname, ...resolver() });
    expect(addresses.sort()).to.deep.equal([n(0).ipv4, n(1).ipv4].sort());
  });

  it('refuses to probe a member of another pool, changing nothing', async () => {
    expect((await peerProbe(cli, { server: n(3).hostname, node: n(2).ipv4 })).outcome).to.equal(
      'probed',
    );
    await waitForPeersToConnect(
      cli,
      { node: n(2).ipv4, servers: [n(3).hostname] },
      { ...resolver(), timeoutMs: 30_000 },
    );
    const before = await poolSnapshot(pool().pool, [n(0), n(1), n(2), n(3)]);
    const error = await rejection(peerProbe(cli, { server: n(2).hostname, node: n(0).ipv4 }));
    expect(error).to.be.instanceOf(GlusterOperationError);
    expect((error as GlusterOperationError).reason).to.equal('PeerInOtherPool');
    expect(await poolSnapshot(pool().pool, [n(0), n(1), n(2), n(3)])).to.deep.equal(before);
  });

  it('reports a probe of a node whose glusterd is down as a transport failure', async () => {
    // n4 is a real node address with nothing listening on 24007 while its glusterd is stopped.
    await pool().pool.stopGlusterd(n(3));
    try {
      const error = await rejection(peerProbe(cli, { server: n(3).ipv4, node: n(0).ipv4 }));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect((error as GlusterOperationError).reason).to.equal('ProbeTransportFailed');
      expect((error as GlusterOperationError).isTransient).to.equal(true);
    } finally {
      await pool().pool.startGlusterd(n(3));
    }
  });

  it('reports a name glusterd cannot resolve as a transport failure', async () => {
    const error = await rejection(
      peerProbe(cli, { server: 'no-such-node.invalid', node: n(0).ipv4 }),
    );
    expect((error as GlusterOperationError).reason).to.equal('ProbeTransportFailed');
  });

  it('never lets a hostile string reach a node', async () => {
    const executor = pool().executor();
    const guarded = new GlusterCli(executor);
    for (const hostile of HOSTILE_STRINGS) {
      expect(
        await rejection(peerProbe(guarded, { server: hostile, node: n(0).ipv4 })),
      ).to.be.instanceOf(InvalidArgumentError);
      expect(
        await rejection(peerDetach(guarded, { server: hostile, node: n(0).ipv4 })),
      ).to.be.instanceOf(InvalidArgumentError);
    }
    expect(executor.stats().commandsRun).to.equal(0);
  });

  it('refuses to detach an invalid address and treats a non-member as already absent', async () => {
    expect(
      await rejection(peerDetach(cli, { server: '256.256.256.256', node: n(0).ipv4 })),
    ).to.be.instanceOf(InvalidArgumentError);
    expect(
      (await peerDetach(cli, { server: 'no-such-node.invalid', node: n(0).ipv4 })).outcome,
    ).to.equal('already-absent');
    const error = await rejection(peerDetach(cli, { server: n(0).hostname, node: n(0).ipv4 }));
    expect((error as GlusterOperationError).reason).to.equal('DetachLocalNode');
  });

  for (const force of [false, true]) {
    it(`refuses to detach a brick host${force ? ' with force' : ''}; nothing changes`, async () => {
      await createVolume(pool().pool, n(0), 'bricky', [n(1)]);
      try {
        const volumes = await getVolumeInfo(cli, n(0).ipv4);
        const [member] = (await getPeerStatus(cli, n(0).ipv4)).filter(
          (peer) => peer.hostname === n(1).hostname,
        );
        expect(bricksHostedBy(volumes, member!.uuid).map((brick) => brick.name)).to.deep.equal([
          `${n(1).hostname}:/bricks/bricky`,
        ]);
        const before = await poolSnapshot(pool().pool, [n(0), n(1)]);
        const error = await rejection(
          peerDetach(cli, { server: n(1).hostname, node: n(0).ipv4, force }, resolver()),
        );
        expect(error).to.be.instanceOf(PeerHostsBricksError);
        expect(await poolSnapshot(pool().pool, [n(0), n(1)])).to.deep.equal(before);
      } finally {
        await deleteVolume(pool().pool, n(0), 'bricky');
      }
    });
  }

  it('sees a member whose glusterd is down as disconnected, and detaches nothing', async () => {
    await pool().pool.stopGlusterd(n(1));
    try {
      const wait = await waitForPeersToConnect(
        cli,
        { node: n(0).ipv4, servers: [n(1).hostname] },
        {
          timeoutMs: 1_500,
          intervalMs: 500,
        },
      );
      expect(wait.isConnected).to.equal(false);
      expect(wait.connections).to.deep.equal([{ server: n(1).hostname, status: 'Disconnected' }]);
      const peers = await getPeerStatus(cli, n(0).ipv4);
      expect(peers.map((peer) => [peer.hostname, peer.isConnected])).to.deep.equal([
        [n(1).hostname, false],
      ]);
      const error = await rejection(getPoolList(cli, n(1).ipv4));
      expect(error).to.be.instanceOf(GlusterCliError);
      expect(error.message).to.contain('gluster daemon is operational');
    } finally {
      await pool().pool.startGlusterd(n(1));
    }
    const back = await waitForPeersToConnect(
      cli,
      { node: n(0).ipv4, servers: [n(1).hostname] },
      {
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    expect(back.isConnected).to.equal(true);
  });

  it('detaches a member, then calls a second detach already-absent', async () => {
    const first = await peerDetach(cli, { server: n(1).hostname, node: n(0).ipv4 });
    expect(first.outcome).to.equal('detached');
    const second = await peerDetach(cli, { server: n(1).hostname, node: n(0).ipv4 });
    expect(second.outcome).to.equal('already-absent');
    expect(await poolSnapshot(pool().pool, [n(0), n(1)])).to.deep.equal({
      n1: [n(0).hostname],
      n2: [n(1).hostname],
    });
  });

  it('reads the gluster version and the cluster op-version', async () => {
    expect(await getGlusterVersion(cli, n(0).ipv4)).to.match(/^\d+\.\d+/);
    expect(await getClusterOpVersion(cli, n(0).ipv4))
      .to.be.a('number')
      .and.at.least(100000);
  });
});
