import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterOperationError,
  GlusterXmlParseError,
} from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import {
  addBricks,
  getRemoveBrickStatus,
  removeBricksCommit,
  removeBricksStart,
  replaceBrick,
} from '../../../src/gluster/volume-bricks.js';
import {
  RemoveBrickIncompleteError,
  VolumeIdentityMismatchError,
  VolumeLayoutMismatchError,
} from '../../../src/gluster/volume-errors.js';
import type { VolumeLayoutCounts } from '../../../src/gluster/volume-layout.js';
import { TASK_NOT_STARTED, TASK_STATUS } from '../../../src/gluster/volume-task-status.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

function idIn(name: string): string {
  const id = /<id>([0-9a-f-]{36})<\/id>/.exec(fixture(name))?.[1];
  if (id === undefined) throw new Error(`${name} has no <id>`);
  return id;
}

const r3Set = ['vofix-n4', 'vofix-n1', 'vofix-n2'].map((host) => `${host}:/bricks/r3/brick2`);
const replica3: VolumeLayoutCounts = { type: 'Replicate', replica: 3, arbiter: 0 };

describe('add-brick', () => {
  const cases: {
    name: string;
    volume: string;
    info: string;
    layout: VolumeLayoutCounts;
    bricks: string[];
    force?: boolean;
    args: string[];
    answer: string;
  }[] = [
    {
      name: 'a replica 3 set',
      volume: 'r3',
      info: 'volume-info-replica3.xml',
      layout: replica3,
      bricks: r3Set,
      args: ['volume', 'add-brick', 'r3', 'replica', '3', ...r3Set],
      answer: 'volume-add-brick.xml',
    },
    {
      name: 'an arbiter set, with force',
      volume: 'ar',
      info: 'volume-info-arbiter.xml',
      layout: { type: 'Replicate', replica: 3, arbiter: 1 },
      bricks: ['vofix-n2:/b/ar', 'vofix-n3:/b/ar', 'vofix-n4:/b/ar'],
      force: true,
      args: [
        'volume',
        'add-brick',
        'ar',
        'replica',
        '3',
        'arbiter',
        '1',
        'vofix-n2:/b/ar',
        'vofix-n3:/b/ar',
        'vofix-n4:/b/ar',
        'force',
      ],
      answer: 'volume-add-brick-arbiter.xml',
    },
    {
      name: 'a disperse set: no counts (the volume has them)',
      volume: 'ec',
      info: 'volume-info-disperse.xml',
      layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
      bricks: ['vofix-n2:/b/ec', 'vofix-n3:/b/ec', 'vofix-n4:/b/ec'],
      args: ['volume', 'add-brick', 'ec', 'vofix-n2:/b/ec', 'vofix-n3:/b/ec', 'vofix-n4:/b/ec'],
      answer: 'volume-add-brick.xml',
    },
  ];
  for (const tc of cases) {
    it(`${tc.name}: checks the layout, then runs exactly its argv`, async () => {
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('volume', 'info', tc.volume), xmlAnswer(tc.info))
        .on('n1', glusterArgv(...tc.args), xmlAnswer(tc.answer));
      const result = await addBricks(new GlusterCli(executor), 'n1', {
        name: tc.volume,
        bricks: tc.bricks,
        layout: tc.layout,
        ...(tc.force === undefined ? {} : { force: tc.force }),
      });
      expect(result.name).to.equal(tc.volume);
      expect(executor.calls.map((call) => call.argv)).to.deep.equal([
        glusterArgv('volume', 'info', tc.volume),
        glusterArgv(...tc.args),
      ]);
    });
  }

  const mismatches: { layout: VolumeLayoutCounts; bricks: string[]; requested: string }[] = [
    {
      layout: { type: 'Replicate', replica: 2, arbiter: 0 },
      bricks: r3Set.slice(0, 2),
      requested: 'replica 2',
    },
    {
      layout: { type: 'Replicate', replica: 3, arbiter: 1 },
      bricks: r3Set,
      requested: 'replica 3 arbiter 1',
    },
    { layout: { type: 'Distribute' }, bricks: r3Set.slice(0, 1), requested: 'distribute' },
  ];
  for (const tc of mismatches) {
    it(`refuses ${tc.requested} bricks for a replica 3 volume (glusterd would reshape it)`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'info', 'r3'),
        xmlAnswer('volume-info-replica3.xml'),
      );
      const error = await rejection(
        addBricks(new GlusterCli(executor), 'n1', {
          name: 'r3',
          bricks: tc.bricks,
          layout: tc.layout,
        }),
      );
      expect(error).to.be.instanceOf(VolumeLayoutMismatchError);
      expect(error).to.include({
        reason: 'VolumeLayoutMismatch',
        requested: tc.requested,
        actual: 'replica 3',
      });
      expect(executor.calls).to.have.length(1);
    });
  }

  it('lets glusterd say that the volume does not exist', async () => {
    const executor = new FakeExecutor()
      .on('n1', glusterArgv('volume', 'info', 'r3'), xmlAnswer('volume-info-missing.xml'))
      .on(
        'n1',
        glusterArgv('volume', 'add-brick', 'r3', 'replica', '3', ...r3Set),
        xmlAnswer('volume-start-missing.xml'),
      );
    const error = await rejection(
      addBricks(new GlusterCli(executor), 'n1', { name: 'r3', bricks: r3Set, layout: replica3 }),
    );
    expect(error).to.include({ reason: 'VolumeNotFound', operation: 'volume add-brick' });
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-add-brick-root-filesystem.xml', reason: 'BrickOnRootFilesystem' },
    { fixture: 'volume-add-brick-overlapping.xml', reason: 'BrickOverlapsExisting' },
    { fixture: 'volume-add-brick-marked-by-refusal.xml', reason: 'BrickInUse' },
    { fixture: 'volume-add-brick-rebalance-in-progress.xml', reason: 'RebalanceInProgress' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('volume', 'info', 'r3'), xmlAnswer('volume-info-replica3.xml'))
        .on(
          'n1',
          glusterArgv('volume', 'add-brick', 'r3', 'replica', '3', ...r3Set),
          xmlAnswer(tc.fixture),
        );
      const error = await rejection(
        addBricks(new GlusterCli(executor), 'n1', { name: 'r3', bricks: r3Set, layout: replica3 }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume add-brick' });
    });
  }

  it('refuses bricks that are not whole sets, running nothing', async () => {
    const executor = new FakeExecutor();
    const error = await rejection(
      addBricks(new GlusterCli(executor), 'n1', {
        name: 'r3',
        bricks: r3Set.slice(0, 2),
        layout: replica3,
      }),
    );
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect(executor.calls).to.deep.equal([]);
  });
});

const r3Id = idIn('volume-info-replica3.xml');
const from = 'vofix-n4:/bricks/r3/brick2';
const to = 'vofix-n3:/bricks/r3/brick3';

describe('replace-brick commit force', () => {
  it("checks the volume's ID on the node, then runs `replace-brick <v> <from> <to> commit force`", async () => {
    const executor = new FakeExecutor()
      .on('n1', glusterArgv('volume', 'info', 'r3'), xmlAnswer('volume-info-replica3.xml'))
      .on(
        'n1',
        glusterArgv('volume', 'replace-brick', 'r3', from, to, 'commit', 'force'),
        xmlAnswer('volume-replace-brick.xml'),
      );
    const result = await replaceBrick(new GlusterCli(executor), 'n1', {
      name: 'r3',
      from,
      to,
      expectedVolumeId: r3Id,
    });
    expect(result.name).to.equal('r3');
    expect(executor.calls).to.have.length(2);
  });

  it('refuses a volume recreated under the same name, running nothing else', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'info', 'r3'),
      xmlAnswer('volume-info-replica3.xml'),
    );
    const expectedVolumeId = idIn('volume-create-arbiter.xml');
    const error = await rejection(
      replaceBrick(new GlusterCli(executor), 'n1', { name: 'r3', from, to, expectedVolumeId }),
    );
    expect(error).to.be.instanceOf(VolumeIdentityMismatchError);
    expect(error).to.include({
      expectedId: expectedVolumeId,
      actualId: r3Id,
      volume: 'r3',
      node: 'n1',
    });
    expect(executor.calls).to.have.length(1);
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-replace-brick-not-in-volume.xml', reason: 'BrickNotInVolume' },
    { fixture: 'volume-replace-brick-in-use.xml', reason: 'BrickOverlapsExisting' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor()
        .on('n1', glusterArgv('volume', 'info', 'r3'), xmlAnswer('volume-info-replica3.xml'))
        .on(
          'n1',
          glusterArgv('volume', 'replace-brick', 'r3', from, to, 'commit', 'force'),
          xmlAnswer(tc.fixture),
        );
      const error = await rejection(
        replaceBrick(new GlusterCli(executor), 'n1', {
          name: 'r3',
          from,
          to,
          expectedVolumeId: r3Id,
        }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume replace-brick' });
    });
  }

  for (const hostile of [...HOSTILE_STRINGS, from]) {
    it(`refuses ${JSON.stringify(hostile)} as the new brick, running nothing`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(
        replaceBrick(new GlusterCli(executor), 'n1', {
          name: 'r3',
          from,
          to: hostile,
          expectedVolumeId: r3Id,
        }),
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

const drId = idIn('volume-info-distributed-replicate.xml');
const second = ['vofix-n3:/bricks/dr/brick', 'vofix-n4:/bricks/dr/brick'];
const removeArgs = (verb: string) => glusterArgv('volume', 'remove-brick', 'dr', ...second, verb);

function removeBrickExecutor(statusFixture?: string, statusXml?: string): FakeExecutor {
  const executor = new FakeExecutor().on(
    'n1',
    glusterArgv('volume', 'info', 'dr'),
    xmlAnswer('volume-info-distributed-replicate.xml'),
  );
  if (statusXml !== undefined) executor.on('n1', removeArgs('status'), { stdout: statusXml });
  else if (statusFixture !== undefined)
    executor.on('n1', removeArgs('status'), xmlAnswer(statusFixture));
  return executor;
}

describe('remove-brick start and status', () => {
  it("checks the volume's ID, starts the migration and returns its task ID", async () => {
    const executor = removeBrickExecutor().on(
      'n1',
      removeArgs('start'),
      xmlAnswer('volume-remove-brick-start.xml'),
    );
    const started = await removeBricksStart(new GlusterCli(executor), 'n1', {
      name: 'dr',
      bricks: second,
      expectedVolumeId: drId,
    });
    expect(started.taskId).to.equal(
      /<task-id>([^<]+)</.exec(fixture('volume-remove-brick-start.xml'))?.[1],
    );
    expect(started.taskId).to.match(/^[0-9a-f-]{36}$/);
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-remove-brick-start-partial-set.xml', reason: 'BrickCountMismatch' },
    {
      fixture: 'volume-remove-brick-start-rebalance-in-progress.xml',
      reason: 'RebalanceInProgress',
    },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = removeBrickExecutor().on('n1', removeArgs('start'), xmlAnswer(tc.fixture));
      const error = await rejection(
        removeBricksStart(new GlusterCli(executor), 'n1', {
          name: 'dr',
          bricks: second,
          expectedVolumeId: drId,
        }),
      );
      expect(error).to.include({ reason: tc.reason, operation: 'volume remove-brick start' });
    });
  }

  it('reads a migration under way, per node and in sum', async () => {
    const xml = fixture('volume-remove-brick-status-in-progress.xml');
    const executor = new FakeExecutor().on('n1', removeArgs('status'), { stdout: xml });
    const status = await getRemoveBrickStatus(new GlusterCli(executor), 'n1', {
      name: 'dr',
      bricks: second,
    });
    expect(status.bricks).to.deep.equal(second);
    expect(status.taskId).to.equal(
      /<task-id>([^<]+)</.exec(fixture('volume-remove-brick-start.xml'))?.[1],
    );
    expect(status.nodes.map((node) => node.nodeName)).to.deep.equal(['vofix-n3', 'vofix-n4']);
    expect(status.aggregate).to.include({
      status: TASK_STATUS.inProgress,
      statusStr: 'in progress',
    });
    // The sum is what the nodes say, as gluster printed it.
    const aggregate = /<aggregate>([\s\S]*)<\/aggregate>/.exec(xml)?.[1] ?? '';
    expect(status.aggregate.filesMoved).to.equal(Number(/<files>(\d+)</.exec(aggregate)?.[1]));
    expect(status.aggregate.bytesMoved).to.equal(Number(/<size>(\d+)</.exec(aggregate)?.[1]));
    expect(status.aggregate.filesScanned).to.equal(Number(/<lookups>(\d+)</.exec(aggregate)?.[1]));
    expect(status.aggregate.runtimeSeconds).to.equal(
      Number(/<runtime>([\d.]+)</.exec(aggregate)?.[1]),
    );
    expect(status.nodes.reduce((sum, node) => sum + node.filesMoved, 0)).to.equal(
      status.aggregate.filesMoved,
    );
  });

  it('reads a completed migration', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      removeArgs('status'),
      xmlAnswer('volume-remove-brick-status-completed.xml'),
    );
    const status = await getRemoveBrickStatus(new GlusterCli(executor), 'n1', {
      name: 'dr',
      bricks: second,
    });
    expect(status.aggregate).to.include({
      status: TASK_STATUS.completed,
      statusStr: 'completed',
      failures: 0,
      skipped: 0,
    });
    expect(status.nodes.every((node) => node.status === TASK_STATUS.completed)).to.equal(true);
    expect(status.aggregate.filesMoved).to.be.greaterThan(0);
  });

  it('is "not started" when no remove-brick was started', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      removeArgs('status'),
      xmlAnswer('volume-remove-brick-status-not-started.xml'),
    );
    const status = await getRemoveBrickStatus(new GlusterCli(executor), 'n1', {
      name: 'dr',
      bricks: second,
    });
    expect(status).to.deep.equal({ ...TASK_NOT_STARTED, bricks: second });
  });

  const good = fixture('volume-remove-brick-status-in-progress.xml');
  const broken: { name: string; xml: string; message: RegExp }[] = [
    {
      name: 'no aggregate',
      xml: good.replace(/<aggregate>[\s\S]*<\/aggregate>/, ''),
      message: /lacks <aggregate>/,
    },
    {
      name: 'a runtime that is no number',
      xml: good.replace(/<runtime>[\d.]+</, '<runtime>soon<'),
      message: /<runtime> should be a number/,
    },
    {
      name: 'a negative count',
      xml: good.replace(/<failures>0</, '<failures>-1<'),
      message: /<failures> should be a count/,
    },
    {
      name: 'a count beyond exact numbers',
      xml: good.replace(/<size>\d+</, '<size>99999999999999999999<'),
      message: /<size> should be a count/,
    },
    {
      name: 'no status',
      xml: good.replace(/<status>\d+<\/status>/, ''),
      message: /lacks <status>/,
    },
  ];
  for (const tc of broken) {
    it(`${tc.name} → GlusterXmlParseError`, async () => {
      expect(tc.xml).not.to.equal(good);
      const executor = new FakeExecutor().on('n1', removeArgs('status'), { stdout: tc.xml });
      const error = await rejection(
        getRemoveBrickStatus(new GlusterCli(executor), 'n1', { name: 'dr', bricks: second }),
      );
      expect(error).to.be.instanceOf(GlusterXmlParseError);
      expect(error.message).to.match(tc.message);
    });
  }
});

describe('remove-brick commit: only a complete, clean migration of the volume planned', () => {
  it('checks the ID and the migration on the node, then commits', async () => {
    const executor = removeBrickExecutor('volume-remove-brick-status-completed.xml').on(
      'n1',
      removeArgs('commit'),
      xmlAnswer('volume-remove-brick-commit.xml'),
    );
    const result = await removeBricksCommit(new GlusterCli(executor), 'n1', {
      name: 'dr',
      bricks: second,
      expectedVolumeId: drId,
    });
    expect(result.name).to.equal('dr');
    expect(executor.calls.map((call) => call.argv)).to.deep.equal([
      glusterArgv('volume', 'info', 'dr'),
      removeArgs('status'),
      removeArgs('commit'),
    ]);
  });

  const incomplete: {
    name: string;
    statusFixture?: string;
    statusXml?: string;
    isTransient: boolean;
    why: RegExp;
  }[] = [
    {
      name: 'while the migration runs',
      statusFixture: 'volume-remove-brick-status-in-progress.xml',
      isTransient: true,
      why: /not completed \(vofix-n3 in progress, vofix-n4 in progress\)/,
    },
    {
      name: 'when no remove-brick was started',
      statusFixture: 'volume-remove-brick-status-not-started.xml',
      isTransient: false,
      why: /no remove-brick of them was started/,
    },
    {
      name: 'when files failed to move',
      statusXml: fixture('volume-remove-brick-status-completed.xml').replace(
        /(<aggregate>[\s\S]*?)<failures>0</,
        '$1<failures>2<',
      ),
      isTransient: false,
      why: /failed for 2 and skipped 0 files/,
    },
    {
      name: 'when files were skipped',
      statusXml: fixture('volume-remove-brick-status-completed.xml').replace(
        /(<aggregate>[\s\S]*?)<skipped>0</,
        '$1<skipped>5<',
      ),
      isTransient: false,
      why: /failed for 0 and skipped 5 files/,
    },
    {
      name: 'when one node failed',
      statusXml: fixture('volume-remove-brick-status-completed.xml').replace(
        /<status>3<\/status>\s*<statusStr>completed</,
        '<status>4</status><statusStr>failed<',
      ),
      isTransient: false,
      why: /not completed \(vofix-n3 failed\)/,
    },
  ];
  for (const tc of incomplete) {
    it(`refuses ${tc.name}, running no commit`, async () => {
      const executor = removeBrickExecutor(tc.statusFixture, tc.statusXml);
      const error = await rejection(
        removeBricksCommit(new GlusterCli(executor), 'n1', {
          name: 'dr',
          bricks: second,
          expectedVolumeId: drId,
        }),
      );
      expect(error).to.be.instanceOf(RemoveBrickIncompleteError);
      expect(error).to.include({ reason: 'RemoveBrickIncomplete', isTransient: tc.isTransient });
      expect(error.message).to.match(tc.why);
      expect(executor.calls.map((call) => call.argv.at(-1))).to.deep.equal(['dr', 'status']);
    });
  }

  it('refuses a volume recreated under the same name, reading nothing else', async () => {
    const executor = removeBrickExecutor();
    const error = await rejection(
      removeBricksCommit(new GlusterCli(executor), 'n1', {
        name: 'dr',
        bricks: second,
        expectedVolumeId: r3Id,
      }),
    );
    expect(error).to.be.instanceOf(VolumeIdentityMismatchError);
    expect(executor.calls).to.have.length(1);
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-remove-brick-commit-again.xml', reason: 'BrickNotInVolume' },
    { fixture: 'volume-remove-brick-commit-in-progress.xml', reason: 'RemoveBrickInProgress' },
    { fixture: 'volume-remove-brick-commit-not-started.xml', reason: 'RemoveBrickIncomplete' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = removeBrickExecutor('volume-remove-brick-status-completed.xml').on(
        'n1',
        removeArgs('commit'),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(
        removeBricksCommit(new GlusterCli(executor), 'n1', {
          name: 'dr',
          bricks: second,
          expectedVolumeId: drId,
        }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume remove-brick commit' });
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the brick ${JSON.stringify(hostile)} for start, status and commit, running nothing`, async () => {
      const executor = new FakeExecutor();
      const cli = new GlusterCli(executor);
      const request = { name: 'dr', bricks: [second[0]!, hostile], expectedVolumeId: drId };
      for (const attempt of [
        () => removeBricksStart(cli, 'n1', request),
        () => getRemoveBrickStatus(cli, 'n1', request),
        () => removeBricksCommit(cli, 'n1', request),
      ]) {
        expect(await rejection(attempt())).to.be.instanceOf(InvalidArgumentError);
      }
      expect(executor.calls).to.deep.equal([]);
    });
  }
});
