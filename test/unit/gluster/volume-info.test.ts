import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterXmlParseError } from '../../../src/gluster/gluster-errors.js';
import { getVolume, getVolumeInfo } from '../../../src/gluster/volume-info.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

function volumeFrom(name: string, stdout: string) {
  const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'info', name), {
    stdout,
  });
  return getVolume(new GlusterCli(executor), 'n1', name);
}

/** The ID `volume create` reported for the volume, to check info reads the right one. */
function createdId(createFixture: string): string {
  const id = /<id>([0-9a-f-]{36})<\/id>/.exec(fixture(createFixture))?.[1];
  if (id === undefined) throw new Error(`${createFixture} has no <id>`);
  return id;
}

describe('volume info of one volume', () => {
  it('reads a started replica 3 volume: counts, transport, bricks in order and its options', async () => {
    const volume = await volumeFrom('r3', fixture('volume-info-replica3.xml'));
    expect(volume).to.deep.include({
      name: 'r3',
      id: createdId('volume-create-replica3.xml'),
      status: 1,
      statusStr: 'Started',
      typeStr: 'Replicate',
      brickCount: 3,
      distCount: 1,
      replicaCount: 3,
      arbiterCount: 0,
      disperseCount: 0,
      redundancyCount: 0,
      transport: 'tcp',
    });
    expect(
      volume?.bricks.map((brick) => [brick.name, brick.host, brick.path, brick.isArbiter]),
    ).to.deep.equal([
      ['vofix-n1:/bricks/r3/brick', 'vofix-n1', '/bricks/r3/brick', false],
      ['vofix-n2:/bricks/r3/brick', 'vofix-n2', '/bricks/r3/brick', false],
      ['vofix-n3:/bricks/r3/brick', 'vofix-n3', '/bricks/r3/brick', false],
    ]);
    expect(new Set(volume?.bricks.map((brick) => brick.hostUuid)).size).to.equal(3);
    // What `volume set` set, what glusterd sets itself, and a value with shell syntax, literally.
    expect(volume?.options).to.deep.include({
      'performance.cache-size': '64MB',
      'cluster.min-free-disk': '5%',
      'user.note': "it's $(id) `id` *",
      'transport.address-family': 'inet',
      'nfs.disable': 'on',
    });
  });

  it('marks the arbiter of each set of a replica 3 arbiter 1 volume', async () => {
    const volume = await volumeFrom('ar', fixture('volume-info-arbiter.xml'));
    expect(volume).to.deep.include({
      typeStr: 'Distributed-Replicate',
      brickCount: 6,
      distCount: 2,
      replicaCount: 3,
      arbiterCount: 1,
      disperseCount: 0,
    });
    expect(volume?.bricks.map((brick) => brick.isArbiter)).to.deep.equal([
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(volume?.bricks[5]?.name).to.equal('vofix-n4:/bricks/ar/brick2');
  });

  it('reads a disperse volume', async () => {
    const volume = await volumeFrom('ec', fixture('volume-info-disperse.xml'));
    expect(volume).to.deep.include({
      id: createdId('volume-create-disperse.xml'),
      typeStr: 'Disperse',
      brickCount: 3,
      distCount: 1,
      replicaCount: 1,
      disperseCount: 3,
      redundancyCount: 1,
    });
  });

  it('reads a distributed-replicate volume after a remove-brick', async () => {
    const volume = await volumeFrom('dr', fixture('volume-info-distributed-replicate.xml'));
    expect(volume).to.deep.include({
      typeStr: 'Distributed-Replicate',
      brickCount: 4,
      distCount: 2,
      replicaCount: 2,
    });
    expect(volume?.bricks.map((brick) => brick.name)).to.deep.equal([
      'vofix-n1:/bricks/dr/brick',
      'vofix-n2:/bricks/dr/brick',
      'vofix-n1:/bricks/dr/brick2',
      'vofix-n2:/bricks/dr/brick2',
    ]);
  });

  it('is undefined when no volume of that name exists (opErrno 30806)', async () => {
    expect(await volumeFrom('nope', fixture('volume-info-missing.xml'))).to.equal(undefined);
  });

  it('refuses an answer about another volume', async () => {
    const error = await rejection(volumeFrom('ar', fixture('volume-info-replica3.xml')));
    expect(error).to.be.instanceOf(GlusterXmlParseError);
    expect(error.message).to.contain('answered about r3');
  });

  for (const hostile of [...HOSTILE_STRINGS, 'all', '-x']) {
    it(`refuses the name ${JSON.stringify(hostile)} before running anything`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(getVolume(new GlusterCli(executor), 'n1', hostile));
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

describe('volume info parsing: broken answers are errors, never wrong numbers', () => {
  const good = fixture('volume-info-replica3.xml');
  const broken: { name: string; xml: string; message: RegExp }[] = [
    { name: 'truncated XML', xml: good.slice(0, good.length / 2), message: /malformed XML/ },
    {
      name: 'no replicaCount',
      xml: good.replace(/<replicaCount>\d+<\/replicaCount>/, ''),
      message: /lacks <replicaCount>/,
    },
    {
      name: 'no arbiterCount',
      xml: good.replace(/<arbiterCount>\d+<\/arbiterCount>/, ''),
      message: /lacks <arbiterCount>/,
    },
    {
      name: 'no disperseCount',
      xml: good.replace(/<disperseCount>\d+<\/disperseCount>/, ''),
      message: /lacks <disperseCount>/,
    },
    {
      name: 'no redundancyCount',
      xml: good.replace(/<redundancyCount>\d+<\/redundancyCount>/, ''),
      message: /lacks <redundancyCount>/,
    },
    {
      name: 'no distCount',
      xml: good.replace(/<distCount>\d+<\/distCount>/, ''),
      message: /lacks <distCount>/,
    },
    {
      name: 'no brickCount',
      xml: good.replace(/<brickCount>\d+<\/brickCount>/, ''),
      message: /lacks <brickCount>/,
    },
    {
      name: 'no transport',
      xml: good.replace(/<transport>\d+<\/transport>/, ''),
      message: /lacks <transport>/,
    },
    { name: 'no id', xml: good.replace(/<id>[^<]*<\/id>/, ''), message: /lacks <id>/ },
    {
      name: 'a word for a count',
      xml: good.replace(/<replicaCount>3</, '<replicaCount>three<'),
      message: /<replicaCount> should be an integer/,
    },
    {
      name: 'an unknown transport',
      xml: good.replace(/<transport>0</, '<transport>7<'),
      message: /unknown <transport> 7/,
    },
    {
      name: 'a brick count that is not the bricks listed',
      xml: good.replace(/<brickCount>3</, '<brickCount>4<'),
      message: /<brickCount> says 4 but 3 bricks/,
    },
    {
      name: 'no isArbiter',
      xml: good.replace(/<isArbiter>0<\/isArbiter>/, ''),
      message: /lacks <isArbiter>/,
    },
    {
      name: 'an isArbiter that is not 0 or 1',
      xml: good.replace(/<isArbiter>0</, '<isArbiter>2<'),
      message: /<isArbiter> should be 0 or 1/,
    },
    {
      name: 'an option without value',
      xml: good.replace(/<value>64MB<\/value>/, ''),
      message: /lacks <value>/,
    },
  ];
  for (const tc of broken) {
    it(`${tc.name} → GlusterXmlParseError`, async () => {
      expect(tc.xml).not.to.equal(good);
      const error = await rejection(volumeFrom('r3', tc.xml));
      expect(error).to.be.instanceOf(GlusterXmlParseError);
      expect(error.message).to.match(tc.message);
    });
  }
});

describe('volume info of every volume (existing callers)', () => {
  it('still reads the peer-ops fixtures, with the new fields', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'info'),
      xmlAnswer('volume-info-many.xml'),
    );
    const volumes = await getVolumeInfo(new GlusterCli(executor), 'n1');
    expect(volumes.map((v) => [v.name, v.typeStr, v.brickCount, v.replicaCount])).to.deep.equal([
      ['v1', 'Distribute', 1, 1],
      ['v2', 'Distribute', 2, 1],
      ['v3', 'Replicate', 3, 3],
    ]);
    expect(volumes.every((v) => v.transport === 'tcp')).to.equal(true);
  });
});
