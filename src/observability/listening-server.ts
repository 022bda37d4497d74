import type { Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';

/** A server listening, as the operator's HTTP endpoints hand it out. */
export interface ListeningServer {
  /** The port bound. */
  readonly port: number;
  /** e.g. http://127.0.0.1:8080, or https:// for a TLS server */
  readonly url: string;
  /** Stops accepting, lets requests in progress finish (within the grace), closes every connection. */
  close(): Promise<void>;
}

/**
 * Binds `server` (rejecting when the port cannot be had), logs `listening` with its URL and later
 * failures under `failed`, and gives the close every endpoint needs: stop accepting, drop idle
 * keep-alive connections at once (they would hold close() open), and cut the rest after
 * `closeGraceMs`.
 */
export async function listen(
  server: Server | TlsServer,
  options: {
    readonly port: number;
    readonly host?: string;
    readonly logger: Logger;
    readonly listening: string;
    readonly failed: string;
    readonly closeGraceMs?: number;
  },
): Promise<ListeningServer> {
  const { logger } = options;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, ...(options.host ? { host: options.host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => {
    logger.error(options.failed, { error: error.message });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  const url = `${scheme}://${host}:${address.port}`;
  logger.info(options.listening, { url });

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const grace = setTimeout(() => {
          server.closeAllConnections();
        }, options.closeGraceMs ?? 5_000);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        // Keep-alive connections with no request in progress would hold close() open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
