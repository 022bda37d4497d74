import type { CallOptions, GlusterCli } from './gluster-cli.js';
import type { Resolver } from './host-identity.js';
import { HostMatcher } from './host-identity.js';
import { PEER_STATE } from './peer.js';
import type { PoolView } from './pool-views.js';
import { gatherPoolViews } from './pool-views.js';

/**
 * How one node (the observer) sees another (the target):
 * - Connected: connected and in the cluster (state 3);
 * - Disconnected: listed, but the connection is down;
 * - Rejected: listed and connected, but glusterd rejected it (state 6, usually a config clash);
 * - Joining: listed and connected, the handshake not finished (any other state);
 * - NotInPool: the observer does not list the target at all;
 * - Unknown: the observer could not be asked.
 */
export type LinkStatus =
  'Connected' | 'Disconnected' | 'Rejected' | 'Joining' | 'NotInPool' | 'Unknown';

export interface MeshLink {
  readonly observer: string;
  readonly target: string;
  readonly status: LinkStatus;
  readonly stateStr?: string;
}

export interface MeshObserver {
  readonly node: string;
  readonly isReachable: boolean;
  readonly uuid?: string;
  readonly error?: Error;
  /** Members this observer sees that are not among the nodes being validated. */
  readonly unexpectedMembers: readonly { readonly hostname: string; readonly uuid: string }[];
}

export interface MeshReport {
  /** Every node answered and sees every other node as Connected. */
  readonly isFullMesh: boolean;
  readonly observers: readonly MeshObserver[];
  /** One link per ordered pair of distinct nodes: n·(n−1) in all. */
  readonly links: readonly MeshLink[];
  /** Sentences naming each broken link, for logs and status messages. */
  readonly problems: readonly string[];
}

/**
 * peer-ops' validate_peers_are_connected, from every node's own view rather than one node's:
 * asks each node for its pool and reports who sees whom in which state.
 */
export async function validatePeersAreConnected(
  cli: GlusterCli,
  nodes: readonly string[],
  options: CallOptions & { readonly resolver?: Resolver } = {},
): Promise<MeshReport> {
  const views = await gatherPoolViews(cli, nodes, options);
  return evaluateMesh(views, new HostMatcher(options.resolver));
}

/** The mesh as a set of pool views shows it. */
export async function evaluateMesh(
  views: readonly PoolView[],
  matcher: HostMatcher,
): Promise<MeshReport> {
  const uuidOf = new Map(
    views.flatMap((view) => (view.ok ? [[view.node, view.uuid] as const] : [])),
  );
  const links: MeshLink[] = [];
  const observers: MeshObserver[] = [];

  for (const view of views) {
    if (!view.ok) {
      observers.push({
        node: view.node,
        isReachable: false,
        error: view.error,
        unexpectedMembers: [],
      });
      for (const target of views) {
        if (target.node !== view.node) {
          links.push({ observer: view.node, target: target.node, status: 'Unknown' });
        }
      }
      continue;
    }
    const matched = new Set<string>();
    for (const target of views) {
      if (target.node === view.node) continue;
      const peer = await matcher.findPeer(
        view.members.filter((member) => !member.isLocal),
        { host: target.node, uuid: uuidOf.get(target.node) },
      );
      if (!peer) {
        links.push({ observer: view.node, target: target.node, status: 'NotInPool' });
        continue;
      }
      matched.add(peer.uuid);
      links.push({
        observer: view.node,
        target: target.node,
        status: linkStatus(peer.isConnected, peer.state),
        ...(peer.stateStr === undefined ? {} : { stateStr: peer.stateStr }),
      });
    }
    observers.push({
      node: view.node,
      isReachable: true,
      uuid: view.uuid,
      unexpectedMembers: view.members
        .filter((member) => !member.isLocal && !matched.has(member.uuid))
        .map((member) => ({ hostname: member.hostname, uuid: member.uuid })),
    });
  }

  const problems = [
    ...observers
      .filter((observer) => !observer.isReachable)
      .map(
        (observer) =>
          `${observer.node} could not be asked: ${observer.error?.message ?? 'unknown error'}`,
      ),
    ...links
      .filter((link) => link.status !== 'Connected' && link.status !== 'Unknown')
      .map(
        (link) =>
          `${link.observer} sees ${link.target} as ${link.status}${link.stateStr ? ` (${link.stateStr})` : ''}`,
      ),
  ];
  return { isFullMesh: problems.length === 0, observers, links, problems };
}

/** How a member's pool-list row reads as a link: its connection, then its handshake state. */
export function linkStatus(isConnected: boolean, state: number | undefined): LinkStatus {
  if (!isConnected) return 'Disconnected';
  if (state === PEER_STATE.PeerInCluster) return 'Connected';
  if (state === PEER_STATE.PeerRejected) return 'Rejected';
  return 'Joining';
}
