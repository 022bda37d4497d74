// The Gluster peer library: one function per operation of peer-ops, over an Executor.
export { GlusterCli } from './gluster-cli.js';
export type { CallOptions, GlusterAnswer, GlusterCliOptions } from './gluster-cli.js';
export {
  GlusterCliError,
  GlusterOperationError,
  GlusterXmlParseError,
  PeerHostsBricksError,
  PeerIdentityMismatchError,
} from './gluster-errors.js';
export { REASONS, reasonInfo } from './gluster-reasons.js';
export type { GlusterReason, ReasonInfo } from './gluster-reasons.js';
export { PEER_STATE, isHealthyPeer } from './peer.js';
export type { Peer, PoolMember } from './peer.js';
export { peerProbe } from './peer-probe.js';
export type { ProbeOutcome, ProbeResult } from './peer-probe.js';
export { peerDetach } from './peer-detach.js';
export type { DetachOutcome, DetachRequest, DetachResult } from './peer-detach.js';
export { getPeerStatus } from './peer-status.js';
export { getPoolList, nodesFromPoolList } from './pool-list.js';
export { gatherPoolViews } from './pool-views.js';
export type { PoolView } from './pool-views.js';
export {
  HostMatcher,
  HostResolutionError,
  convertHostsToIp,
  normalizeHost,
  systemResolver,
  tableResolver,
} from './host-identity.js';
export type { NamedPeer, Resolver } from './host-identity.js';
export {
  checkPeersConnected,
  isPeerConnected,
  waitForPeersToConnect,
} from './peer-connectivity.js';
export type { PeerConnection, WaitOptions, WaitResult } from './peer-connectivity.js';
export { evaluateMesh, validatePeersAreConnected } from './mesh-validation.js';
export type { LinkStatus, MeshLink, MeshObserver, MeshReport } from './mesh-validation.js';
export { createCluster } from './create-cluster.js';
export type { ClusterOptions, CreateClusterResult } from './create-cluster.js';
export { deleteCluster } from './delete-cluster.js';
export { releaseFromPool } from './release-from-pool.js';
export type { DeleteClusterResult } from './delete-cluster.js';
export { ClusterChangeFailedError, ClusterChangeRefusedError } from './cluster-errors.js';
export type { ClusterAction } from './cluster-errors.js';
export { bricksHostedBy, getVolumeInfo } from './volume-info.js';
export type { Brick, Volume } from './volume-info.js';
export { getClusterOpVersion, getGlusterVersion } from './versions.js';
