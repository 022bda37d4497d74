import { existsSync, readFileSync, rmSync } from 'node:fs';
import { expect } from 'chai';
import {
  CommandAbortedError,
  CommandTimeoutError,
  HostKeyVerificationError,
  SshAuthError,
  SshConnectError,
} from '../../../src/exec/exec-errors.js';
import { KnownHosts } from '../../../src/exec/known-hosts.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { useGlusterTestPool } from '../../support/test-pool.js';
import { rejection } from '../../support/rejection.js';
import { recordingLogger } from '../../support/recording-logger.js';

describe('SshExecutor against real sshd', function () {
  this.timeout(60_000);
  const pool = useGlusterTestPool('sshx', 2);

  it('runs a command and returns its exit code, output, node and duration', async () => {
    const { ipv4 } = pool().node(0);
    const result = await pool()
      .executor()
      .run(ipv4, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result).to.include({ node: ipv4, exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(result.command).to.equal("sh -c 'echo out; echo err >&2; exit 3'");
    expect(result.durationMs).to.be.a('number').and.at.least(0);
  });

  it('gives the command no input, so one that reads stdin does not hang', async () => {
    const result = await pool().executor().run(pool().node(0).ipv4, ['cat'], { timeoutMs: 5_000 });
    expect(result).to.include({ exitCode: 0, stdout: '' });
  });

  it('runs with LANG=C', async () => {
    const result = await pool()
      .executor()
      .run(pool().node(0).ipv4, ['sh', '-c', 'echo "$LANG/$LC_ALL"']);
    expect(result.stdout).to.equal('C/C\n');
  });

  it('authenticates with an RSA key in PEM format too', async () => {
    const executor = pool().executor({ privateKey: readFileSync(pool().pool.rsaKeyPath, 'utf8') });
    const result = await executor.run(pool().node(1).ipv4, ['id', '-u']);
    expect(result.stdout.trim()).to.equal('0');
  });

  it('reaches a node over IPv6', async () => {
    const result = await pool().executor().run(pool().node(1).ipv6, ['hostname']);
    expect(result.exitCode).to.equal(0);
  });

  it('passes hostile strings to the program verbatim, never to a shell', async () => {
    const marker = '/tmp/gop-pwned-by-ssh-test';
    rmSync(marker, { force: true });
    const hostile = [
      ...HOSTILE_STRINGS,
      `x;touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
    ];
    const result = await pool()
      .executor()
      .run(pool().node(0).ipv4, ['printf', '%s\\0', ...hostile]);
    expect(result.exitCode).to.equal(0);
    expect(result.stdout.split('\0').slice(0, -1)).to.deep.equal(hostile);
    // /tmp is shared between the nodes and this process: had any word reached a shell, it is here.
    expect(existsSync(marker)).to.equal(false);
  });

  it('runs gluster through sudo -n as a user whose sudoers allows only gluster', async () => {
    const executor = pool().executor({ user: pool().pool.sudoUser, sudo: true });
    const node = pool().node(0).ipv4;
    const gluster = await executor.run(node, ['gluster', '--mode=script', '--xml', 'pool', 'list']);
    expect(gluster.exitCode, gluster.stderr).to.equal(0);
    expect(gluster.stdout).to.contain('<opRet>0</opRet>');
    // Anything else is refused by sudo at once (no password prompt to hang on).
    const other = await executor.run(node, ['id', '-u'], { timeoutMs: 10_000 });
    expect(other.exitCode).to.equal(1);
    expect(other.stderr).to.match(/^sudo: /m);
  });

  it('runs as the user itself without sudo', async () => {
    const result = await pool()
      .executor({ user: pool().pool.sudoUser })
      .run(pool().node(0).ipv4, ['id', '-un']);
    expect(result.stdout.trim()).to.equal(pool().pool.sudoUser);
  });

  it('reuses one connection for many commands', async () => {
    const executor = pool().executor();
    const node = pool().node(0).ipv4;
    for (let i = 0; i < 5; i++) await executor.run(node, ['true']);
    await Promise.all(Array.from({ length: 5 }, () => executor.run(node, ['true'])));
    expect(executor.stats()).to.deep.equal({
      connectionsOpened: 1,
      commandsRun: 10,
      connectAttemptsSkipped: 0,
    });
  });

  it('re-establishes the connection after the node dropped it', async () => {
    const executor = pool().executor();
    const node = pool().node(1);
    await executor.run(node.ipv4, ['true']);
    // Kill the sshd session processes serving us on that node (not the listener).
    await pool().pool.execOnNode(node, ['pkill', '-KILL', '-f', '^sshd: root@notty']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await executor.run(node.ipv4, ['echo', 'again']);
    expect(result.stdout).to.equal('again\n');
    expect(executor.stats().connectionsOpened).to.equal(2);
  });

  it('runs at most maxConcurrentCommandsPerHost commands at once on a node', async () => {
    const executor = pool().executor({ maxConcurrentCommandsPerHost: 2 });
    const node = pool().node(0).ipv4;
    const log = `/tmp/gop-concurrency-${process.pid}`;
    rmSync(log, { force: true });
    const script = `echo + >> ${log}; sleep 0.3; echo - >> ${log}`;
    await Promise.all(Array.from({ length: 6 }, () => executor.run(node, ['sh', '-c', script])));
    let running = 0;
    let most = 0;
    for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
      running += line === '+' ? 1 : -1;
      most = Math.max(most, running);
    }
    rmSync(log, { force: true });
    expect(most).to.equal(2);
  });

  it('ends a command that outlives its timeout, on the node too', async () => {
    const node = pool().node(0);
    const marker = `gop-timeout-${process.pid}`;
    const error = await rejection(
      pool().executor().run(node.ipv4, ['sh', '-c', 'sleep 30', marker], { timeoutMs: 1_000 }),
    );
    expect(error).to.be.instanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).timeoutMs).to.equal(1_000);
    let remaining = '';
    for (let i = 0; i < 30; i++) {
      remaining = (await pool().pool.execOnNode(node, ['pgrep', '-f', marker])).stdout.trim();
      if (remaining === '') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(remaining, 'the remote command is still running').to.equal('');
  });

  it('stops a command when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = pool()
      .executor()
      .run(pool().node(0).ipv4, ['sleep', '20'], { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 300);
    expect(await rejection(pending)).to.be.instanceOf(CommandAbortedError);
  });

  it('refuses a node whose host key differs from known_hosts', async () => {
    const [n1, n2] = [pool().node(0), pool().node(1)];
    // known_hosts that lists n1's key under n2's address: what an impostor at n2 would present.
    const n1Key = readFileSync(pool().pool.knownHostsPath, 'utf8')
      .split('\n')
      .find((line) => line.split(/\s+/)[0]?.split(',').includes(n1.ipv4));
    expect(n1Key).to.be.a('string');
    const forged = KnownHosts.parse(`${n2.ipv4} ${n1Key!.split(/\s+/).slice(1).join(' ')}`);
    const error = await rejection(pool().executor({ hostKeys: forged }).run(n2.ipv4, ['true']));
    expect(error).to.be.instanceOf(HostKeyVerificationError);
    expect(error.message).to.match(/does not match known_hosts/);
  });

  it('refuses a node that known_hosts does not list, before connecting', async () => {
    const executor = pool().executor({ hostKeys: KnownHosts.parse('') });
    const error = await rejection(executor.run(pool().node(0).ipv4, ['true']));
    expect(error).to.be.instanceOf(HostKeyVerificationError);
    expect(executor.stats().connectionsOpened).to.equal(0);
  });

  it('connects without verification only when told to, and says so in the log', async () => {
    const lines: { level: string; message: string }[] = [];
    const executor = pool().executor({
      hostKeys: 'insecure-accept-any',
      logger: recordingLogger(lines),
    });
    expect(lines.map((line) => [line.level, line.message])).to.deep.include([
      'warn',
      'Disabled SSH host key verification',
    ]);
    expect((await executor.run(pool().node(0).ipv4, ['true'])).exitCode).to.equal(0);
  });

  it('reports a key the node does not accept as an authentication error', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    });
    const error = await rejection(
      pool().executor({ privateKey: stranger }).run(pool().node(0).ipv4, ['true']),
    );
    expect(error).to.be.instanceOf(SshAuthError);
  });

  it('reports a refused connection as a connect error', async () => {
    const node = pool().node(0);
    const hostKeys = KnownHosts.parse(
      readFileSync(pool().pool.knownHostsPath, 'utf8').replaceAll(node.ipv4, `[${node.ipv4}]:2222`),
    );
    const error = await rejection(
      pool().executor({ port: 2222, hostKeys }).run(node.ipv4, ['true']),
    );
    expect(error).to.be.instanceOf(SshConnectError);
  });

  it('gives up connecting to a node cut off from the network after the connect timeout', async () => {
    const node = pool().node(1);
    await pool().pool.cutLink(node);
    try {
      const executor = pool().executor({ connectTimeoutMs: 1_500 });
      const error = await rejection(executor.run(node.ipv4, ['true']));
      expect(error).to.be.instanceOf(SshConnectError);
    } finally {
      await pool().pool.restoreLink(node);
    }
  });
});
