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
export { REASONS, reasonForVolumeFailure, reasonInfo } from './gluster-reasons.js';
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
export { bricksHostedBy, getVolume, getVolumeInfo } from './volume-info.js';
export type { Brick, Volume, VolumeTransport } from './volume-info.js';
// Volume operations: one function per change of the volume planner's actions, plus the reads.
export {
  assertBricks,
  assertOptionKey,
  assertOptionValue,
  assertVolumeId,
  assertVolumeName,
  parseBrick,
} from './volume-arguments.js';
export type { BrickAddress } from './volume-arguments.js';
export { assertLayout } from './volume-layout.js';
export { describeLayout, layoutOfReported, setSizeOf } from '../api/volume-layout-counts.js';
export type { VolumeLayoutCounts } from './volume-layout.js';
export {
  RemoveBrickIncompleteError,
  VolumeIdentityMismatchError,
  VolumeLayoutMismatchError,
} from './volume-errors.js';
export { requireVolumeIdentity } from './volume-identity.js';
export { createVolume } from './volume-create.js';
export type { CreateVolumeRequest, CreateVolumeResult } from './volume-create.js';
export { deleteVolume, startVolume, stopVolume } from './volume-lifecycle.js';
export type { DestructiveVolumeRequest, VolumeLifecycleResult } from './volume-lifecycle.js';
export { getVolumeOptions, resetVolumeOption, setVolumeOptions } from './volume-options.js';
export type { VolumeOptionsResult, VolumeOptionValue } from './volume-options.js';
export {
  addBricks,
  getRemoveBrickStatus,
  removeBricksCommit,
  removeBricksStart,
  replaceBrick,
} from './volume-bricks.js';
export type {
  BrickChangeResult,
  RemoveBrickStatus,
  RemoveBricksStartResult,
} from './volume-bricks.js';
export { getRebalanceStatus, startRebalance } from './volume-rebalance.js';
export type { RebalanceStartResult } from './volume-rebalance.js';
export { TASK_NOT_STARTED, TASK_STATUS } from './volume-task-status.js';
export type { TaskCounters, TaskNodeStatus, TaskStatus } from './volume-task-status.js';
export { getVolumeStatus, getVolumeTasks } from './volume-status.js';
export type { BrickProcessStatus, VolumeTask } from './volume-status.js';
export { getHealSummary } from './volume-heal.js';
export type { BrickHealSummary } from './volume-heal.js';
export { getClusterOpVersion, getGlusterVersion } from './versions.js';
