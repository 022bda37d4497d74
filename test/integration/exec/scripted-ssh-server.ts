import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';

/**
 * How a connection answers an exec request: `answer` writes `connection <n>` and exits 0,
 * `hang` accepts the channel and never says anything again, a number exits with that code.
 */
export type ExecReply = 'answer' | 'hang' | number;

/**
 * An in-process SSH server on 127.0.0.1 for the edge cases real sshd cannot be made to show:
 * it counts connections, accepts exactly one client key, and answers each exec as told.
 */
export interface ScriptedSshServer {
  readonly port: number;
  /** known_hosts line for the server at `port` (pass another port when clients go through a proxy). */
  knownHostsLine(port?: number): string;
  /** OpenSSH private key the server accepts. */
  readonly clientKey: string;
  /** Connections accepted so far (the n of `connection <n>`). */
  readonly connections: number;
  /** Exec requests received so far. */
  readonly execs: number;
  /** Decides each exec's reply from the connection number (1-based) and the command line. */
  reply: (connection: number, command: string) => ExecReply;
  close(): Promise<void>;
}

export async function startScriptedSshServer(): Promise<ScriptedSshServer> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  const allowed = ssh2.utils.parseKey(clientKey.public);
  if (allowed instanceof Error) throw allowed;
  const allowedKey = allowed.getPublicSSH();
  const open = new Set<ssh2.Connection>();
  let connections = 0;
  let execs = 0;

  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    const number = ++connections;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (context) => {
      if (context.method === 'publickey' && context.key.data.equals(allowedKey)) context.accept();
      else context.reject(['publickey']);
    });
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, _reject, info) => {
        const stream = acceptExec();
        execs++;
        const reply = handle.reply(number, info.command);
        if (reply === 'hang') return;
        if (reply === 'answer') stream.write(`connection ${String(number)}\n`);
        stream.exit(reply === 'answer' ? 0 : reply);
        stream.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const handle: ScriptedSshServer = {
    port,
    knownHostsLine: (at = port) => `[127.0.0.1]:${String(at)} ${hostKey.public}\n`,
    clientKey: clientKey.private,
    get connections() {
      return connections;
    },
    get execs() {
      return execs;
    },
    reply: () => 'answer',
    close: async () => {
      for (const client of open) client.end();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return handle;
}
