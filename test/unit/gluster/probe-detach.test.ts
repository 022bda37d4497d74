import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterOperationError,
  PeerHostsBricksError,
} from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { peerDetach } from '../../../src/gluster/peer-detach.js';
import { peerProbe } from '../../../src/gluster/peer-probe.js';
import { tableResolver } from '../../../src/gluster/host-identity.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

async function outcomeOf(promise: Promise<{ outcome: string }>): Promise<string> {
  try {
    return (await promise).outcome;
  } catch (error) {
    if (error instanceof GlusterOperationError) return `refused:${error.reason}`;
    throw error;
  }
}

// Unit tests resolve nothing: names match only when spelt the same.
const offline = tableResolver({});

describe('peer probe', () => {
  const cases: { fixture: string; expected: string }[] = [
    { fixture: 'probe-success.xml', expected: 'probed' },
    { fixture: 'probe-success-by-address.xml', expected: 'probed' },
    { fixture: 'probe-while-pending.xml', expected: 'in-progress' },
    { fixture: 'probe-localhost.xml', expected: 'local-node' },
    { fixture: 'probe-self-by-address.xml', expected: 'local-node' },
    { fixture: 'probe-self-by-name.xml', expected: 'local-node' },
    { fixture: 'probe-member-of-another-pool.xml', expected: 'refused:PeerInOtherPool' },
    { fixture: 'probe-unreachable.xml', expected: 'refused:ProbeTransportFailed' },
    { fixture: 'probe-connection-refused.xml', expected: 'refused:ProbeTransportFailed' },
    { fixture: 'probe-unresolvable.xml', expected: 'refused:ProbeTransportFailed' },
  ];
  for (const tc of cases) {
    it(`${tc.fixture} → ${tc.expected}`, async () => {
      // A lone n1: whatever glusterd says, n2 is in no pool list.
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('peer', 'probe', 'n2'), xmlAnswer(tc.fixture))
        .on('n1', glusterArgv('pool', 'list'), xmlAnswer('pool-list-lone.xml'));
      expect(
        await outcomeOf(
          peerProbe(new GlusterCli(executor), { server: 'n2', node: 'n1' }, { resolver: offline }),
        ),
      ).to.equal(tc.expected);
    });
  }

  it("keeps gluster's words and a remediation hint on a refusal", async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('peer', 'probe', 'n2'),
      xmlAnswer('probe-member-of-another-pool.xml'),
    );
    try {
      await peerProbe(
        new GlusterCli(executor),
        { server: 'n2', node: 'n1' },
        { resolver: offline },
      );
      expect.fail('expected a refusal');
    } catch (error) {
      const refusal = error as GlusterOperationError;
      expect(refusal).to.be.instanceOf(GlusterOperationError);
      expect(refusal).to.include({ opRet: -1, opErrno: 3, isTransient: false });
      expect(refusal.opErrstr).to.contain('already part of another cluster');
      expect(refusal.hint).to.contain('Detach it from that pool');
    }
  });

  for (const hostile of [...HOSTILE_STRINGS, '256.256.256.256', '10.11.a']) {
    it(`refuses ${JSON.stringify(hostile)} before running anything`, async () => {
      const executor = new FakeExecutor();
      let error: unknown;
      await peerProbe(new GlusterCli(executor), { server: hostile, node: 'n1' }).catch(
        (caught: unknown) => {
          error = caught;
        },
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

describe('peer probe of a member', () => {
  it('is already-member when the pool list has it, by any of its names', async () => {
    const executor = new FakeExecutor()
      .on('n1', glusterArgv('peer', 'probe', 'fixtures-n2'), xmlAnswer('probe-already-member.xml'))
      .on('n1', glusterArgv('pool', 'list'), xmlAnswer('pool-list-one-peer.xml'));
    const result = await peerProbe(new GlusterCli(executor), { server: 'fixtures-n2', node: 'n1' });
    expect(result.outcome).to.equal('already-member');
  });
});

describe('peer detach', () => {
  function detachScript(
    detachFixture: string,
    options: { force?: boolean; volumes?: string } = {},
  ): FakeExecutor {
    return new FakeExecutor()
      .on('n1', glusterArgv('pool', 'list'), xmlAnswer('pool-list-one-peer.xml'))
      .on('n1', glusterArgv('volume', 'info'), xmlAnswer(options.volumes ?? 'volume-info-none.xml'))
      .on(
        'n1',
        glusterArgv('peer', 'detach', 'fixtures-n2', ...(options.force ? ['force'] : [])),
        xmlAnswer(detachFixture),
      );
  }

  const cases: { fixture: string; expected: string }[] = [
    { fixture: 'detach-success.xml', expected: 'detached' },
    { fixture: 'detach-down-peer.xml', expected: 'detached' },
    { fixture: 'detach-not-member.xml', expected: 'already-absent' },
    { fixture: 'detach-unresolvable.xml', expected: 'already-absent' },
    { fixture: 'detach-localhost.xml', expected: 'refused:DetachLocalNode' },
    { fixture: 'detach-other-member-down.xml', expected: 'refused:PeerDown' },
    // glusterd's own brick check (a volume with some of its bricks there): opRet 1, errno 3.
    { fixture: 'detach-brick-host.xml', expected: 'refused:PeerHostsBricks' },
    { fixture: 'detach-brick-host-force.xml', expected: 'refused:PeerHostsBricks' },
  ];
  for (const tc of cases) {
    it(`${tc.fixture} → ${tc.expected}`, async () => {
      const executor = detachScript(tc.fixture);
      expect(
        await outcomeOf(
          peerDetach(new GlusterCli(executor), { server: 'fixtures-n2', node: 'n1' }),
        ),
      ).to.equal(tc.expected);
    });
  }

  const reasons: { opErrno: number; opErrstr: string; reason: GlusterReason }[] = [
    { opErrno: 3, opErrstr: 'Peer n2 hosts one or more bricks.', reason: 'PeerHostsBricks' },
    { opErrno: 5, opErrstr: 'Cluster quorum is not met.', reason: 'QuorumNotMet' },
    { opErrno: 7, opErrstr: 'n2 is part of existing snapshot.', reason: 'PeerInSnapshot' },
    {
      opErrno: 0,
      opErrstr: 'Another transaction is in progress for cluster.',
      reason: 'TransactionInProgress',
    },
    {
      opErrno: 0,
      opErrstr: 'Locking failed on n3. Please check log file for details.',
      reason: 'TransactionInProgress',
    },
    { opErrno: 99, opErrstr: 'something new', reason: 'OperationFailed' },
  ];
  for (const tc of reasons) {
    it(`maps opErrno ${tc.opErrno} "${tc.opErrstr}" to ${tc.reason}`, async () => {
      const xml = `<cliOutput><opRet>-1</opRet><opErrno>${tc.opErrno}</opErrno><opErrstr>${tc.opErrstr}</opErrstr></cliOutput>`;
      const executor = detachScript('detach-success.xml').on(
        'n1',
        glusterArgv('peer', 'detach', 'fixtures-n2'),
        { stdout: xml },
      );
      expect(
        await outcomeOf(
          peerDetach(new GlusterCli(executor), { server: 'fixtures-n2', node: 'n1' }),
        ),
      ).to.equal(`refused:${tc.reason}`);
    });
  }

  for (const force of [false, true]) {
    it(`refuses to detach a brick host${force ? ' with force' : ''}, running no detach`, async () => {
      // volume-info-one.xml has one brick on fixtures-n2: glusterd 10.3 itself would allow this
      // detach (all of the volume's bricks are there) and the volume would leave with the node.
      const executor = detachScript('detach-success.xml', {
        force,
        volumes: 'volume-info-one.xml',
      });
      let error: unknown;
      await peerDetach(new GlusterCli(executor), {
        server: 'fixtures-n2',
        node: 'n1',
        force,
      }).catch((caught: unknown) => {
        error = caught;
      });
      expect(error).to.be.instanceOf(PeerHostsBricksError);
      expect((error as PeerHostsBricksError).bricks).to.deep.equal(['fixtures-n2:/bricks/b1']);
      expect(executor.mutations()).to.deep.equal([]);
    });
  }

  it('adds force only when asked', async () => {
    const executor = detachScript('detach-success.xml', { force: true });
    const result = await peerDetach(new GlusterCli(executor), {
      server: 'fixtures-n2',
      node: 'n1',
      force: true,
    });
    expect(result).to.include({ outcome: 'detached', force: true });
    expect(executor.mutations()[0]?.argv.at(-1)).to.equal('force');
  });
});
