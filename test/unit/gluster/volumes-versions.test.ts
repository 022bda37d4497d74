import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterXmlParseError } from '../../../src/gluster/gluster-errors.js';
import { getClusterOpVersion, getGlusterVersion } from '../../../src/gluster/versions.js';
import { getPoolList } from '../../../src/gluster/pool-list.js';
import { bricksHostedBy, getVolumeInfo } from '../../../src/gluster/volume-info.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';

function volumesFrom(fixtureName: string) {
  const executor = new FakeExecutor().on(
    'n1',
    glusterArgv('volume', 'info'),
    xmlAnswer(fixtureName),
  );
  return getVolumeInfo(new GlusterCli(executor), 'n1');
}

describe('volume info', () => {
  it('is empty when there are no volumes', async () => {
    expect(await volumesFrom('volume-info-none.xml')).to.deep.equal([]);
  });

  it('names each brick, its host, path and the UUID of the peer hosting it', async () => {
    const [volume, ...rest] = await volumesFrom('volume-info-one.xml');
    expect(rest).to.deep.equal([]);
    expect(volume).to.deep.include({
      name: 'v1',
      status: 0,
      statusStr: 'Created',
      typeStr: 'Distribute',
    });
    // Captured in the same pool as pool-list-one-peer.xml, where fixtures-n2 has this UUID.
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('pool', 'list'),
      xmlAnswer('pool-list-one-peer.xml'),
    );
    const n2 = (await getPoolList(new GlusterCli(executor), 'n1')).find(
      (member) => member.hostname === 'fixtures-n2',
    );
    expect(n2?.uuid).to.match(/^[0-9a-f-]{36}$/);
    expect(volume?.bricks).to.deep.equal([
      {
        name: 'fixtures-n2:/bricks/b1',
        host: 'fixtures-n2',
        path: '/bricks/b1',
        hostUuid: n2?.uuid,
        isArbiter: false,
      },
    ]);
  });

  it('lists every volume and brick, and which peer hosts which', async () => {
    const volumes = await volumesFrom('volume-info-many.xml');
    expect(volumes.length).to.be.greaterThan(1);
    const bricks = volumes.flatMap((volume) => volume.bricks);
    const uuids = new Set(bricks.map((brick) => brick.hostUuid));
    let counted = 0;
    for (const uuid of uuids) counted += bricksHostedBy(volumes, uuid).length;
    expect(counted).to.equal(bricks.length);
    expect(bricksHostedBy(volumes, '00000000-0000-0000-0000-000000000000')).to.deep.equal([]);
  });
});

describe('versions', () => {
  it('reads the glusterfs version from gluster --version', async () => {
    const executor = new FakeExecutor().on('n1', ['gluster', '--version'], {
      stdout: fixture('version.txt'),
    });
    expect(await getGlusterVersion(new GlusterCli(executor), 'n1')).to.equal('10.3');
  });

  it('reads the cluster op-version', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'get', 'all', 'cluster.op-version'),
      xmlAnswer('volume-get-op-version.xml'),
    );
    expect(await getClusterOpVersion(new GlusterCli(executor), 'n1')).to.equal(100000);
  });

  it('refuses a version line it does not recognise', async () => {
    const executor = new FakeExecutor().on('n1', ['gluster', '--version'], {
      stdout: 'something else\n',
    });
    let error: unknown;
    await getGlusterVersion(new GlusterCli(executor), 'n1').catch(
      (caught: unknown) => (error = caught),
    );
    expect(error).to.be.instanceOf(GlusterXmlParseError);
  });
});
