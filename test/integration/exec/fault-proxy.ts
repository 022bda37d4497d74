import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with a new connection: `forward` it to the target, `reset` it at once
 * (a node whose port is closed), or keep it `silent` (accepted, never a byte back: a node that
 * hangs).
 */
export type ProxyMode = 'forward' | 'reset' | 'silent';

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket | undefined;
  frozen: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a test server that can make the far side fail the ways a
 * real node does, without closing anything it should not. Half-open connections are allowed, so
 * a client that ends its side does not get a close back unless the target sends one.
 */
export class FaultProxy {
  mode: ProxyMode = 'forward';
  /** TCP connections accepted so far: one per connect attempt. */
  accepted = 0;
  /** Chunks received from clients and forwarded. */
  chunksFromClients = 0;
  private readonly pairs = new Set<Pair>();
  /** Every socket still open, frozen ones included, so that close() leaves nothing behind. */
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FaultProxy> {
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => {
      proxy.accept(client, targetPort);
    });
    return proxy;
  }

  /**
   * From now on, nothing passes on the open connections in either direction and no end or close
   * is passed on either: to TCP the node is still there, but it never answers.
   */
  freeze(): void {
    for (const pair of this.pairs) pair.frozen = true;
  }

  /** Writes bytes to every client as if they came from the target. */
  injectToClients(bytes: Buffer): void {
    for (const pair of this.pairs) pair.client.write(bytes);
  }

  /** Resets every open connection, both ways (a node that crashed and lost its sockets). */
  resetAll(): void {
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.resetAndDestroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket, targetPort: number): void {
    this.accepted++;
    this.track(client);
    client.on('error', () => undefined);
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'silent') {
      const pair: Pair = { client, upstream: undefined, frozen: true };
      this.pairs.add(pair);
      client.on('close', () => this.pairs.delete(pair));
      client.resume();
      return;
    }
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    upstream.on('error', () => undefined);
    this.track(upstream);
    const pair: Pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (pair.frozen) return;
      this.chunksFromClients++;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.frozen) client.write(chunk);
    });
    client.on('end', () => {
      if (!pair.frozen) upstream.end();
    });
    upstream.on('end', () => {
      if (!pair.frozen) client.end();
    });
    client.on('close', () => {
      this.pairs.delete(pair);
      if (!pair.frozen) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!pair.frozen) client.destroy();
    });
  }
}
