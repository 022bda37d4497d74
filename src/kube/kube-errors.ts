import { ApiException } from '@kubernetes/client-node';
import { OperatorError } from '../errors.js';

/**
 * Errors from the Kubernetes API, typed by what the caller does about them:
 * - NotFoundError (404): the object is gone; nothing left to reconcile or clean up.
 * - ConflictError (409): someone wrote first (stale resourceVersion, or AlreadyExists): read
 *   again and recompute.
 * - GoneError (410): the resourceVersion a watch asked for has expired: list again.
 * - ForbiddenError (403): RBAC does not grant the operator this; retrying will not help until
 *   someone changes the Role.
 * - KubeApiError: anything else, including no answer at all (`code` undefined: refused,
 *   reset, timed out).
 * Each keeps the original error (client-node's ApiException, undici's error, the watch Status)
 * as `cause`.
 */
export class KubeApiError extends OperatorError {
  /** The HTTP status code (or a watch Status's code); undefined when no answer came. */
  readonly code: number | undefined;
  /** The API server's Status reason (NotFound, Conflict, AlreadyExists, Expired, Invalid, ...). */
  readonly reason: string | undefined;

  constructor(
    message: string,
    options: { readonly cause: unknown; readonly code?: number; readonly reason?: string },
  ) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.reason = options.reason;
  }
}

/** 404: the object (or its namespace, or the resource type) does not exist. */
export class NotFoundError extends KubeApiError {}

/** 409: a write with a stale resourceVersion, or a create of a name that exists. */
export class ConflictError extends KubeApiError {}

/** 410: the resourceVersion is older than the server keeps (a watch must list again). */
export class GoneError extends KubeApiError {}

/** 403: RBAC refused the operator's identity. */
export class ForbiddenError extends KubeApiError {}

const ERRORS_BY_CODE = new Map<number, typeof KubeApiError>([
  [403, ForbiddenError],
  [404, NotFoundError],
  [409, ConflictError],
  [410, GoneError],
]);

/** The parts of a metav1.Status the operator reads. */
interface StatusParts {
  readonly code: number | undefined;
  readonly reason: string | undefined;
  readonly message: string | undefined;
}

/**
 * Maps anything a client-node call (or a watch) threw to a KubeApiError subclass; a KubeApiError
 * is returned as it is. `action` says what was being done, for the message ("get GlusterCluster
 * ns/name").
 */
export function toKubeError(error: unknown, action?: string): KubeApiError {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    const status = parseStatus(error.body);
    return makeError({ ...status, code: error.code }, error, action);
  }
  // client-node's Watch fails a non-200 answer with a plain Error carrying `statusCode`.
  const statusCode = readNumber(error, 'statusCode');
  if (statusCode !== undefined) {
    return makeError(
      { code: statusCode, reason: undefined, message: errorMessage(error) },
      error,
      action,
    );
  }
  return makeError(
    { code: undefined, reason: undefined, message: errorMessage(error) },
    error,
    action,
  );
}

/**
 * Maps a metav1.Status (the object of a watch ERROR event) to a KubeApiError subclass; the Status
 * itself is the cause.
 */
export function kubeErrorFromStatus(status: unknown, action?: string): KubeApiError {
  return makeError(parseStatus(status), status, action);
}

function makeError(status: StatusParts, cause: unknown, action: string | undefined): KubeApiError {
  const what = action === undefined ? 'Kubernetes API request failed' : `Failed to ${action}`;
  const answer =
    status.code === undefined
      ? 'no answer from the API server'
      : [String(status.code), status.reason].filter((part) => part !== undefined).join(' ');
  const message = `${what}: ${answer}${status.message === undefined ? '' : `: ${status.message}`}`;
  const options = {
    cause,
    ...(status.code === undefined ? {} : { code: status.code }),
    ...(status.reason === undefined ? {} : { reason: status.reason }),
  };
  const byCode = status.code === undefined ? undefined : ERRORS_BY_CODE.get(status.code);
  return new (byCode ?? KubeApiError)(message, options);
}

/** Reads a Status from an ApiException body (JSON text, or already parsed) or a watch event. */
function parseStatus(body: unknown): StatusParts {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      // Not JSON (a proxy's HTML page, say): the text itself is the message.
      const text = body.trim();
      return { code: undefined, reason: undefined, message: text === '' ? undefined : text };
    }
  }
  return {
    code: readNumber(value, 'code'),
    reason: readString(value, 'reason'),
    message: readString(value, 'message'),
  };
}

function readNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

function errorMessage(error: unknown): string | undefined {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : undefined;
  // undici hides the real reason (ECONNREFUSED, a TLS failure) in `cause`.
  const cause: unknown = error.cause;
  return cause instanceof Error && cause.message !== ''
    ? `${error.message}: ${cause.message}`
    : error.message;
}
