import { setTimeout as sleepMs } from 'node:timers/promises';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import type { Resolver } from './host-identity.js';
import { HostMatcher } from './host-identity.js';
import { linkStatus, type LinkStatus } from './mesh-validation.js';
import { getPoolList } from './pool-list.js';

export interface PeerConnection {
  readonly server: string;
  readonly status: LinkStatus;
}

export interface ConnectivityOptions extends CallOptions {
  readonly resolver?: Resolver;
}

/**
 * How `node` sees each of `servers`. The node itself counts as Connected: it answered.
 */
export async function checkPeersConnected(
  cli: GlusterCli,
  request: { readonly node: string; readonly servers: string | readonly string[] },
  options: ConnectivityOptions = {},
): Promise<PeerConnection[]> {
  const servers = typeof request.servers === 'string' ? [request.servers] : request.servers;
  const matcher = new HostMatcher(options.resolver);
  const members = await getPoolList(cli, request.node, options);
  return Promise.all(
    servers.map(async (server): Promise<PeerConnection> => {
      const member = await matcher.findPeer(members, { host: server });
      if (!member) return { server, status: 'NotInPool' };
      if (member.isLocal) return { server, status: 'Connected' };
      return { server, status: linkStatus(member.isConnected, member.state) };
    }),
  );
}

/** peer-ops' is_peer_connected: whether `node` sees every one of `servers` as connected. */
export async function isPeerConnected(
  cli: GlusterCli,
  request: { readonly node: string; readonly servers: string | readonly string[] },
  options: ConnectivityOptions = {},
): Promise<boolean> {
  const connections = await checkPeersConnected(cli, request, options);
  return connections.every((connection) => connection.status === 'Connected');
}

export interface WaitOptions extends ConnectivityOptions {
  /** The deadline: waiting never goes on past it. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Injected in tests; real time otherwise. */
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WaitResult {
  readonly isConnected: boolean;
  readonly attempts: number;
  /** The last answer: which servers were not yet connected. */
  readonly connections: readonly PeerConnection[];
  /** Why the last attempt could not ask (glusterd restarting, node unreachable), if it failed. */
  readonly lastError?: Error;
}

/**
 * peer-ops' wait_for_peers_to_connect: polls `node`'s view until every server is connected or
 * the deadline passes. A failed attempt (glusterd restarting) is retried, not fatal.
 */
export async function waitForPeersToConnect(
  cli: GlusterCli,
  request: { readonly node: string; readonly servers: string | readonly string[] },
  options: WaitOptions = {},
): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms, signal) => sleepMs(ms, undefined, signal ? { signal } : {}));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 1_000;
  const deadline = now() + timeoutMs;
  let attempts = 0;
  let connections: PeerConnection[] = [];
  let lastError: Error | undefined;
  for (;;) {
    attempts++;
    try {
      connections = await checkPeersConnected(cli, request, options);
      lastError = undefined;
      if (connections.every((connection) => connection.status === 'Connected')) {
        return { isConnected: true, attempts, connections };
      }
    } catch (error) {
      options.signal?.throwIfAborted();
      lastError = error instanceof Error ? error : new Error(String(error));
    }
    const remainingMs = deadline - now();
    if (remainingMs <= 0) break;
    await sleep(Math.min(intervalMs, remainingMs), options.signal);
  }
  return { isConnected: false, attempts, connections, ...(lastError ? { lastError } : {}) };
}
