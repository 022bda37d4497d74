import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import type { GlusterdStoreSummary } from '../../../src/gluster/glusterd-store.js';
import { isLoneAndListening, readGlusterdStore } from '../../../src/gluster/glusterd-store.js';
import { getPoolList, requireLocalMember } from '../../../src/gluster/pool-list.js';
import { peerProbe } from '../../../src/gluster/peer-probe.js';
import { useGlusterTestPool } from '../../support/test-pool.js';

describe("glusterd's store read on real glusterd, beside its pool list", function () {
  this.timeout(120_000);
  const pool = useGlusterTestPool('storeread', 2);
  const n = (index: number) => pool().node(index);
  let cli: GlusterCli;

  before(() => {
    cli = new GlusterCli(pool().executor(), { timeoutSeconds: 10 });
  });

  it('says a lone node is lone, listening, with the UUID its pool list gives', async () => {
    const summary = await readGlusterdStore(cli, n(0).ipv4);
    const self = requireLocalMember(await getPoolList(cli, n(0).ipv4), n(0).ipv4);
    expect(summary).to.deep.equal({
      uuid: self.uuid,
      peerFiles: [],
      volumeNames: [],
      isListening: true,
    });
    expect(isLoneAndListening(summary!)).to.equal(true);
  });

  it('shows the peer a probe added, on both ends, named by its UUID', async () => {
    await peerProbe(cli, { server: n(1).ipv4, node: n(0).ipv4 }, { resolver: pool().resolver });
    // The probed end writes its peer file when the handshake is done: a moment later.
    const deadline = Date.now() + 30_000;
    let first: GlusterdStoreSummary | undefined;
    let second: GlusterdStoreSummary | undefined;
    for (;;) {
      [first, second] = await Promise.all([
        readGlusterdStore(cli, n(0).ipv4),
        readGlusterdStore(cli, n(1).ipv4),
      ]);
      if (second?.peerFiles.length === 1 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(first?.peerFiles).to.deep.equal([second?.uuid]);
    expect(second?.peerFiles).to.deep.equal([first?.uuid]);
    expect(first && isLoneAndListening(first)).to.equal(false);
  });

  it('says glusterd is not listening once it stopped, and listening again after a start', async () => {
    await pool().pool.stopGlusterd(n(1));
    try {
      const stopped = await readGlusterdStore(cli, n(1).ipv4);
      expect(stopped?.isListening).to.equal(false);
      // The other node's glusterd, in its own network namespace, is not mistaken for it.
      expect((await readGlusterdStore(cli, n(0).ipv4))?.isListening).to.equal(true);
    } finally {
      await pool().pool.startGlusterd(n(1));
    }
    const deadline = Date.now() + 30_000;
    let listening = false;
    while (!listening && Date.now() < deadline) {
      listening = (await readGlusterdStore(cli, n(1).ipv4))?.isListening ?? false;
      if (!listening) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(listening).to.equal(true);
  });
});
