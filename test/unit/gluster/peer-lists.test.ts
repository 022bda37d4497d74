import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import { getPeerStatus } from '../../../src/gluster/peer-status.js';
import { getPoolList, nodesFromPoolList } from '../../../src/gluster/pool-list.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';

function poolListOn(node: string, fixtureName: string): GlusterCli {
  return new GlusterCli(
    new FakeExecutor().on(node, glusterArgv('pool', 'list'), xmlAnswer(fixtureName)),
  );
}

function peerStatusOn(node: string, fixtureName: string): GlusterCli {
  return new GlusterCli(
    new FakeExecutor().on(node, glusterArgv('peer', 'status'), xmlAnswer(fixtureName)),
  );
}

describe('pool list', () => {
  it('of a lone node is just the node itself, under the address it was asked by', async () => {
    const members = await getPoolList(poolListOn('10.0.0.1', 'pool-list-lone.xml'), '10.0.0.1');
    expect(members).to.have.length(1);
    expect(members[0]).to.include({
      hostname: '10.0.0.1',
      isLocal: true,
      isConnected: true,
      state: undefined,
    });
    expect(members[0]?.hostnames).to.deep.equal(['10.0.0.1']);
    expect(members[0]?.uuid).to.match(/^[0-9a-f-]{36}$/);
  });

  it('with one peer is a list of two (one <peer> is not an array to a naive parser)', async () => {
    const members = await getPoolList(poolListOn('n1', 'pool-list-one-peer.xml'), 'n1');
    expect(members.map((member) => [member.hostname, member.isLocal])).to.deep.equal([
      ['fixtures-n2', false],
      ['n1', true],
    ]);
    expect(members[0]).to.include({ isConnected: true, state: 3, stateStr: 'Peer in Cluster' });
    expect(members[0]?.hostnames).to.deep.equal(['fixtures-n2']);
  });

  it('with many peers keeps every alias of each', async () => {
    const members = await getPoolList(poolListOn('n1', 'pool-list-many.xml'), 'n1');
    expect(members).to.have.length(4);
    expect(members.filter((member) => member.isLocal)).to.have.length(1);
    // fixtures-n2 was probed by name and later reached by address: glusterd kept both.
    const n2 = members.find((member) => member.hostname === 'fixtures-n2');
    expect(n2?.hostnames[0]).to.equal('fixtures-n2');
    expect(n2?.hostnames.slice(1)).to.satisfy((aliases: string[]) =>
      aliases.every((alias) => /^\d+\.\d+\.\d+\.\d+$/.test(alias)),
    );
    expect(n2?.hostnames).to.have.length(2);
  });

  it('shows a member whose glusterd is down as disconnected but still in the cluster', async () => {
    const members = await getPoolList(poolListOn('n1', 'pool-list-peer-down.xml'), 'n1');
    const down = members.filter((member) => !member.isConnected);
    expect(down).to.have.length(1);
    expect(down[0]).to.include({ isLocal: false, state: 3, stateStr: 'Peer in Cluster' });
  });

  it('gives peer-ops nodes_from_pool_list its host names, the node itself as asked', async () => {
    expect(await nodesFromPoolList(poolListOn('n1', 'pool-list-one-peer.xml'), 'n1')).to.deep.equal(
      ['fixtures-n2', 'n1'],
    );
  });
});

describe('reads while a probe is pending in glusterd', () => {
  for (const [command, fixtureName] of [
    ['pool list', 'pool-list-while-probe-pending.xml'],
    ['peer status', 'peer-status-while-probe-pending.xml'],
  ] as const) {
    it(`${command}: opRet -22 without text is GlusterdBusy, a transient refusal`, async () => {
      const cli =
        command === 'pool list' ? poolListOn('n1', fixtureName) : peerStatusOn('n1', fixtureName);
      let error: unknown;
      const read = command === 'pool list' ? getPoolList(cli, 'n1') : getPeerStatus(cli, 'n1');
      await read.catch((caught: unknown) => (error = caught));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: 'GlusterdBusy', opRet: -22, isTransient: true });
    });
  }
});

describe('peer status', () => {
  const cases: { fixture: string; count: number }[] = [
    { fixture: 'peer-status-none.xml', count: 0 },
    { fixture: 'peer-status-one-peer.xml', count: 1 },
    { fixture: 'peer-status-many.xml', count: 3 },
  ];
  for (const tc of cases) {
    it(`is always a list: ${tc.fixture} has ${tc.count}`, async () => {
      const peers = await getPeerStatus(peerStatusOn('n1', tc.fixture), 'n1');
      expect(peers).to.be.an('array').with.length(tc.count);
      for (const peer of peers) expect(peer.hostname).not.to.equal('localhost');
    });
  }

  it('reports the down member as not connected', async () => {
    const peers = await getPeerStatus(peerStatusOn('n1', 'peer-status-peer-down.xml'), 'n1');
    expect(peers.some((peer) => !peer.isConnected)).to.equal(true);
  });
});
