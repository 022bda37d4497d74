import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterOperationError,
  GlusterXmlParseError,
} from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { getVolumeStatus, getVolumeTasks } from '../../../src/gluster/volume-status.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

function statusOf(name: string, stdout: string) {
  const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'status', name, 'detail'), {
    stdout,
  });
  return getVolumeStatus(new GlusterCli(executor), 'n1', { name });
}

function tasksOf(name: string, stdout: string) {
  const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'status', name, 'tasks'), {
    stdout,
  });
  return getVolumeTasks(new GlusterCli(executor), 'n1', { name });
}

/** Every value of `<tag>` in the XML, in order: what the parser must have read. */
function values(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

describe('volume status detail', () => {
  it("reads every brick's process and filesystem, numbers as gluster printed them", async () => {
    const xml = fixture('volume-status-detail.xml');
    const bricks = await statusOf('r3', xml);
    expect(bricks.map((brick) => brick.name)).to.deep.equal([
      'vofix-n1:/bricks/r3/brick',
      'vofix-n2:/bricks/r3/brick',
      'vofix-n3:/bricks/r3/brick',
    ]);
    expect(bricks.map((brick) => brick.online)).to.deep.equal([true, true, true]);
    expect(bricks.map((brick) => String(brick.pid))).to.deep.equal(values(xml, 'pid'));
    expect(bricks.map((brick) => String(brick.port))).to.deep.equal(values(xml, 'port'));
    expect(bricks.map((brick) => String(brick.sizeTotalBytes))).to.deep.equal(
      values(xml, 'sizeTotal'),
    );
    expect(bricks.map((brick) => String(brick.sizeFreeBytes))).to.deep.equal(
      values(xml, 'sizeFree'),
    );
    expect(bricks.map((brick) => brick.hostUuid)).to.deep.equal(values(xml, 'peerid'));
    // Each node's own 1 GiB XFS brick filesystem (the testbed's).
    expect(bricks[0]).to.deep.include({
      hostname: 'vofix-n1',
      path: '/bricks/r3/brick',
      sizeTotalBytes: 1006632960,
      fsName: 'xfs',
      blockSizeBytes: 4096,
    });
    expect(bricks[0]?.device).to.match(/^\/dev\/loop\d+$/);
    expect(bricks[0]?.mountOptions).to.contain('inode64');
    expect(bricks[0]?.inodesTotal).to.be.greaterThan(bricks[0]?.inodesFree ?? Infinity);
  });

  it('reads one brick as a list of one', async () => {
    const bricks = await statusOf('one', fixture('volume-status-detail-one-brick.xml'));
    expect(bricks).to.have.length(1);
    expect(bricks[0]).to.include({ name: 'vofix-n1:/bricks/one/brick', online: true });
  });

  it('reads a brick whose process is down: offline, no port, no pid', async () => {
    const bricks = await statusOf('r3', fixture('volume-status-detail-brick-down.xml'));
    const down = bricks.find((brick) => brick.hostname === 'vofix-n3');
    expect(down).to.deep.include({ online: false, port: undefined, pid: undefined });
    // glusterd still reports the filesystem.
    expect(down?.sizeTotalBytes).to.equal(1006632960);
    expect(bricks.filter((brick) => brick.online)).to.have.length(2);
  });

  it('leaves out the bricks of a node whose glusterd is down (they are missing, not offline)', async () => {
    const bricks = await statusOf('r3', fixture('volume-status-detail-node-down.xml'));
    expect(bricks).to.have.length(5);
    expect(bricks.some((brick) => brick.hostname === 'vofix-n4')).to.equal(false);
    expect(bricks.every((brick) => brick.online)).to.equal(true);
  });

  it('leaves out the self-heal daemons and other services of the plain status', async () => {
    const withDaemon = fixture('volume-status-detail-one-brick.xml').replace(
      '</node>',
      '</node><node><hostname>Self-heal Daemon</hostname><path>localhost</path><peerid>x</peerid><status>1</status><port>N/A</port><pid>7</pid></node>',
    );
    expect(await statusOf('one', withDaemon)).to.have.length(1);
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-status-detail-not-started.xml', reason: 'VolumeNotStarted' },
    { fixture: 'volume-status-detail-missing.xml', reason: 'VolumeNotFound' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const error = await rejection(statusOf('r3', fixture(tc.fixture)));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume status' });
    });
  }

  const good = fixture('volume-status-detail.xml');
  const broken: { name: string; xml: string; message: RegExp }[] = [
    { name: 'truncated XML', xml: good.slice(0, 400), message: /malformed XML/ },
    { name: 'no pid', xml: good.replace(/<pid>\d+<\/pid>/, ''), message: /lacks <pid>/ },
    { name: 'no status', xml: good.replace(/<status>1<\/status>/, ''), message: /lacks <status>/ },
    {
      name: 'a status that is not 0 or 1',
      xml: good.replace(/<status>1</, '<status>7<'),
      message: /<status> should be 0 or 1/,
    },
    {
      name: 'a size that is no number',
      xml: good.replace(/<sizeFree>\d+</, '<sizeFree>lots<'),
      message: /<sizeFree> should be an integer/,
    },
    {
      name: 'a negative size',
      xml: good.replace(/<sizeTotal>\d+</, '<sizeTotal>-5<'),
      message: /<sizeTotal> should be a count/,
    },
    {
      name: 'a port that is no number',
      xml: good.replace(/<port>\d+</, '<port>high<'),
      message: /<port> should be an integer/,
    },
    {
      name: 'another volume',
      xml: good.replace('<volName>r3<', '<volName>ar<'),
      message: /answered about ar/,
    },
    {
      name: 'no peerid',
      xml: good.replace(/<peerid>[^<]+<\/peerid>/, ''),
      message: /lacks <peerid>/,
    },
  ];
  for (const tc of broken) {
    it(`${tc.name} → GlusterXmlParseError`, async () => {
      expect(tc.xml).not.to.equal(good);
      const error = await rejection(statusOf('r3', tc.xml));
      expect(error).to.be.instanceOf(GlusterXmlParseError);
      expect(error.message).to.match(tc.message);
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the name ${JSON.stringify(hostile)}, running nothing`, async () => {
      const executor = new FakeExecutor();
      const cli = new GlusterCli(executor);
      expect(await rejection(getVolumeStatus(cli, 'n1', { name: hostile }))).to.be.instanceOf(
        InvalidArgumentError,
      );
      expect(await rejection(getVolumeTasks(cli, 'n1', { name: hostile }))).to.be.instanceOf(
        InvalidArgumentError,
      );
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

describe('volume status tasks', () => {
  it('is empty when no task ever ran', async () => {
    expect(await tasksOf('r3', fixture('volume-status-tasks-none.xml'))).to.deep.equal([]);
  });

  it('names the bricks of a remove-brick task', async () => {
    const xml = fixture('volume-status-tasks-remove-brick.xml');
    const tasks = await tasksOf('dr', xml);
    expect(tasks).to.have.length(1);
    expect(tasks[0]).to.deep.include({
      type: 'Remove brick',
      id: /<task-id>([^<]+)</.exec(fixture('volume-remove-brick-start.xml'))?.[1],
      bricks: ['vofix-n3:/bricks/dr/brick', 'vofix-n4:/bricks/dr/brick'],
    });
    expect(tasks[0]?.statusStr).to.equal(values(xml, 'statusStr')[0]);
  });

  it('reads the rebalance task a replace-brick reset', async () => {
    const tasks = await tasksOf('r3', fixture('volume-status-tasks-after-replace.xml'));
    expect(tasks).to.deep.equal([
      {
        type: 'Rebalance',
        id: /<task-id>([^<]+)</.exec(fixture('volume-rebalance-start.xml'))?.[1],
        status: 9,
        statusStr: 'reset due to replace-brick',
        bricks: [],
      },
    ]);
  });

  it('maps a volume that is not started to VolumeNotStarted', async () => {
    const error = await rejection(tasksOf('ar', fixture('volume-status-detail-not-started.xml')));
    expect(error).to.include({ reason: 'VolumeNotStarted', operation: 'volume status tasks' });
  });
});
