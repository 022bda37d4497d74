import net from 'node:net';

/**
 * Asks the kernel for `count` distinct free TCP ports on 127.0.0.1 by listening on port 0.
 * All listeners stay open until every port is known, so the ports differ from each other; another
 * process can still take one before our daemon binds it, which the caller handles by retrying.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('Not a TCP listener');
      return address.port;
    });
  } finally {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => {
              resolve();
            });
          }),
      ),
    );
  }
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const [port] = await findFreePorts(1);
  if (port === undefined) throw new Error('No free port');
  return port;
}
