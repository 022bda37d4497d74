import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import ssh2 from 'ssh2';
import { ConnectionLostError } from '../../../src/exec/exec-errors.js';
import { KnownHosts } from '../../../src/exec/known-hosts.js';
import { SshExecutor } from '../../../src/exec/ssh-executor.js';
import { rejection } from '../../support/rejection.js';

/**
 * A pooled connection that can no longer open a channel (its node rebooted, say) must be
 * replaced: the executor retries once on a new connection. An in-process ssh2 server on loopback
 * refuses every channel on the connections it is told to, which real sshd cannot be made to do.
 */
describe('SshExecutor on a connection that refuses channels', function () {
  this.timeout(30_000);
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  let server: ssh2.Server;
  let port: number;
  let connections = 0;
  /** Connections (1-based) whose channel requests are refused. */
  let refusing = new Set<number>();

  before(async () => {
    server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
      const number = ++connections;
      client.on('authentication', (context) => {
        context.accept();
      });
      client.on('session', (accept, reject) => {
        if (refusing.has(number)) {
          reject();
          return;
        }
        accept().on('exec', (acceptExec) => {
          const stream = acceptExec();
          stream.write(`connection ${String(number)}\n`);
          stream.exit(0);
          stream.end();
        });
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    connections = 0;
  });

  const executor = (): SshExecutor =>
    new SshExecutor({
      user: 'test',
      port,
      privateKey: clientKey.private,
      hostKeys: KnownHosts.parse(`[127.0.0.1]:${String(port)} ${hostKey.public}\n`),
      connectTimeoutMs: 5_000,
    });

  it('runs the command on a new connection when the pooled one refuses a channel', async () => {
    const ssh = executor();
    try {
      refusing = new Set();
      expect((await ssh.run('127.0.0.1', ['true'])).stdout).to.equal('connection 1\n');
      // The pooled connection now refuses channels; a new one does not.
      refusing = new Set([1]);
      const result = await ssh.run('127.0.0.1', ['true']);
      expect(result.stdout).to.equal('connection 2\n');
      expect(ssh.stats().connectionsOpened).to.equal(2);
      // And the new connection is the pooled one from now on.
      expect((await ssh.run('127.0.0.1', ['true'])).stdout).to.equal('connection 2\n');
    } finally {
      await ssh.close();
    }
  });

  it('retries only once: two refusing connections are a ConnectionLostError', async () => {
    const ssh = executor();
    try {
      refusing = new Set([1, 2]);
      const error = await rejection(ssh.run('127.0.0.1', ['true']));
      expect(error).to.be.instanceOf(ConnectionLostError);
      expect(connections).to.equal(2);
    } finally {
      await ssh.close();
    }
  });
});
