import type { CliOutput } from './cli-output.js';
import {
  elements,
  child,
  optionalInteger,
  optionalText,
  requireInteger,
  requireText,
} from './cli-output.js';

/** glusterd's friend state machine (glusterd-sm.h): `state` / `stateStr` of a peer. */
export const PEER_STATE = {
  EstablishingConnection: 0,
  ProbeSentToPeer: 1,
  ProbeReceivedFromPeer: 2,
  PeerInCluster: 3,
  AcceptedPeerRequest: 4,
  SentAndReceivedPeerRequest: 5,
  PeerRejected: 6,
  PeerDetachInProgress: 7,
  ProbeReceivedFromPeerUnconnected: 8,
  ConnectedToPeer: 9,
  PeerConnectedAndAccepted: 10,
  InvalidState: 11,
} as const;

/** One peer as one node sees it (`peer status`, or a row of `pool list`). */
export interface Peer {
  readonly uuid: string;
  /** The name glusterd uses for the peer: the address it was first probed by. */
  readonly hostname: string;
  /** Every address and alias glusterd knows for the peer, `hostname` first. */
  readonly hostnames: readonly string[];
  readonly isConnected: boolean;
  /** Absent for the local row of `pool list`. */
  readonly state: number | undefined;
  readonly stateStr: string | undefined;
}

/** A row of `pool list`, where the node that answered appears as itself. */
export interface PoolMember extends Peer {
  /** True for the node that was asked (gluster calls it `localhost`). */
  readonly isLocal: boolean;
}

/** A member is healthy when connected and fully in the cluster (state 3). */
export function isHealthyPeer(peer: Peer): boolean {
  return peer.isConnected && (peer.state === undefined || peer.state === PEER_STATE.PeerInCluster);
}

/** The `<peer>` rows of a `peer status` or `pool list` answer, as gluster printed them. */
export function parsePeers(output: CliOutput): Peer[] {
  const peerStatus = child(output.root, 'peerStatus');
  return elements(peerStatus, 'peer').map((row) => {
    const hostname = requireText(row, 'hostname');
    const aliases = elements(child(row, 'hostnames'), 'hostname').map(
      (alias) => optionalText(alias, '#text') ?? '',
    );
    const connected = requireInteger(row, 'connected');
    return {
      uuid: requireText(row, 'uuid'),
      hostname,
      hostnames: [...new Set([hostname, ...aliases.filter((alias) => alias !== '')])],
      isConnected: connected === 1,
      state: optionalInteger(row, 'state'),
      stateStr: optionalText(row, 'stateStr'),
    };
  });
}
