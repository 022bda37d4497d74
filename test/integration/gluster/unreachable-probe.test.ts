import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterCliError, GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import { peerDetach } from '../../../src/gluster/peer-detach.js';
import { peerProbe } from '../../../src/gluster/peer-probe.js';
import { getPoolList } from '../../../src/gluster/pool-list.js';
import { getVolumeInfo } from '../../../src/gluster/volume-info.js';
import { useGlusterTestPool } from '../../support/test-pool.js';
import { rejection } from '../../support/rejection.js';

// A pool of its own: the pending probe leaves glusterd on n1 unable to answer for about 70 s.
describe('probing a node that has just become unreachable, on real glusterd', function () {
  this.timeout(120_000);
  const pool = useGlusterTestPool('unreach', 2);
  const n = (index: number) => pool().node(index);

  it('is a CLI timeout, then glusterd answers reads with a transient refusal', async () => {
    const cli = new GlusterCli(pool().executor(), { timeoutSeconds: 5 });
    // A probe and a detach leave n1 with a live ARP entry for n2, as in a pool where n2 just died.
    await peerProbe(cli, { server: n(1).ipv4, node: n(0).ipv4 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await peerDetach(cli, { server: n(1).ipv4, node: n(0).ipv4 });
    await pool().pool.cutLink(n(1));
    try {
      const probe = await rejection(peerProbe(cli, { server: n(1).ipv4, node: n(0).ipv4 }));
      expect(probe).to.be.instanceOf(GlusterCliError);
      expect(probe.message).to.contain('Request timed out');

      const read = await rejection(getPoolList(cli, n(0).ipv4));
      expect(read).to.be.instanceOf(GlusterOperationError);
      expect(read).to.include({ reason: 'GlusterdBusy', opRet: -22, isTransient: true });
      // Volume info still answers, so brick checks before a detach keep working.
      expect(await getVolumeInfo(cli, n(0).ipv4)).to.deep.equal([]);
    } finally {
      await pool().pool.restoreLink(n(1));
    }
  });
});
