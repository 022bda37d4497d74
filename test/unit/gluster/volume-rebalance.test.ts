import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { getRebalanceStatus, startRebalance } from '../../../src/gluster/volume-rebalance.js';
import { TASK_NOT_STARTED, TASK_STATUS } from '../../../src/gluster/volume-task-status.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

function statusFrom(fixtureName: string) {
  const executor = new FakeExecutor().on(
    'n1',
    glusterArgv('volume', 'rebalance', 'dr', 'status'),
    xmlAnswer(fixtureName),
  );
  return getRebalanceStatus(new GlusterCli(executor), 'n1', { name: 'dr' });
}

describe('rebalance start', () => {
  it('runs `volume rebalance <v> start` and returns its task ID', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'rebalance', 'r3', 'start'),
      xmlAnswer('volume-rebalance-start.xml'),
    );
    const started = await startRebalance(new GlusterCli(executor), 'n1', { name: 'r3' });
    expect(started.taskId).to.match(/^[0-9a-f-]{36}$/);
    expect(started.taskId).to.equal(
      /<task-id>([^<]+)</.exec(fixture('volume-rebalance-start.xml'))?.[1],
    );
  });

  const refusals: { fixture: string; reason: GlusterReason; isTransient: boolean }[] = [
    {
      fixture: 'volume-rebalance-start-in-progress.xml',
      reason: 'RebalanceInProgress',
      isTransient: true,
    },
    {
      fixture: 'volume-rebalance-not-distributed.xml',
      reason: 'NotDistributed',
      isTransient: false,
    },
    {
      fixture: 'volume-rebalance-start-remove-brick-pending.xml',
      reason: 'RemoveBrickPending',
      isTransient: false,
    },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'rebalance', 'r3', 'start'),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(startRebalance(new GlusterCli(executor), 'n1', { name: 'r3' }));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({
        reason: tc.reason,
        isTransient: tc.isTransient,
        operation: 'volume rebalance start',
      });
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the name ${JSON.stringify(hostile)}, running nothing`, async () => {
      const executor = new FakeExecutor();
      const cli = new GlusterCli(executor);
      expect(await rejection(startRebalance(cli, 'n1', { name: hostile }))).to.be.instanceOf(
        InvalidArgumentError,
      );
      expect(await rejection(getRebalanceStatus(cli, 'n1', { name: hostile }))).to.be.instanceOf(
        InvalidArgumentError,
      );
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

describe('rebalance status', () => {
  it('is "not started" when no rebalance ever ran (the CLI exits 1, with XML)', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'rebalance', 'r3', 'status'),
      { ...xmlAnswer('volume-rebalance-status-not-started.xml'), exitCode: 1 },
    );
    expect(await getRebalanceStatus(new GlusterCli(executor), 'n1', { name: 'r3' })).to.deep.equal(
      TASK_NOT_STARTED,
    );
  });

  it('reads a rebalance under way on every node, the asked one as localhost', async () => {
    const status = await statusFrom('volume-rebalance-status-in-progress.xml');
    expect(status.aggregate).to.include({
      status: TASK_STATUS.inProgress,
      statusStr: 'in progress',
    });
    expect(status.nodes.map((node) => node.nodeName).sort()).to.deep.equal([
      'localhost',
      'vofix-n2',
      'vofix-n3',
      'vofix-n4',
    ]);
    expect(status.nodes.every((node) => /^[0-9a-f-]{36}$/.test(node.nodeUuid))).to.equal(true);
  });

  it('reads a completed rebalance that moved files', async () => {
    const xml = fixture('volume-rebalance-status-completed.xml');
    const status = await statusFrom('volume-rebalance-status-completed.xml');
    expect(status.aggregate).to.include({ status: TASK_STATUS.completed, statusStr: 'completed' });
    const aggregate = /<aggregate>([\s\S]*)<\/aggregate>/.exec(xml)?.[1] ?? '';
    expect(status.aggregate.filesMoved).to.equal(Number(/<files>(\d+)</.exec(aggregate)?.[1]));
    expect(status.aggregate.filesMoved).to.be.greaterThan(0);
    expect(status.aggregate.bytesMoved).to.equal(status.aggregate.filesMoved * 4096);
    expect(status.taskId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('reads the task a replace-brick reset (status 9)', async () => {
    const status = await statusFrom('volume-rebalance-status-after-replace.xml');
    expect(status.aggregate).to.include({ status: 9, statusStr: 'reset due to replace-brick' });
  });

  it('maps a stopped volume to VolumeNotStarted', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'rebalance', 'dr', 'status'),
      xmlAnswer('volume-status-detail-not-started.xml'),
    );
    const error = await rejection(
      getRebalanceStatus(new GlusterCli(executor), 'n1', { name: 'dr' }),
    );
    expect(error).to.include({ reason: 'VolumeNotStarted', operation: 'volume rebalance status' });
  });
});
