import { expect } from 'chai';
import ssh2 from 'ssh2';
import {
  CommandAbortedError,
  CommandTimeoutError,
  ConnectionLostError,
  HostBackoffError,
  HostKeyVerificationError,
  SshAuthError,
  SshConnectError,
} from '../../../src/exec/exec-errors.js';
import { KnownHosts } from '../../../src/exec/known-hosts.js';
import { SshExecutor } from '../../../src/exec/ssh-executor.js';
import type { SshExecutorOptions } from '../../../src/exec/ssh-executor.js';
import { freePort } from '../../support/free-ports.js';
import { rejection } from '../../support/rejection.js';
import { FaultProxy } from './fault-proxy.js';
import { startScriptedSshServer } from './scripted-ssh-server.js';
import type { ScriptedSshServer } from './scripted-ssh-server.js';

const NODE = '127.0.0.1';

/** The time `promise` took to settle, and its error. */
async function timedRejection(promise: Promise<unknown>): Promise<[Error, number]> {
  const started = performance.now();
  const error = await rejection(promise);
  return [error, performance.now() - started];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

/**
 * A node that is down or stopped answering must cost a caller little: one connect attempt per
 * backoff window, a dropped connection instead of a hang. An in-process ssh2 server behind a TCP
 * proxy plays the node: the proxy resets, swallows or freezes connections on demand.
 */
describe('SshExecutor facing dead nodes', function () {
  this.timeout(10_000);
  let server: ScriptedSshServer;
  let proxy: FaultProxy;
  let clock: number;
  const executors: SshExecutor[] = [];

  beforeEach(async () => {
    server = await startScriptedSshServer();
    proxy = await FaultProxy.start(server.port);
    clock = 1_000_000;
  });
  afterEach(async () => {
    await Promise.all(executors.splice(0).map((ssh) => ssh.close()));
    await proxy.close();
    await server.close();
  });

  /** An executor for the node behind the proxy, on the test's clock. */
  const executor = (overrides: Partial<SshExecutorOptions> = {}): SshExecutor => {
    const ssh = new SshExecutor({
      user: 'test',
      port: proxy.port,
      privateKey: server.clientKey,
      hostKeys: KnownHosts.parse(server.knownHostsLine(proxy.port)),
      connectTimeoutMs: 2_000,
      now: () => clock,
      ...overrides,
    });
    executors.push(ssh);
    return ssh;
  };

  describe('connect backoff', () => {
    it('fails at once with HostBackoffError after a refused connection, until the backoff expired', async () => {
      const port = await freePort();
      const ssh = executor({ port, hostKeys: KnownHosts.parse(server.knownHostsLine(port)) });

      const refused = await rejection(ssh.run(NODE, ['true']));
      expect(refused).to.be.instanceOf(SshConnectError).and.not.instanceOf(HostBackoffError);
      expect(refused.message).to.match(/ECONNREFUSED/);

      clock += 4_999;
      const [skipped, tookMs] = await timedRejection(ssh.run(NODE, ['true']));
      expect(skipped).to.be.instanceOf(HostBackoffError).and.instanceOf(SshConnectError);
      expect(skipped.message).to.equal(
        `Not connecting to ${NODE} again until 1 s from now: the last attempt failed: ${refused.message}`,
      );
      expect((skipped as HostBackoffError).retryAtMs).to.equal(1_005_000);
      expect(skipped.cause).to.equal(refused);
      expect(tookMs).to.be.below(50);
      expect(ssh.stats()).to.deep.equal({
        connectionsOpened: 0,
        commandsRun: 0,
        connectAttemptsSkipped: 1,
      });

      clock += 1;
      const again = await rejection(ssh.run(NODE, ['true']));
      expect(again).to.be.instanceOf(SshConnectError).and.not.instanceOf(HostBackoffError);
      expect(ssh.stats().connectAttemptsSkipped).to.equal(1);
    });

    it('doubles the backoff per consecutive failure up to the maximum; a connection resets it', async () => {
      const ssh = executor({ connectBackoffInitialMs: 1_000, connectBackoffMaxMs: 3_000 });
      proxy.mode = 'reset';
      const retryAtAfterFailure = async (): Promise<number> => {
        const failed = await rejection(ssh.run(NODE, ['true']));
        expect(failed).to.be.instanceOf(SshConnectError).and.not.instanceOf(HostBackoffError);
        const skipped = await rejection(ssh.run(NODE, ['true']));
        expect(skipped).to.be.instanceOf(HostBackoffError);
        return (skipped as HostBackoffError).retryAtMs - clock;
      };

      const delays: number[] = [];
      for (let failure = 0; failure < 4; failure++) {
        delays.push(await retryAtAfterFailure());
        clock += delays.at(-1)!;
      }
      expect(delays).to.deep.equal([1_000, 2_000, 3_000, 3_000]);
      expect(proxy.accepted).to.equal(4);
      expect(ssh.stats().connectAttemptsSkipped).to.equal(4);

      proxy.mode = 'forward';
      expect((await ssh.run(NODE, ['true'])).stdout).to.equal('connection 1\n');

      // The node goes down again: the backoff starts over from the initial delay.
      proxy.mode = 'reset';
      proxy.resetAll();
      await sleep(50);
      const lost = await rejection(ssh.run(NODE, ['true']));
      expect(lost).to.be.instanceOf(SshConnectError).and.not.instanceOf(HostBackoffError);
      expect(proxy.accepted).to.equal(6);
      const skipped = await rejection(ssh.run(NODE, ['true']));
      expect((skipped as HostBackoffError).retryAtMs - clock).to.equal(1_000);
    });

    it('counts a connect that got no answer within the deadline, and gives up on it then', async () => {
      const ssh = executor();
      proxy.mode = 'silent';
      const [silent, tookMs] = await timedRejection(
        ssh.run(NODE, ['true'], { deadlineMs: 300, timeoutMs: 10_000 }),
      );
      expect(silent).to.be.instanceOf(SshConnectError).and.not.instanceOf(HostBackoffError);
      expect(silent.message).to.equal(
        `Connecting to ${NODE}:${proxy.port} got no answer within 300 ms`,
      );
      expect(tookMs).to.be.within(250, 1_000);

      const [skipped, skippedMs] = await timedRejection(ssh.run(NODE, ['true']));
      expect(skipped).to.be.instanceOf(HostBackoffError);
      expect(skipped.cause).to.equal(silent);
      expect(skippedMs).to.be.below(50);
      expect(proxy.accepted).to.equal(1);
    });

    const configurationErrors: {
      name: string;
      overrides: () => Partial<SshExecutorOptions>;
      error: new (...args: never[]) => Error;
    }[] = [
      {
        name: 'a key the node refuses',
        overrides: () => ({ privateKey: ssh2.utils.generateKeyPairSync('ed25519').private }),
        error: SshAuthError,
      },
      {
        name: 'a host key that is not the known one',
        overrides: () => ({
          hostKeys: KnownHosts.parse(
            `[${NODE}]:${String(proxy.port)} ${ssh2.utils.generateKeyPairSync('ed25519').public}`,
          ),
        }),
        error: HostKeyVerificationError,
      },
    ];
    for (const tc of configurationErrors) {
      it(`does not back off after ${tc.name}: every call tries again`, async () => {
        const ssh = executor(tc.overrides());
        for (let call = 0; call < 3; call++) {
          expect(await rejection(ssh.run(NODE, ['true']))).to.be.instanceOf(tc.error);
        }
        expect(proxy.accepted).to.equal(3);
        expect(ssh.stats().connectAttemptsSkipped).to.equal(0);
      });
    }
  });

  describe('a node that stops answering', () => {
    it('gives up on a command the node never answers after deadlineMs, and reconnects for the next', async () => {
      server.reply = (connection) => (connection === 1 ? 'hang' : 'answer');
      const ssh = executor();
      const [error, tookMs] = await timedRejection(
        ssh.run(NODE, ['cat', '/proc/loadavg'], { deadlineMs: 500, timeoutMs: 10_000 }),
      );
      expect(error).to.be.instanceOf(CommandTimeoutError);
      expect((error as CommandTimeoutError).timeoutMs).to.equal(500);
      expect(error.message).to.equal(
        `${NODE} did not answer cat /proc/loadavg within 500 ms; dropped the connection (whether the command still runs there is unknown)`,
      );
      expect(tookMs).to.be.within(450, 1_500);

      // A hang here (the old connection reused) fails by the deadline, not by the test timeout.
      const next = await ssh.run(NODE, ['true'], { deadlineMs: 2_000 });
      expect(next.stdout).to.equal('connection 2\n');
      expect(server.connections).to.equal(2);
      expect(ssh.stats().connectionsOpened).to.equal(2);
    });

    it('counts the deadline from the call, waiting for a free command slot included', async () => {
      server.reply = (_connection, command) => (command.includes('sleep') ? 'hang' : 'answer');
      const ssh = executor({ maxConcurrentCommandsPerHost: 1 });
      const controller = new AbortController();
      const holding = ssh.run(NODE, ['sleep', '60'], { signal: controller.signal });
      await until(() => server.execs === 1);

      const [error, tookMs] = await timedRejection(
        ssh.run(NODE, ['true'], { deadlineMs: 300, timeoutMs: 10_000 }),
      );
      expect(error).to.be.instanceOf(CommandTimeoutError);
      expect(error.message).to.equal(
        `true waited 300 ms for one of the 1 command slots on ${NODE} and was not run`,
      );
      expect(tookMs).to.be.within(250, 1_000);

      // Busy is not dead: the command holding the slot still runs on the same connection.
      controller.abort();
      expect(await rejection(holding)).to.be.instanceOf(CommandAbortedError);
      expect((await ssh.run(NODE, ['true'])).stdout).to.equal('connection 1\n');
      expect(server.connections).to.equal(1);
    });

    it("keeps the connection after a command the node ended itself (timeout's exit code 124)", async () => {
      server.reply = (_connection, command) => (command.includes('slow') ? 124 : 'answer');
      const ssh = executor();
      const error = await rejection(
        ssh.run(NODE, ['slow'], { timeoutMs: 1_000, deadlineMs: 2_000 }),
      );
      expect(error).to.be.instanceOf(CommandTimeoutError);
      expect((error as CommandTimeoutError).timeoutMs).to.equal(1_000);
      expect((await ssh.run(NODE, ['true'])).stdout).to.equal('connection 1\n');
      expect(server.connections).to.equal(1);
    });

    it('fails a command in flight within a few keepalive intervals once the node stops answering', async () => {
      server.reply = (connection) => (connection === 1 ? 'hang' : 'answer');
      const ssh = executor({ keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
      const pending = ssh.run(NODE, ['sleep', '60'], { timeoutMs: 60_000 });
      await until(() => ssh.stats().commandsRun === 1);
      proxy.freeze();
      const [error, tookMs] = await timedRejection(pending);
      expect(error).to.be.instanceOf(ConnectionLostError);
      // Two unanswered keepalives and the third interval: 600 ms, plus up to one interval.
      expect(tookMs).to.be.within(400, 1_500);
      expect((await ssh.run(NODE, ['true'], { deadlineMs: 2_000 })).stdout).to.equal(
        'connection 2\n',
      );
    });

    it('drops a connection that fails after it was ready, failing the command in flight at once', async () => {
      server.reply = (connection) => (connection === 1 ? 'hang' : 'answer');
      const ssh = executor({ keepaliveIntervalMs: 60_000 });
      const pending = ssh.run(NODE, ['sleep', '60'], { timeoutMs: 60_000 });
      await until(() => ssh.stats().commandsRun === 1);
      // Garbage in the encrypted stream: ssh2 reports an error and only half-closes its side,
      // which a frozen node never answers.
      proxy.freeze();
      const started = performance.now();
      proxy.injectToClients(Buffer.alloc(70_000, 0xa5));
      const error = await rejection(pending);
      expect(error).to.be.instanceOf(ConnectionLostError);
      expect(performance.now() - started).to.be.below(500);
      expect((await ssh.run(NODE, ['true'], { deadlineMs: 2_000 })).stdout).to.equal(
        'connection 2\n',
      );
    });

    it('sends a keepalive every 2 s by default', async function () {
      this.timeout(5_000);
      const ssh = executor();
      await ssh.run(NODE, ['true']);
      await sleep(100);
      const before = proxy.chunksFromClients;
      await sleep(2_100);
      expect(proxy.chunksFromClients - before).to.equal(1);
    });
  });
});
