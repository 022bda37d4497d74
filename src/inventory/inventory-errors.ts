import { OperatorError } from '../errors.js';

/** Every failure of the inventory module: catch this to handle them all. */
export class InventoryError extends OperatorError {}

/** One thing wrong with an inventory document, at a JSON path such as `replicas[2].port`. */
export interface InventoryProblem {
  /** JSON path of the bad value; '' for the document itself. */
  readonly path: string;
  readonly message: string;
}

/**
 * The text is not a valid peers.json document. Every problem found is listed (up to a limit), so
 * a person fixes a hand-edited file in one go instead of one error per attempt.
 */
export class InventoryFormatError extends InventoryError {
  /** The first problem's JSON path, the one the message starts with. */
  readonly path: string;

  constructor(
    /** The file path or URL the text came from. */
    readonly source: string,
    readonly problems: readonly InventoryProblem[],
    options?: { cause?: unknown; omitted?: number },
  ) {
    const shown = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
    const omitted = options?.omitted ?? 0;
    const more = omitted > 0 ? `; and ${omitted} more` : '';
    super(`${source}: ${shown.join('; ')}${more}`, options);
    this.path = problems[0]?.path ?? '';
  }
}

/** A file that exists (or was named explicitly) could not be read: permissions, not a file, too big. */
export class InventoryReadError extends InventoryError {
  constructor(
    message: string,
    readonly path: string,
    /** The errno code when the system refused (`EACCES`, `ENOENT`, `EISDIR`), else undefined. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The inventory could not be written; the file that was there before is left as it was. */
export class InventoryWriteError extends InventoryError {
  constructor(
    message: string,
    readonly path: string | undefined,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a sync failed, for callers that react differently (alert on `key-refused`, retry `network`). */
export type InventorySyncFailure =
  /** The URL or API key was rejected before any request was made. */
  | 'invalid-request'
  /** No HTTP answer: connection refused, reset, host unknown, TLS failure. */
  | 'network'
  | 'timeout'
  /** The caller's signal aborted the sync. */
  | 'aborted'
  /** 401 or 403: the API key was refused (or one is needed and none was given). */
  | 'key-refused'
  /** Any other status outside 2xx. */
  | 'http-status'
  /** Too many redirects, or a redirect we refuse to follow. */
  | 'redirect'
  /** The body is larger than the limit. */
  | 'too-large'
  /** The body is not a valid peers.json document; `cause` is the InventoryFormatError. */
  | 'bad-format';

/**
 * Fetching the inventory from the sync service failed. The message names the URL (without its
 * query string) and never contains the API key, whatever the server sent back.
 */
export class InventorySyncError extends InventoryError {
  constructor(
    message: string,
    readonly url: string,
    readonly failure: InventorySyncFailure,
    /** The HTTP status when the server answered, else undefined. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No peer matched the name, host or precedence id asked for. */
export class PeerNotFoundError extends InventoryError {}

/** The peer lacks what an endpoint needs: an address (or a domain with DNS) and a port. */
export class PeerEndpointError extends InventoryError {
  constructor(
    message: string,
    readonly peerName: string,
  ) {
    super(message);
  }
}
