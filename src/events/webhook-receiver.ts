import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import { parseGlusterdEvent, type GlusterdEvent } from '../core/events/glusterd-event.js';
import { InvalidArgumentError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { listen, type ListeningServer } from '../observability/listening-server.js';
import type { TlsFiles } from './tls-files.js';
import { readTlsFiles, reloadTlsFiles } from './tls-files.js';
import { KeyedTokenBuckets, TokenBucket } from './token-bucket.js';

/** Why a post was refused; each has its own status code (see STATUS_OF). */
export type ReceiverRejection =
  /** The path is not /v1/events/<namespace>/<name> (404). */
  | 'not-found'
  /** Not POST (405). */
  | 'method'
  /** Content-Type is not application/json (415). */
  | 'media-type'
  /** Content-Length, or the body read so far, is over maxBodyBytes (413). */
  | 'too-large'
  /** sink() returned undefined: this replica does not lead (503). */
  | 'standby'
  /** The pool's or the global bucket is empty (429). */
  | 'rate-limited'
  /**
   * sink.tokenOf(key) is undefined: answered 401 exactly as 'unauthorized', so that no one can
   * find out which pools exist.
   */
  | 'unknown-cluster'
  /** A missing or wrong bearer token (401). */
  | 'unauthorized'
  /** The body is not JSON, or not an event parseGlusterdEvent accepts (400). */
  | 'malformed';

/** What the sink made of an authenticated, well-formed event. */
export type SinkVerdict = 'accepted' | 'unknown-node' | 'stale' | 'duplicate' | 'replayed';

export interface EventSinkPort {
  /**
   * The bearer token the pool's nodes send, or undefined when the pool is unknown or has events
   * off.
   */
  tokenOf(clusterKey: string): string | undefined;
  /**
   * Takes an authenticated, well-formed event; returns what became of it, for logs and metrics.
   * Must not throw (a throw is logged and answered 500) and must be fast: it runs in the request.
   */
  accept(clusterKey: string, event: GlusterdEvent, digest: string, receivedMs: number): SinkVerdict;
  /**
   * A post for a pool with events on came with a wrong token (a node with an old one, or a
   * forgery): noted, never acted on. Must not throw.
   */
  refused?(clusterKey: string): void;
}

export interface ReceivedOutcome {
  /** "namespace/name" when the path parsed. */
  readonly clusterKey?: string;
  /** The event name when the body parsed. */
  readonly event?: string;
  /**
   * A rejection, the sink's verdict, or 'internal-error' when the receiver itself failed (a
   * sink that threw despite its contract): answered 500.
   */
  readonly result: ReceiverRejection | SinkVerdict | 'internal-error';
}

export interface WebhookReceiverOptions {
  /** 0 picks a free port (tests); read the one bound from `port` of the result. */
  readonly port: number;
  /** Default 0.0.0.0: the storage nodes post to the pod IP. */
  readonly host?: string;
  readonly logger: Logger;
  /** The sink while this replica leads, undefined while it stands by. Asked once per request. */
  readonly sink: () => EventSinkPort | undefined;
  /** Default 65,536: a glustereventsd post is well under a kilobyte. */
  readonly maxBodyBytes?: number;
  /** Default 20/s with a burst of 200 per pool. */
  readonly perPoolRate?: { ratePerSecond: number; burst: number };
  /** Default 200/s with a burst of 1,000 over all pools. */
  readonly globalRate?: { ratePerSecond: number; burst: number };
  /** For metrics; called exactly once per request. */
  readonly onOutcome?: (outcome: ReceivedOutcome) => void;
  /** Milliseconds clock, default Date.now. */
  readonly now?: () => number;
  /** How long close() lets requests in progress finish before cutting them. Default 5 s. */
  readonly closeGraceMs?: number;
  /**
   * Serve HTTPS with these PEM files (read again every `reloadIntervalMs`, default a minute, for a
   * renewed certificate); plain HTTP without. Unreadable or unusable files fail the start.
   */
  readonly tls?: TlsFiles & { readonly reloadIntervalMs?: number };
}

export type RunningWebhookReceiver = ListeningServer;

export const EVENTS_PATH_PREFIX = '/v1/events/';

/**
 * The path a pool's nodes post to: `/v1/events/<namespace>/<name>`. Both are Kubernetes names
 * (a DNS label and a DNS subdomain), which need no encoding; anything else throws, since the
 * receiver would answer 404 to it.
 */
export function eventsPathOf(namespace: string, name: string): string {
  if (!isNamespace(namespace)) {
    throw new InvalidArgumentError(`"${namespace}" is not a namespace (a DNS-1123 label)`);
  }
  if (!isObjectName(name)) {
    throw new InvalidArgumentError(`"${name}" is not a DNS-1123 subdomain name`);
  }
  return `${EVENTS_PATH_PREFIX}${namespace}/${name}`;
}

/**
 * Serves glustereventsd's webhook posts: `POST /v1/events/<namespace>/<name>` with a JSON event
 * and `Authorization: Bearer <the pool's token>`. glustereventsd does not retry and ignores the
 * answer (it logs a non-200), so the answers are for people and tests; what matters is that
 * nothing unauthenticated costs more than a header parse, and that nothing crashes the server.
 *
 * Checks run cheapest first and the body is read only once the token matched: method, path,
 * Content-Type, Content-Length, leadership (503 on a standby replica), rate (per pool, then
 * global), token, then the body within maxBodyBytes, JSON, parseGlusterdEvent, and sink.accept.
 */
export async function startWebhookReceiver(
  options: WebhookReceiverOptions,
): Promise<RunningWebhookReceiver> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const poolBuckets = new KeyedTokenBuckets({ ...(options.perPoolRate ?? PER_POOL_RATE), now });
  const globalBucket = new TokenBucket({ ...(options.globalRate ?? GLOBAL_RATE), now });

  const reject = (
    request: IncomingMessage,
    response: ServerResponse,
    result: ReceiverRejection,
    clusterKey?: string,
  ): ReceivedOutcome => {
    logger.debug('Rejected an event post', {
      reason: result,
      remoteAddress: request.socket.remoteAddress,
      ...(clusterKey === undefined ? {} : { cluster: clusterKey }),
    });
    if (result === 'method') response.setHeader('Allow', 'POST');
    if (result === 'unknown-cluster' || result === 'unauthorized') {
      response.setHeader('WWW-Authenticate', 'Bearer');
    }
    if (result === 'rate-limited') response.setHeader('Retry-After', '1');
    // Once a body was read, the connection is clean and may be kept; before, unread bytes may
    // follow (up to whatever the client claims), and reading them is what the checks avoid.
    const bodyWasRead = result === 'malformed';
    sendJson(response, STATUS_OF[result], { error: ERROR_TEXT_OF[result] }, !bodyWasRead);
    return { ...(clusterKey === undefined ? {} : { clusterKey }), result };
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<ReceivedOutcome> => {
    const receivedMs = now();
    if (request.method !== 'POST') return reject(request, response, 'method');
    const clusterKey = clusterKeyOfPath(request.url ?? '');
    if (clusterKey === undefined) return reject(request, response, 'not-found');
    if (!isJsonMediaType(request.headers['content-type'])) {
      return reject(request, response, 'media-type', clusterKey);
    }
    const declaredLength = request.headers['content-length'];
    if (declaredLength !== undefined && Number(declaredLength) > maxBodyBytes) {
      return reject(request, response, 'too-large', clusterKey);
    }
    const sink = options.sink();
    if (sink === undefined) return reject(request, response, 'standby', clusterKey);
    if (!poolBuckets.tryTake(clusterKey) || !globalBucket.tryTake()) {
      return reject(request, response, 'rate-limited', clusterKey);
    }
    const expectedToken = sink.tokenOf(clusterKey);
    const tokenMatches = isBearerOf(request.headers.authorization, expectedToken);
    if (expectedToken === undefined)
      return reject(request, response, 'unknown-cluster', clusterKey);
    if (!tokenMatches) {
      sink.refused?.(clusterKey);
      return reject(request, response, 'unauthorized', clusterKey);
    }

    const body = await readBodyWithin(request, maxBodyBytes);
    if (body.kind === 'too-large') return reject(request, response, 'too-large', clusterKey);
    if (body.kind === 'incomplete') {
      // The client went away or timed out mid-body: what arrived is not an event.
      return reject(request, response, 'malformed', clusterKey);
    }
    let event: GlusterdEvent;
    try {
      event = parseGlusterdEvent(JSON.parse(body.bytes.toString('utf8')));
    } catch (error) {
      // Not the error's message for JSON: V8 quotes the body in it.
      logger.debug('Received a malformed event', {
        cluster: clusterKey,
        remoteAddress: request.socket.remoteAddress,
        problem: error instanceof SyntaxError ? 'The body is not JSON' : describe(error),
      });
      return reject(request, response, 'malformed', clusterKey);
    }
    const digest = createHash('sha256').update(body.bytes).digest('hex');
    let verdict: SinkVerdict;
    try {
      verdict = sink.accept(clusterKey, event, digest, receivedMs);
    } catch (error) {
      logger.error('Failed to take an event', {
        cluster: clusterKey,
        event: event.type,
        error: describe(error),
      });
      sendJson(response, 500, { error: 'internal error' }, false);
      return { clusterKey, event: event.type, result: 'internal-error' };
    }
    logger.debug('Received an event', {
      cluster: clusterKey,
      event: event.type,
      nodeId: event.nodeId,
      result: verdict,
    });
    sendJson(response, 200, { result: verdict }, false);
    return { clusterKey, event: event.type, result: verdict };
  };

  const report = (outcome: ReceivedOutcome): void => {
    try {
      options.onOutcome?.(outcome);
    } catch (error) {
      logger.error('Failed to record an event post outcome', { error: describe(error) });
    }
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response).then(report, (error: unknown) => {
      logger.error('Failed to answer an event post', { error: describe(error) });
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' }, true);
      else response.destroy();
      report({ result: 'internal-error' });
    });
  };
  // Slow clients cannot hold a connection: headers within 5 s, the whole request within 10 s.
  const limits = { requestTimeout: 10_000, headersTimeout: 5_000 };
  const serve = (server: Server | TlsServer): Promise<ListeningServer> => {
    server.maxHeadersCount = 64;
    return listen(server, {
      port: options.port,
      host: options.host ?? '0.0.0.0',
      logger,
      listening: 'Receiving glusterd events',
      failed: 'Event receiver failed',
      ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: options.closeGraceMs }),
    });
  };
  const { tls } = options;
  if (tls === undefined) return serve(createServer(limits, onRequest));
  const material = await readTlsFiles(tls);
  const server = createTlsServer({ ...limits, ...material }, onRequest);
  const listening = await serve(server);
  const stopReloading = reloadTlsFiles(
    tls,
    material,
    (next) => {
      server.setSecureContext(next);
    },
    { logger, ...(tls.reloadIntervalMs === undefined ? {} : { intervalMs: tls.reloadIntervalMs }) },
  );
  return {
    ...listening,
    close: () => {
      stopReloading();
      return listening.close();
    },
  };
}

const PER_POOL_RATE = { ratePerSecond: 20, burst: 200 };
const GLOBAL_RATE = { ratePerSecond: 200, burst: 1_000 };

const STATUS_OF: Readonly<Record<ReceiverRejection, number>> = {
  'not-found': 404,
  method: 405,
  'media-type': 415,
  'too-large': 413,
  standby: 503,
  'rate-limited': 429,
  'unknown-cluster': 401,
  unauthorized: 401,
  malformed: 400,
};

/** Short and fixed: never the token, the body, or whether the pool exists. */
const ERROR_TEXT_OF: Readonly<Record<ReceiverRejection, string>> = {
  'not-found': 'not found',
  method: 'method not allowed',
  'media-type': 'the body must be application/json',
  'too-large': 'the body is too large',
  standby: 'this replica does not lead; retry on the leader',
  'rate-limited': 'too many events',
  'unknown-cluster': 'unauthorized',
  unauthorized: 'unauthorized',
  malformed: 'the body is not a glusterd event',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Exactly two segments and nothing after (no query string): the raw URL, not a decoded one. */
const EVENTS_PATH = /^\/v1\/events\/([^/?#]+)\/([^/?#]+)$/;
const BEARER = /^Bearer +(\S+) *$/i;

function isNamespace(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

function isObjectName(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** "namespace/name" for `/v1/events/<namespace>/<name>`, undefined for any other request target. */
function clusterKeyOfPath(target: string): string | undefined {
  const match = EVENTS_PATH.exec(target);
  const namespace = match?.[1];
  const name = match?.[2];
  if (namespace === undefined || name === undefined) return undefined;
  if (!isNamespace(namespace) || !isObjectName(name)) return undefined;
  return `${namespace}/${name}`;
}

function isJsonMediaType(header: string | undefined): boolean {
  const mediaType = header?.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * Whether the Authorization header carries `expected` as its bearer token. Compares SHA-256
 * digests in constant time: equal lengths for timingSafeEqual, and neither the token's length
 * nor its matching prefix shows in the timing. Hashes even when there is nothing to compare
 * against, so an unknown pool takes as long as a wrong token.
 */
function isBearerOf(header: string | undefined, expected: string | undefined): boolean {
  const presented = BEARER.exec(header ?? '')?.[1];
  const same = timingSafeEqual(sha256(presented ?? ''), sha256(expected ?? ''));
  return same && presented !== undefined && expected !== undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

type BodyRead =
  | { readonly kind: 'complete'; readonly bytes: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'incomplete' };

/**
 * Reads the body, giving up as soon as it passes `maxBytes` (a chunked body declares no length,
 * so only counting tells). At most `maxBytes` plus one socket read is ever held.
 */
function readBodyWithin(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      // The 'error' listener stays (a no-op now): an error with no listener would be thrown.
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        request.pause();
        settle({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      settle({ kind: 'complete', bytes: Buffer.concat(chunks, size) });
    };
    const onClose = (): void => {
      if (!request.complete) settle({ kind: 'incomplete' });
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('close', onClose);
    request.on('error', () => {
      settle({ kind: 'incomplete' });
    });
  });
}

function sendJson(
  response: ServerResponse,
  statusCode: number,
  body: Readonly<Record<string, string>>,
  closeConnection: boolean,
): void {
  const text = `${JSON.stringify(body)}\n`;
  response.statusCode = statusCode;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  if (closeConnection) response.setHeader('Connection', 'close');
  response.end(text);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
