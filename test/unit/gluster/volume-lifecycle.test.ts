import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { VolumeIdentityMismatchError } from '../../../src/gluster/volume-errors.js';
import { deleteVolume, startVolume, stopVolume } from '../../../src/gluster/volume-lifecycle.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

/** The ID of the volume in a captured `volume info <v>` (or create) answer. */
function idIn(name: string): string {
  const id = /<id>([0-9a-f-]{36})<\/id>/.exec(fixture(name))?.[1];
  if (id === undefined) throw new Error(`${name} has no <id>`);
  return id;
}

// `one` was captured as created, started, stopped and deleted; its info is that of its create.
const oneInfo = fixture('volume-info-replica3.xml')
  .replaceAll('<name>r3</name>', '<name>one</name>')
  .replace(/<id>[0-9a-f-]{36}<\/id>/, `<id>${idIn('volume-create-one-brick.xml')}</id>`);
const oneId = idIn('volume-create-one-brick.xml');
const otherId = '00000000-0000-4000-8000-000000000000';

describe('volume start', () => {
  it('runs `volume start <v>` and returns the volume it started', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'start', 'r3'),
      xmlAnswer('volume-start-replica3.xml'),
    );
    const started = await startVolume(new GlusterCli(executor), 'n1', { name: 'r3' });
    expect(started).to.include({ name: 'r3', id: idIn('volume-create-replica3.xml') });
  });

  it('runs `volume start <v> force` when asked (restarts bricks that are down)', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'start', 'r3', 'force'),
      xmlAnswer('volume-start-force.xml'),
    );
    const started = await startVolume(new GlusterCli(executor), 'n1', { name: 'r3', force: true });
    expect(started.name).to.equal('r3');
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-start-already-started.xml', reason: 'VolumeAlreadyStarted' },
    { fixture: 'volume-start-missing.xml', reason: 'VolumeNotFound' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'start', 'r3'),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(startVolume(new GlusterCli(executor), 'n1', { name: 'r3' }));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume start' });
    });
  }
});

describe('volume stop and delete: only the volume planned', () => {
  for (const verb of ['stop', 'delete'] as const) {
    const run = verb === 'stop' ? stopVolume : deleteVolume;
    const answerFixture = verb === 'stop' ? 'volume-stop.xml' : 'volume-delete.xml';

    it(`${verb}: reads the volume's ID on the node, then runs \`volume ${verb} <v>\``, async () => {
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('volume', 'info', 'one'), { stdout: oneInfo })
        .on('n1', glusterArgv('volume', verb, 'one'), xmlAnswer(answerFixture));
      const result = await run(new GlusterCli(executor), 'n1', {
        name: 'one',
        expectedVolumeId: oneId,
      });
      expect(result).to.include({ name: 'one', id: oneId });
      expect(executor.calls.map((call) => call.argv)).to.deep.equal([
        glusterArgv('volume', 'info', 'one'),
        glusterArgv('volume', verb, 'one'),
      ]);
    });

    it(`${verb}: refuses a volume recreated under the same name, running nothing else`, async () => {
      const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'info', 'one'), {
        stdout: oneInfo,
      });
      const error = await rejection(
        run(new GlusterCli(executor), 'n1', { name: 'one', expectedVolumeId: otherId }),
      );
      expect(error).to.be.instanceOf(VolumeIdentityMismatchError);
      expect(error).to.include({
        reason: 'VolumeIdentityMismatch',
        expectedId: otherId,
        actualId: oneId,
        isTransient: false,
      });
      expect(error.message).to.equal(
        `Refused to ${verb} volume one (asked on n1): its ID is ${oneId}, not ${otherId} as planned`,
      );
      expect(executor.calls).to.have.length(1);
    });

    it(`${verb}: refuses a volume that no longer exists`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'info', 'one'),
        xmlAnswer('volume-info-missing.xml'),
      );
      const error = await rejection(
        run(new GlusterCli(executor), 'n1', { name: 'one', expectedVolumeId: oneId }),
      );
      expect(error).to.be.instanceOf(VolumeIdentityMismatchError);
      expect(error).to.include({ actualId: undefined });
      expect(error.message).to.contain('it no longer exists');
      expect(executor.calls).to.have.length(1);
    });

    it(`${verb}: refuses an expected ID that is no UUID, running nothing`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(
        run(new GlusterCli(executor), 'n1', { name: 'one', expectedVolumeId: 'one' }),
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }

  const refusals: { verb: 'stop' | 'delete'; fixture: string; reason: GlusterReason }[] = [
    { verb: 'stop', fixture: 'volume-stop-not-started.xml', reason: 'VolumeNotStarted' },
    {
      verb: 'stop',
      fixture: 'volume-stop-rebalance-in-progress.xml',
      reason: 'RebalanceInProgress',
    },
    { verb: 'delete', fixture: 'volume-delete-started.xml', reason: 'VolumeIsStarted' },
  ];
  for (const tc of refusals) {
    it(`${tc.verb}: ${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('volume', 'info', 'one'), { stdout: oneInfo })
        .on('n1', glusterArgv('volume', tc.verb, 'one'), xmlAnswer(tc.fixture));
      const run = tc.verb === 'stop' ? stopVolume : deleteVolume;
      const error = await rejection(
        run(new GlusterCli(executor), 'n1', { name: 'one', expectedVolumeId: oneId }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: `volume ${tc.verb}` });
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the name ${JSON.stringify(hostile)} for start, stop and delete, running nothing`, async () => {
      const executor = new FakeExecutor();
      const cli = new GlusterCli(executor);
      for (const attempt of [
        () => startVolume(cli, 'n1', { name: hostile }),
        () => stopVolume(cli, 'n1', { name: hostile, expectedVolumeId: oneId }),
        () => deleteVolume(cli, 'n1', { name: hostile, expectedVolumeId: oneId }),
      ]) {
        expect(await rejection(attempt())).to.be.instanceOf(InvalidArgumentError);
      }
      expect(executor.calls).to.deep.equal([]);
    });
  }
});
