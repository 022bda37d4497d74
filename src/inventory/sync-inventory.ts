import type { Logger } from '../observability/logger.js';
import type { InventorySyncFailure } from './inventory-errors.js';
import { InventoryFormatError, InventorySyncError } from './inventory-errors.js';
import { isEmptyInventory } from './inventory-queries.js';
import { redactSecrets } from './inventory-validation.js';
import type { PeerInventory } from './peer-inventory.js';
import { MAX_INVENTORY_BYTES, decodeInventoryBytes, parseInventoryText } from './peer-inventory.js';

export interface SyncOptions {
  /** The whole sync (connect, redirects, body) must end within this; default 10 s. */
  readonly timeoutMs?: number;
  /** Aborts the sync (shutdown, lost leadership). */
  readonly signal?: AbortSignal;
  /** Largest body accepted, at most (and by default) MAX_INVENTORY_BYTES. */
  readonly maxBytes?: number;
  /** Gets a debug line per sync and a warning for an empty inventory; never the API key. */
  readonly logger?: Logger;
}

export const PEERS_SYNC_URL_VARIABLE = 'PEERS_SYNC_URL';
export const PEERS_SYNC_APIKEY_VARIABLE = 'PEERS_SYNC_APIKEY';
export const DEFAULT_SYNC_TIMEOUT_MS = 10_000;
/**
 * Redirects followed. fetch follows 20 and sends custom headers such as X-Api-Key to whatever
 * origin it is sent to; we follow a few ourselves and never take the key to another origin.
 */
export const MAX_SYNC_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** How much of an error body is read, and how much of it is quoted in the message. */
const ERROR_BODY_BYTES = 4096;
const ERROR_EXCERPT_CHARS = 200;

/**
 * Fetches peers.json with a GET, as the Go package's SyncFrom does: `X-Api-Key` when a key is
 * given (an empty key sends none), `Accept: application/json`. The answer is validated like a
 * file. An inventory with no peers is returned as it is: check isEmptyInventory before acting on
 * it.
 *
 * Redirects: at most MAX_SYNC_REDIRECTS; with an API key only within the URL's origin, and never
 * from https to http.
 *
 * @throws InventorySyncError, whose `failure` says what went wrong and whose message names the
 *   URL without its query string and never contains the API key
 */
export async function syncInventory(
  url: string,
  apiKey: string | undefined,
  options: SyncOptions = {},
): Promise<PeerInventory> {
  const key = apiKey === '' ? undefined : apiKey;
  const secrets = key === undefined ? [] : [key];
  const start = parseSyncUrl(url);
  const shown = displayUrl(start);
  const fail = (
    failure: InventorySyncFailure,
    detail: string,
    status?: number,
    cause?: unknown,
  ): InventorySyncError =>
    new InventorySyncError(
      `Could not sync the peer inventory from ${shown}: ${redactSecrets(detail, secrets)}`,
      shown,
      failure,
      status,
      cause === undefined ? undefined : { cause },
    );
  if (key !== undefined && !/^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/.test(key)) {
    // Checked here because fetch's own refusal quotes the header value, key and all.
    throw fail(
      'invalid-request',
      'the API key cannot be sent in an HTTP header: it must be printable ASCII with no spaces at either end',
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw fail('invalid-request', `timeoutMs must be a positive number, not ${timeoutMs}`);
  }
  const maxBytes = Math.min(options.maxBytes ?? MAX_INVENTORY_BYTES, MAX_INVENTORY_BYTES);
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw fail('invalid-request', `maxBytes must be a positive integer, not ${maxBytes}`);
  }
  if (options.signal?.aborted === true) {
    throw fail('aborted', 'aborted before it started', undefined, options.signal.reason);
  }

  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const startedMs = performance.now();
  try {
    const response = await fetchFollowingRedirects(start, key, signal, fail, options.logger);
    const { status } = response;
    if (status === 401 || status === 403) {
      await response.body?.cancel();
      const statusText = describeStatus(response);
      throw fail(
        'key-refused',
        key === undefined
          ? `the server requires an API key and none was given (${statusText})`
          : `the server refused the API key (${statusText})`,
        status,
      );
    }
    if (status < 200 || status > 299) {
      const excerpt = excerptOf(await readBody(response, ERROR_BODY_BYTES, 'truncate'), secrets);
      const detail = `${describeStatus(response)}${excerpt === '' ? '' : `: ${excerpt}`}`;
      throw fail('http-status', detail, status);
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw fail('too-large', tooLargeDetail(maxBytes, `${declared} bytes announced`), status);
    }
    const body = await readBody(response, maxBytes, 'refuse');
    if (body === undefined) {
      throw fail('too-large', tooLargeDetail(maxBytes, 'the body went past it'), status);
    }
    let inventory: PeerInventory;
    try {
      inventory = parseInventoryText(decodeInventoryBytes(body, shown), shown, secrets);
    } catch (error) {
      if (!(error instanceof InventoryFormatError)) throw error;
      throw new InventorySyncError(
        `Could not sync the peer inventory: ${error.message}`,
        shown,
        'bad-format',
        status,
        { cause: error },
      );
    }
    const durationMs = Math.round(performance.now() - startedMs);
    const meta = { url: shown, status, bytes: body.byteLength, durationMs };
    if (isEmptyInventory(inventory)) {
      options.logger?.warn('Fetched a peer inventory with no peers', meta);
    } else {
      options.logger?.debug('Fetched peer inventory', {
        ...meta,
        peers: inventory.replicas.length,
      });
    }
    return inventory;
  } catch (error) {
    if (error instanceof InventorySyncError) throw error;
    if (wasAborted(options.signal)) {
      throw fail('aborted', 'aborted', undefined, options.signal?.reason);
    }
    if (timeout.aborted) {
      throw fail('timeout', `no complete answer within ${timeoutMs} ms`, undefined, error);
    }
    throw fail('network', `could not reach the server: ${networkDetail(error)}`, undefined, error);
  }
}

/**
 * syncInventory with the URL from $PEERS_SYNC_URL and the key from $PEERS_SYNC_APIKEY (optional),
 * as the Go package's Sync does.
 *
 * @throws InventorySyncError (`invalid-request` when PEERS_SYNC_URL is not set)
 */
export async function syncInventoryFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: SyncOptions = {},
): Promise<PeerInventory> {
  const url = env[PEERS_SYNC_URL_VARIABLE];
  if (!url) {
    throw new InventorySyncError(
      `Could not sync the peer inventory: ${PEERS_SYNC_URL_VARIABLE} is not set`,
      '',
      'invalid-request',
      undefined,
    );
  }
  return syncInventory(url, env[PEERS_SYNC_APIKEY_VARIABLE] || undefined, options);
}

type Fail = (
  failure: InventorySyncFailure,
  detail: string,
  status?: number,
  cause?: unknown,
) => InventorySyncError;

function parseSyncUrl(url: string): URL {
  // The text is not quoted back: a URL that does not parse may still hold a token.
  const invalid = (detail: string): InventorySyncError =>
    new InventorySyncError(
      `Could not sync the peer inventory: the sync URL ${detail}`,
      '',
      'invalid-request',
      undefined,
    );
  if (!URL.canParse(url)) throw invalid('is not a valid absolute URL');
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(`must be http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalid('must not hold credentials (user:password@); give the API key instead');
  }
  return parsed;
}

/** The URL as errors and logs show it: no query string, which may carry a token. */
function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

async function fetchFollowingRedirects(
  start: URL,
  key: string | undefined,
  signal: AbortSignal,
  fail: Fail,
  logger: Logger | undefined,
): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': 'gluster-operator',
    ...(key === undefined ? {} : { 'X-Api-Key': key }),
  };
  let current = start;
  for (let redirects = 0; ; redirects++) {
    const response = await fetch(current, { method: 'GET', headers, redirect: 'manual', signal });
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel();
    const status = response.status;
    if (redirects >= MAX_SYNC_REDIRECTS) {
      throw fail('redirect', `more than ${MAX_SYNC_REDIRECTS} redirects`, status);
    }
    if (!URL.canParse(location, current.href)) {
      throw fail('redirect', `HTTP ${status} redirects to an invalid location`, status);
    }
    const next = new URL(location, current.href);
    const target = displayUrl(next);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw fail('redirect', `HTTP ${status} redirects to a ${next.protocol} URL`, status);
    }
    if (next.username !== '' || next.password !== '') {
      throw fail('redirect', `HTTP ${status} redirects to a URL with credentials`, status);
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw fail(
        'redirect',
        `HTTP ${status} redirects from https to plain http (${target})`,
        status,
      );
    }
    if (key !== undefined && next.origin !== start.origin) {
      throw fail(
        'redirect',
        `HTTP ${status} redirects to another origin (${target}), and the API key is only sent to ${start.origin}`,
        status,
      );
    }
    logger?.debug('Followed redirect', { url: displayUrl(current), status, location: target });
    current = next;
  }
}

/**
 * The body, at most `limit` bytes. Past the limit: with 'truncate' the first `limit` bytes, with
 * 'refuse' undefined. Either way the rest is never read (the stream is cancelled).
 */
async function readBody(
  response: Response,
  limit: number,
  overflow: 'truncate' | 'refuse',
): Promise<Uint8Array | undefined> {
  if (response.body === null) return new Uint8Array(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    if (length > limit) {
      await reader.cancel();
      if (overflow === 'refuse') return undefined;
      return Buffer.concat(chunks, length).subarray(0, limit);
    }
  }
  return Buffer.concat(chunks, length);
}

function excerptOf(body: Uint8Array | undefined, secrets: readonly string[]): string {
  if (body === undefined) return '';
  // Redact before cutting, so a cut through the key cannot leave part of it in the message.
  const text = redactSecrets(new TextDecoder().decode(body), secrets).replace(/\s+/g, ' ').trim();
  return text.length > ERROR_EXCERPT_CHARS ? `${text.slice(0, ERROR_EXCERPT_CHARS)}…` : text;
}

/** A function, so TypeScript does not keep an earlier check's narrowing across awaits. */
function wasAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function describeStatus(response: Response): string {
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

function tooLargeDetail(maxBytes: number, detail: string): string {
  return `the answer is larger than the limit of ${maxBytes} bytes (${detail})`;
}

/** undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND ...) is in its cause. */
function networkDetail(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && typeof message === 'string' && message !== '') {
      return message.includes(code) ? message : `${message} (${code})`;
    }
    if (typeof code === 'string') return code;
    if (typeof message === 'string' && message !== '') return message;
  }
  return error instanceof Error ? error.message : String(error);
}
