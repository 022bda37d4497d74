export { systemClock, type ElectionClock } from './election-clock.js';
export {
  DEFAULT_ELECTION_TIMINGS,
  electionTimingProblems,
  validateElectionTimings,
  type ElectionTimingNames,
  type ElectionTimings,
} from './election-timings.js';
export type { HaRole, HaStatus } from './ha-role.js';
export {
  LeaderElector,
  type LeaderCallbacks,
  type LeaderElectorOptions,
} from './leader-elector.js';
export {
  DEFAULT_LEASE_NAME,
  loadLeaderElectionConfig,
  makeReplicaIdentity,
  type LeaderElectionConfig,
  type LeaderElectionConfigOptions,
} from './leader-election-config.js';
export { LeadershipEndedError } from './leadership-ended-error.js';
export {
  REPLICAS_ANNOTATION,
  createLeaseLock,
  type LeaseChange,
  type LeaseKey,
  type LeaseLock,
  type LeaseRecord,
  type LeaseSnapshot,
  type ReplicaHeartbeats,
} from './lease-lock.js';
export { isReplicaReady } from './replica-readiness.js';
