import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { HaStatus } from '../ha/ha-role.js';
import type { Logger } from './logger.js';
import { listen, type ListeningServer } from './listening-server.js';
import type { RequestAuthorizer } from './request-authorizer.js';
import { bearerTokenOf } from './request-authorizer.js';

export interface HealthChecks {
  /** The process works (for the liveness probe: false gets the pod restarted). */
  isLive(): boolean;
  /** The replica does its part (for the readiness probe); see isReplicaReady in src/ha. */
  isReady(): boolean;
}

export interface HttpServerOptions {
  /** 0 picks a free port (tests); read the one bound from `port` of the result. */
  readonly port: number;
  /** Default: every interface (the kubelet probes the pod IP). */
  readonly host?: string;
  readonly logger: Logger;
  readonly checks: HealthChecks;
  readonly haStatus: () => HaStatus;
  readonly metrics: Registry;
  /**
   * Asked before /metrics and /status are answered (HTTP_AUTH=kubernetes); without it they are
   * open. /healthz and /readyz are always open: the kubelet probes them without a token.
   */
  readonly authorizer?: RequestAuthorizer;
  /** How long close() lets requests in progress finish before cutting them. Default 5 s. */
  readonly closeGraceMs?: number;
}

export type RunningHttpServer = ListeningServer;

/**
 * GET (or HEAD):
 * - `/healthz`: 200 while `checks.isLive()`, else 503;
 * - `/readyz`: 200 while `checks.isReady()`, else 503;
 * - `/metrics`: the registry in Prometheus text format;
 * - `/status`: JSON `{ role, identity, leader, replicasSeen, live, ready }` (leader null when none).
 * Anything else: 404; other methods: 405. A check that throws counts as false.
 * With an authorizer, /metrics and /status answer 401 without an accepted bearer token, 403 to
 * an identity RBAC does not allow `get` on the path, and 503 when the API server cannot say.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger, checks, haStatus, metrics } = options;
  const check = (name: string, probe: () => boolean): boolean => {
    try {
      return probe();
    } catch (error) {
      logger.error('Health check failed', { check: name, error: describe(error) });
      return false;
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = ROUTES.has(path) ? path : undefined;
    if (route === undefined) {
      send(response, request, 404, TEXT, 'not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      send(response, request, 405, TEXT, 'method not allowed\n');
      return;
    }
    if (options.authorizer && PROTECTED.has(route)) {
      let verdict;
      try {
        verdict = await options.authorizer.authorize(
          bearerTokenOf(request.headers.authorization),
          route,
        );
      } catch (error) {
        logger.warn('Could not check a request token', { path: route, error: describe(error) });
        send(response, request, 503, TEXT, 'could not check the token\n');
        return;
      }
      if (verdict === 'unauthenticated') {
        response.setHeader('WWW-Authenticate', 'Bearer');
        send(response, request, 401, TEXT, 'unauthorized: a bearer token is required\n');
        return;
      }
      if (verdict === 'forbidden') {
        send(response, request, 403, TEXT, `forbidden: get ${route} is not allowed\n`);
        return;
      }
    }
    switch (route) {
      case '/healthz': {
        const live = check('live', () => checks.isLive());
        send(response, request, live ? 200 : 503, TEXT, live ? 'ok\n' : 'not live\n');
        return;
      }
      case '/readyz': {
        const ready = check('ready', () => checks.isReady());
        const body = ready ? 'ok\n' : `not ready (role ${roleOf(haStatus)})\n`;
        send(response, request, ready ? 200 : 503, TEXT, body);
        return;
      }
      case '/metrics': {
        const text = await metrics.metrics();
        send(response, request, 200, metrics.contentType, text);
        return;
      }
      case '/status': {
        const status = haStatus();
        const body = {
          role: status.role,
          identity: status.identity,
          leader: status.leader ?? null,
          replicasSeen: status.replicasSeen,
          live: check('live', () => checks.isLive()),
          ready: check('ready', () => checks.isReady()),
        };
        send(response, request, 200, JSON_TYPE, `${JSON.stringify(body)}\n`);
        return;
      }
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('Failed to answer an HTTP request', {
        path: request.url,
        error: describe(error),
      });
      if (!response.headersSent) send(response, request, 500, TEXT, 'internal error\n');
      else response.destroy();
    });
  });
  return listen(server, {
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    logger,
    listening: 'Serving health, metrics and status',
    failed: 'HTTP server failed',
    ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: options.closeGraceMs }),
  });
}

const ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/status']);
/** What an authorizer guards: what says how the pools are (and who leads), not the probes. */
const PROTECTED = new Set(['/metrics', '/status']);
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function send(
  response: ServerResponse,
  request: IncomingMessage,
  statusCode: number,
  contentType: string,
  body: string,
): void {
  response.statusCode = statusCode;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(request.method === 'HEAD' ? undefined : body);
}

function roleOf(haStatus: () => HaStatus): string {
  try {
    return haStatus().role;
  } catch {
    return 'unknown';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
