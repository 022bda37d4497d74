import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterOperationError } from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import type { CreateVolumeRequest } from '../../../src/gluster/volume-create.js';
import { createVolume } from '../../../src/gluster/volume-create.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

const r3Bricks = ['vofix-n1', 'vofix-n2', 'vofix-n3'].map((host) => `${host}:/bricks/r3/brick`);

describe('volume create', () => {
  const cases: {
    name: string;
    request: CreateVolumeRequest;
    args: string[];
    fixture: string;
  }[] = [
    {
      name: 'replica 3',
      request: {
        name: 'r3',
        bricks: r3Bricks,
        layout: { type: 'Replicate', replica: 3, arbiter: 0 },
      },
      args: ['volume', 'create', 'r3', 'replica', '3', 'transport', 'tcp', ...r3Bricks],
      fixture: 'volume-create-replica3.xml',
    },
    {
      name: 'replica 3 arbiter 1',
      request: {
        name: 'ar',
        bricks: [
          'vofix-n1:/bricks/ar/brick',
          'vofix-n2:/bricks/ar/brick',
          'vofix-n3:/bricks/ar/brick',
        ],
        layout: { type: 'Replicate', replica: 3, arbiter: 1 },
      },
      args: [
        'volume',
        'create',
        'ar',
        'replica',
        '3',
        'arbiter',
        '1',
        'transport',
        'tcp',
        'vofix-n1:/bricks/ar/brick',
        'vofix-n2:/bricks/ar/brick',
        'vofix-n3:/bricks/ar/brick',
      ],
      fixture: 'volume-create-arbiter.xml',
    },
    {
      name: 'disperse 3 redundancy 1',
      request: {
        name: 'ec',
        bricks: [
          'vofix-n1:/bricks/ec/brick',
          'vofix-n2:/bricks/ec/brick',
          'vofix-n3:/bricks/ec/brick',
        ],
        layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
      },
      args: [
        'volume',
        'create',
        'ec',
        'disperse',
        '3',
        'redundancy',
        '1',
        'transport',
        'tcp',
        'vofix-n1:/bricks/ec/brick',
        'vofix-n2:/bricks/ec/brick',
        'vofix-n3:/bricks/ec/brick',
      ],
      fixture: 'volume-create-disperse.xml',
    },
    {
      name: 'distribute of one brick',
      request: {
        name: 'one',
        bricks: ['vofix-n1:/bricks/one/brick'],
        layout: { type: 'Distribute' },
      },
      args: ['volume', 'create', 'one', 'transport', 'tcp', 'vofix-n1:/bricks/one/brick'],
      fixture: 'volume-create-one-brick.xml',
    },
    {
      name: 'replica 2 over two sets, transport rdma, force',
      request: {
        name: 'dr',
        bricks: ['a:/b/1', 'b:/b/1', 'c:/b/1', 'd:/b/1'],
        layout: { type: 'Replicate', replica: 2, arbiter: 0 },
        transport: 'rdma',
        force: true,
      },
      args: [
        'volume',
        'create',
        'dr',
        'replica',
        '2',
        'transport',
        'rdma',
        'a:/b/1',
        'b:/b/1',
        'c:/b/1',
        'd:/b/1',
        'force',
      ],
      fixture: 'volume-create-distributed-replicate.xml',
    },
  ];
  for (const tc of cases) {
    it(`${tc.name}: runs exactly its argv and returns the new volume's ID`, async () => {
      const executor = new FakeExecutor().on('n1', glusterArgv(...tc.args), xmlAnswer(tc.fixture));
      const created = await createVolume(new GlusterCli(executor), 'n1', tc.request);
      const id = /<id>([0-9a-f-]{36})<\/id>/.exec(fixture(tc.fixture))?.[1];
      expect(id).to.be.a('string');
      expect(created).to.include({ id });
      expect(created.name).to.equal(/<name>([^<]+)<\/name>/.exec(fixture(tc.fixture))?.[1]);
      expect(executor.calls).to.have.length(1);
    });
  }

  const refusals: { fixture: string; reason: GlusterReason; text: RegExp }[] = [
    {
      fixture: 'volume-create-exists.xml',
      reason: 'VolumeExists',
      text: /Volume r3 already exists/,
    },
    {
      fixture: 'volume-create-root-filesystem.xml',
      reason: 'BrickOnRootFilesystem',
      text: /root partition/,
    },
    {
      fixture: 'volume-create-mount-point.xml',
      reason: 'BrickIsMountPoint',
      text: /is a mount point/,
    },
    {
      fixture: 'volume-create-overlapping-brick.xml',
      reason: 'BrickOverlapsExisting',
      text: /contained by an existing brick/,
    },
    {
      fixture: 'volume-create-brick-of-deleted-volume.xml',
      reason: 'BrickInUse',
      text: /already part of a volume/,
    },
    { fixture: 'volume-create-same-server.xml', reason: 'BricksOnSameServer', text: /same server/ },
    {
      fixture: 'volume-create-parent-missing.xml',
      reason: 'BrickDirectoryFailed',
      text: /No such file or directory/,
    },
    {
      fixture: 'volume-create-host-not-in-pool.xml',
      reason: 'BrickHostNotInPool',
      text: /'Peer in Cluster' state/,
    },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → GlusterOperationError ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'create', 'r3', 'replica', '3', 'transport', 'tcp', ...r3Bricks),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(
        createVolume(new GlusterCli(executor), 'n1', {
          name: 'r3',
          bricks: r3Bricks,
          layout: { type: 'Replicate', replica: 3, arbiter: 0 },
        }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      const refused = error as GlusterOperationError;
      expect(refused).to.include({
        reason: tc.reason,
        operation: 'volume create',
        node: 'n1',
        opRet: -1,
      });
      expect(refused.opErrstr).to.match(tc.text);
      expect(refused.hint).not.to.equal('');
    });
  }

  const invalid: { name: string; request: CreateVolumeRequest; message: RegExp }[] = [
    {
      name: 'bricks that are not whole sets',
      request: {
        name: 'r3',
        bricks: r3Bricks.slice(0, 2),
        layout: { type: 'Replicate', replica: 3, arbiter: 0 },
      },
      message: /2 bricks are not whole sets of 3/,
    },
    {
      name: 'no bricks',
      request: { name: 'r3', bricks: [], layout: { type: 'Distribute' } },
      message: /No brick given/,
    },
    {
      name: 'a brick twice',
      request: { name: 'r3', bricks: [r3Bricks[0]!, r3Bricks[0]!], layout: { type: 'Distribute' } },
      message: /given twice/,
    },
    {
      name: 'an arbiter without replica 3',
      request: {
        name: 'r3',
        bricks: r3Bricks.slice(0, 2),
        layout: { type: 'Replicate', replica: 2, arbiter: 1 },
      },
      message: /arbiter count 1/,
    },
    {
      name: 'an unknown transport',
      request: {
        name: 'r3',
        bricks: r3Bricks,
        layout: { type: 'Distribute' },
        transport: 'udp' as 'tcp',
      },
      message: /Invalid transport "udp"/,
    },
  ];
  for (const tc of invalid) {
    it(`refuses ${tc.name} before running anything`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(createVolume(new GlusterCli(executor), 'n1', tc.request));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.message).to.match(tc.message);
      expect(executor.calls).to.deep.equal([]);
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the hostile ${JSON.stringify(hostile)} as name, host or path, running nothing`, async () => {
      const executor = new FakeExecutor();
      const cli = new GlusterCli(executor);
      const layout = { type: 'Distribute' } as const;
      for (const request of [
        { name: hostile, bricks: ['n1:/bricks/v/brick'], layout },
        { name: 'v', bricks: [`${hostile}:/bricks/v/brick`], layout },
        { name: 'v', bricks: [`n1:/bricks/${hostile}`], layout },
        { name: 'v', bricks: [hostile], layout },
      ]) {
        expect(await rejection(createVolume(cli, 'n1', request))).to.be.instanceOf(
          InvalidArgumentError,
        );
      }
      expect(executor.calls).to.deep.equal([]);
    });
  }
});
