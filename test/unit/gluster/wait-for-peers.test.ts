import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { tableResolver } from '../../../src/gluster/host-identity.js';
import { getPoolList } from '../../../src/gluster/pool-list.js';
import { waitForPeersToConnect } from '../../../src/gluster/peer-connectivity.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';

// No lookups leave a unit test: names that are not spelt the same do not match.
const offline = tableResolver({});

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    sleep: (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

/** Every peer of a captured pool list, and the one that is down there. */
async function peersOf(fixtureName: string): Promise<{ all: string[]; down: string[] }> {
  const executor = new FakeExecutor().on('n1', glusterArgv('pool', 'list'), xmlAnswer(fixtureName));
  const members = (await getPoolList(new GlusterCli(executor), 'n1')).filter(
    (member) => !member.isLocal,
  );
  return {
    all: members.map((member) => member.hostname),
    down: members.filter((member) => !member.isConnected).map((member) => member.hostname),
  };
}

describe('waitForPeersToConnect', () => {
  it('returns as soon as every server is connected', async () => {
    const time = fakeTime();
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('pool', 'list'),
      xmlAnswer('pool-list-peer-down.xml'),
      xmlAnswer('pool-list-many.xml'),
    );
    const result = await waitForPeersToConnect(
      new GlusterCli(executor),
      { node: 'n1', servers: (await peersOf('pool-list-peer-down.xml')).all },
      {
        ...time,
        timeoutMs: 10_000,
        intervalMs: 1_000,
      },
    );
    expect(result).to.include({ isConnected: true, attempts: 2 });
    expect(time.sleeps).to.deep.equal([1_000]);
  });

  it('gives up at the deadline, never sleeping past it, and says who was not connected', async () => {
    const time = fakeTime();
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('pool', 'list'),
      xmlAnswer('pool-list-peer-down.xml'),
    );
    const { down } = await peersOf('pool-list-peer-down.xml');
    expect(down).to.have.length(1);
    const result = await waitForPeersToConnect(
      new GlusterCli(executor),
      { node: 'n1', servers: down },
      {
        ...time,
        resolver: offline,
        timeoutMs: 2_500,
        intervalMs: 1_000,
      },
    );
    expect(result.isConnected).to.equal(false);
    expect(time.sleeps).to.deep.equal([1_000, 1_000, 500]);
    expect(time.now()).to.equal(2_500);
    expect(result.attempts).to.equal(4);
    expect(result.connections).to.deep.equal([{ server: down[0], status: 'Disconnected' }]);
  });

  it('keeps polling through failed attempts and reports the last error', async () => {
    const time = fakeTime();
    const executor = new FakeExecutor().on('n1', glusterArgv('pool', 'list'), {
      exitCode: 1,
      stdout: 'Connection failed. Please check if gluster daemon is operational.\n',
    });
    const result = await waitForPeersToConnect(
      new GlusterCli(executor),
      { node: 'n1', servers: 'n2' },
      {
        ...time,
        timeoutMs: 1_000,
        intervalMs: 400,
      },
    );
    expect(result.isConnected).to.equal(false);
    expect(result.lastError?.message).to.contain('gluster daemon is operational');
    expect(result.attempts).to.equal(4);
  });
});
