import { parseDurationMs } from './core/duration.js';
import { TerminalError } from './errors.js';
import type { LogLevel } from './observability/logger.js';

/** The operator's settings, from the environment, validated once at start. Units in names. */
export interface OperatorConfig {
  /** Watch only this namespace; undefined watches all (needs a ClusterRole). */
  readonly watchNamespace: string | undefined;
  /** GlusterClusters reconciled at once (one pass at a time per resource, always). */
  readonly workers: number;
  /** gluster's own --timeout. */
  readonly glusterTimeoutSeconds: number;
  readonly sshConnectTimeoutMs: number;
  /** Longest any one remote command may run before it is ended. */
  readonly commandTimeoutMs: number;
  /** Longest one read of a node may take before the node counts as not answering. */
  readonly readTimeoutMs: number;
  /** Resync when a resource gives no resyncInterval. */
  readonly defaultResyncMs: number;
  /** The longest delay between looks while a change is on its way (they start at 250 ms). */
  readonly progressRequeueMs: number;
  readonly logLevel: LogLevel;
  /** /healthz, /readyz, /metrics and /status; 0 turns the listener off. */
  readonly httpPort: number;
  readonly httpHost: string;
  /**
   * Who may read /metrics and /status: `kubernetes` (a bearer token the API server accepts, of an
   * identity RBAC allows `get` on the path: TokenReview + SubjectAccessReview) or `none` (anyone
   * who reaches the port). deploy/ and the Helm chart set `kubernetes`.
   */
  readonly httpAuth: HttpAuth;
  /** glustereventsd posts events here (`/v1/events/<namespace>/<name>`); 0 turns it off. */
  readonly eventsPort: number;
  readonly eventsHost: string;
  /**
   * The base URL nodes post to: the events port as the storage nodes reach it (a NodePort, a
   * LoadBalancer, an Ingress). Undefined: only GlusterClusters with spec.events.receiverUrl can
   * have events.
   */
  readonly eventsUrl: string | undefined;
  /**
   * PEM files of the certificate (chain) and key the events port serves TLS with, read again when
   * they change (a renewed Secret); undefined: plain HTTP.
   */
  readonly eventsTls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** The Secret (in the operator's namespace) holding the key pools' tokens are derived from. */
  readonly eventsKeySecret: string;
  /** The operator's namespace (POD_NAMESPACE), where the events key Secret lives. */
  readonly podNamespace: string | undefined;
  /** The resync of a pool whose EventsDelivery is False: the poll stands in for the events. */
  readonly eventsFallbackResyncMs: number;
  /**
   * A Service without a selector (in POD_NAMESPACE) whose EndpointSlice the leader keeps
   * pointing at itself, so that nodes' posts reach the replica that acts on them. Undefined: none
   * (one replica, or a Service that selects the pods and accepts that a standby drops posts).
   */
  readonly eventsService: string | undefined;
  /** This pod's name and IP (Downward API), for the events EndpointSlice. */
  readonly podName: string | undefined;
  readonly podIp: string | undefined;
}

export type HttpAuth = 'kubernetes' | 'none';
const HTTP_AUTH_MODES: readonly HttpAuth[] = ['kubernetes', 'none'];

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** @throws TerminalError naming every invalid variable */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
      return fallback;
    }
    return value;
  };
  const duration = (name: string, fallback: string): number => {
    const raw = env[name] ?? fallback;
    const value = parseDurationMs(raw);
    if (value === undefined || value < 1_000) {
      problems.push(
        `${name} must be a duration of at least 1s such as "30s" or "5m", not "${raw}"`,
      );
      return parseDurationMs(fallback) ?? 0;
    }
    return value;
  };
  const baseUrl = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!isBaseUrl(raw)) {
      problems.push(
        // Not echoed: a URL with user information may hold a password.
        `${name} must be an http:// or https:// URL without user information, query or fragment`,
      );
      return undefined;
    }
    return raw.replace(/\/+$/, '');
  };
  const logLevel = (env['LOG_LEVEL'] ?? 'info') as LogLevel;
  const httpAuth = (env['HTTP_AUTH'] || 'none') as HttpAuth;
  if (!HTTP_AUTH_MODES.includes(httpAuth))
    problems.push(`HTTP_AUTH must be one of ${HTTP_AUTH_MODES.join(', ')}`);
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const tlsFiles = (): OperatorConfig['eventsTls'] => {
    const certFile = env['EVENTS_TLS_CERT_FILE'] || undefined;
    const keyFile = env['EVENTS_TLS_KEY_FILE'] || undefined;
    if (certFile === undefined && keyFile === undefined) return undefined;
    if (certFile === undefined || keyFile === undefined) {
      problems.push('EVENTS_TLS_CERT_FILE and EVENTS_TLS_KEY_FILE are set together, or neither');
      return undefined;
    }
    return { certFile, keyFile };
  };
  const config: OperatorConfig = {
    watchNamespace: env['WATCH_NAMESPACE'] || undefined,
    workers: integer('WORKERS', 4, 1, 64),
    glusterTimeoutSeconds: integer('GLUSTER_TIMEOUT_SECONDS', 30, 1, 600),
    sshConnectTimeoutMs: integer('SSH_CONNECT_TIMEOUT_MS', 10_000, 100, 120_000),
    commandTimeoutMs: integer('COMMAND_TIMEOUT_MS', 60_000, 1_000, 900_000),
    readTimeoutMs: integer('READ_TIMEOUT_MS', 5_000, 500, 120_000),
    defaultResyncMs: duration('DEFAULT_RESYNC_INTERVAL', '5m'),
    progressRequeueMs: integer('PROGRESS_REQUEUE_MS', 5_000, 100, 600_000),
    logLevel,
    httpPort: integer('HTTP_PORT', 8080, 0, 65535),
    httpHost: env['HTTP_HOST'] || '0.0.0.0',
    httpAuth,
    eventsPort: integer('EVENTS_PORT', 8090, 0, 65535),
    eventsHost: env['EVENTS_HOST'] || '0.0.0.0',
    eventsUrl: baseUrl('EVENTS_URL'),
    eventsTls: tlsFiles(),
    eventsKeySecret: env['EVENTS_KEY_SECRET'] || 'gluster-operator-events',
    podNamespace: env['POD_NAMESPACE'] || undefined,
    eventsFallbackResyncMs: duration('EVENTS_FALLBACK_RESYNC', '30s'),
    eventsService: env['EVENTS_SERVICE'] || undefined,
    podName: env['POD_NAME'] || undefined,
    podIp: env['POD_IP'] || undefined,
  };
  if (config.eventsService !== undefined && config.eventsPort !== 0) {
    for (const name of ['POD_NAMESPACE', 'POD_NAME', 'POD_IP']) {
      if (!env[name]) problems.push(`EVENTS_SERVICE needs ${name} (the Downward API)`);
    }
  }
  if (problems.length > 0) {
    throw new TerminalError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(config);
}

/** An http(s) URL nodes can post to: no credentials, query or fragment (the path is ours). */
export function isBaseUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    !raw.includes('?') &&
    !raw.includes('#') &&
    raw.length <= 1024
  );
}
