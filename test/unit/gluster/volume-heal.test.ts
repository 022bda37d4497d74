import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterOperationError,
  GlusterXmlParseError,
} from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { getHealSummary } from '../../../src/gluster/volume-heal.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

function healOf(name: string, stdout: string, exitCode = 0) {
  const executor = new FakeExecutor().on(
    'n1',
    glusterArgv('volume', 'heal', name, 'info', 'summary'),
    { stdout, exitCode },
  );
  return getHealSummary(new GlusterCli(executor), 'n1', { name });
}

describe('volume heal info summary', () => {
  it('reads a healthy replica 3 volume: every brick connected, nothing to heal', async () => {
    const bricks = await healOf('r3', fixture('volume-heal-summary.xml'));
    expect(bricks.map((brick) => brick.name)).to.deep.equal([
      'vofix-n1:/bricks/r3/brick',
      'vofix-n2:/bricks/r3/brick',
      'vofix-n3:/bricks/r3/brick',
    ]);
    for (const brick of bricks) {
      expect(brick).to.deep.include({
        isConnected: true,
        status: 'Connected',
        total: 0,
        pending: 0,
        splitBrain: 0,
        possiblyHealing: 0,
      });
      expect(brick.hostUuid).to.match(/^[0-9a-f-]{36}$/);
    }
  });

  it('reads entries to heal, and a brick it could not reach (no counts, no UUID)', async () => {
    const xml = fixture('volume-heal-summary-pending.xml');
    const bricks = await healOf('r3', xml);
    const pending = Number(/<numberOfEntriesInHealPending>(\d+)</.exec(xml)?.[1]);
    expect(pending).to.be.greaterThan(20);
    expect(
      bricks.slice(0, 2).map((brick) => [brick.isConnected, brick.total, brick.pending]),
    ).to.deep.equal([
      [true, pending, pending],
      [true, pending, pending],
    ]);
    expect(bricks[2]).to.deep.equal({
      name: 'vofix-n3:/bricks/r3/brick',
      hostUuid: undefined,
      isConnected: false,
      status: 'Failed to process entries completely. (Transport endpoint is not connected)',
      total: undefined,
      pending: undefined,
      splitBrain: undefined,
      possiblyHealing: undefined,
    });
  });

  it('reads a disperse volume', async () => {
    const bricks = await healOf('ec', fixture('volume-heal-summary-disperse.xml'));
    expect(bricks.map((brick) => [brick.name, brick.isConnected, brick.pending])).to.deep.equal([
      ['vofix-n1:/bricks/ec/brick', true, 0],
      ['vofix-n2:/bricks/ec/brick', true, 0],
      ['vofix-n3:/bricks/ec/brick', true, 0],
    ]);
  });

  // The CLI exits with the negated errno (251 = -5, 234 = -22), XML and all.
  const refusals: { fixture: string; reason: GlusterReason; exitCode: number }[] = [
    // glfsheal cannot fetch the client volfile of a volume that is not started.
    { fixture: 'volume-heal-summary-not-started.xml', reason: 'VolumeNotStarted', exitCode: 251 },

    { fixture: 'volume-heal-summary-not-replicated.xml', reason: 'NotReplicated', exitCode: 234 },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const error = await rejection(healOf('ar', fixture(tc.fixture), tc.exitCode));
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume heal info summary' });
    });
  }

  const good = fixture('volume-heal-summary.xml');
  const broken: { name: string; xml: string; message: RegExp }[] = [
    { name: 'truncated XML', xml: good.slice(0, 300), message: /malformed XML/ },
    {
      name: 'no healInfo',
      xml: good.replace(/<healInfo>[\s\S]*<\/healInfo>/, ''),
      message: /lacks <healInfo>/,
    },
    {
      name: 'a connected brick without its pending count',
      xml: good.replace(/<numberOfEntriesInHealPending>0<\/numberOfEntriesInHealPending>/, ''),
      message: /lacks <numberOfEntriesInHealPending>/,
    },
    {
      name: 'a count that is no number',
      xml: good.replace(/<numberOfEntriesInSplitBrain>0</, '<numberOfEntriesInSplitBrain>-<'),
      message: /<numberOfEntriesInSplitBrain> should be an integer/,
    },
    {
      name: 'no hostUuid attribute',
      xml: good.replace(/ hostUuid="[^"]+"/, ''),
      message: /lacks <@hostUuid>/,
    },
  ];
  for (const tc of broken) {
    it(`${tc.name} → GlusterXmlParseError`, async () => {
      expect(tc.xml).not.to.equal(good);
      const error = await rejection(healOf('r3', tc.xml));
      expect(error).to.be.instanceOf(GlusterXmlParseError);
      expect(error.message).to.match(tc.message);
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`refuses the name ${JSON.stringify(hostile)}, running nothing`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(
        getHealSummary(new GlusterCli(executor), 'n1', { name: hostile }),
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }
});
