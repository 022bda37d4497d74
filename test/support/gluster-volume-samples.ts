import type {
  GlusterVolumeSpec,
  GlusterVolumeStatus,
  VolumeCondition,
  VolumeDeletionPolicy,
  VolumeDesiredState,
  VolumeLayoutType,
  VolumeState,
  VolumeTransport,
} from '../../src/api/gluster-volume.js';
import { everyValue, type Complete } from './gluster-cluster-samples.js';

/**
 * GlusterVolume spec and status values with every field set, checked by the compiler: a field
 * added to src/api/gluster-volume.ts does not compile here until it is given a value, and the CRD
 * tests then prove the schema has it (the unit test reads crds/, the kube test sees what the API
 * server keeps).
 */

export const LAYOUT_TYPES = everyValue<VolumeLayoutType>()(['Replicate', 'Disperse', 'Distribute']);
export const TRANSPORTS = everyValue<VolumeTransport>()(['tcp', 'rdma', 'tcp,rdma']);
export const DESIRED_STATES = everyValue<VolumeDesiredState>()(['Started', 'Stopped']);
export const VOLUME_DELETION_POLICIES = everyValue<VolumeDeletionPolicy>()(['Retain', 'Delete']);
export const VOLUME_STATES = everyValue<VolumeState>()([
  'Created',
  'Started',
  'Stopped',
  'Absent',
  'Unknown',
]);
export const CONDITION_STATUSES = everyValue<VolumeCondition['status']>()([
  'True',
  'False',
  'Unknown',
]);

/**
 * Every field of GlusterVolumeSpec, at any depth. Not a valid resource (bricks and brickTemplate
 * exclude each other, and no layout has replica, arbiter, disperse and redundancy at once): the
 * list of fields the schema must declare. The two specs below are valid and hold them all.
 */
export const EVERY_SPEC_FIELD: Complete<GlusterVolumeSpec> = {
  clusterRef: { name: 'pool-a' },
  volumeName: 'vol_1-a',
  layout: { type: 'Replicate', replica: 3, arbiter: 1, disperse: 6, redundancy: 2 },
  bricks: [{ node: 'gluster-1.storage.example.com', path: '/data/glusterfs/vol1/brick0' }],
  brickTemplate: { path: '/data/glusterfs/{volume}/brick{set}', sets: 2 },
  transport: 'tcp,rdma',
  options: { 'cluster.quorum-type': 'auto' },
  state: 'Stopped',
  deletionPolicy: 'Delete',
  allowForce: true,
  paused: true,
};

/** A valid Replicate spec with every field a brick list allows, none at its default. */
export const COMPLETE_REPLICATE_SPEC: GlusterVolumeSpec = {
  clusterRef: { name: 'pool-a' },
  volumeName: 'vol_1-a',
  layout: { type: 'Replicate', replica: 3, arbiter: 1 },
  bricks: [
    { node: 'gluster-1.storage.example.com', path: '/data/glusterfs/vol1/brick0' },
    { node: '10.250.0.12', path: '/data/glusterfs/vol1/brick0' },
    { node: 'fd42:676f:70::13', path: '/data/glusterfs/vol1/arbiter0' },
    { node: 'gluster-1.storage.example.com', path: '/data/glusterfs/vol1/brick1' },
    { node: '10.250.0.12', path: '/data/glusterfs/vol1/brick1' },
    { node: 'fd42:676f:70::13', path: '/data/glusterfs/vol1/arbiter1' },
  ],
  transport: 'tcp,rdma',
  options: {
    'cluster.quorum-type': 'auto',
    'performance.cache-size': '256MB',
    'auth.allow': '10.250.0.*,192.168.1.*',
  },
  state: 'Stopped',
  deletionPolicy: 'Delete',
  allowForce: true,
  paused: true,
};

/** A valid Disperse spec over a brick template, with every other field set. */
export const COMPLETE_DISPERSE_SPEC: GlusterVolumeSpec = {
  clusterRef: { name: 'pool-a' },
  volumeName: 'archive',
  layout: { type: 'Disperse', disperse: 6, redundancy: 2 },
  brickTemplate: { path: '/data/glusterfs/{volume}/set{set}', sets: 2 },
  transport: 'rdma',
  options: { 'disperse.eager-lock': 'on' },
  state: 'Started',
  deletionPolicy: 'Delete',
  allowForce: false,
  paused: false,
};

const T0 = '2026-11-22T03:00:00Z';
const T1 = '2026-11-22T03:05:00Z';
const HOST_UUID = '0c5e4d6e-1b3a-4f2c-9d7e-000000000001';
const HEAL = { pending: 4, splitBrain: 1, possiblyHealing: 2 };

/** A status with every field set. */
export const COMPLETE_STATUS: Complete<GlusterVolumeStatus> = {
  observedGeneration: 3,
  volumeName: 'vol_1-a',
  volumeId: '5b0e8a4e-6c8d-4b7f-9a51-3c2f1e0d9b7a',
  state: 'Started',
  type: 'Distributed-Replicate',
  commandNode: 'gluster-1.storage.example.com',
  bricks: [
    {
      name: 'gluster-1.storage.example.com:/data/glusterfs/vol1/brick0',
      node: 'gluster-1.storage.example.com',
      path: '/data/glusterfs/vol1/brick0',
      hostUuid: HOST_UUID,
      index: 0,
      set: 0,
      isArbiter: false,
      online: true,
      port: 49152,
      pid: 4321,
      freeBytes: 107374182400,
      totalBytes: 214748364800,
      heal: HEAL,
    },
    {
      name: 'fd42:676f:70::13:/data/glusterfs/vol1/arbiter0',
      node: 'fd42:676f:70::13',
      path: '/data/glusterfs/vol1/arbiter0',
      hostUuid: '0c5e4d6e-1b3a-4f2c-9d7e-000000000003',
      index: 2,
      set: 0,
      isArbiter: true,
      online: false,
      port: 49153,
      pid: 4322,
      freeBytes: 1073741824,
      totalBytes: 2147483648,
      heal: { pending: 0, splitBrain: 0, possiblyHealing: 0 },
    },
  ],
  bricksOnline: '1/2',
  healPending: 4,
  splitBrainEntries: 1,
  rebalance: {
    state: 'completed',
    filesMoved: 12,
    bytesMoved: 3145728,
    filesScanned: 240,
    failures: 0,
    skipped: 1,
    runtimeSeconds: 12.5,
    taskId: '5e2a9c1f-7d1b-4f0e-9a65-3c8d2b1e4f70',
  },
  removeBrick: {
    state: 'in progress',
    filesMoved: 3,
    bytesMoved: 4096,
    filesScanned: 50,
    failures: 1,
    skipped: 0,
    runtimeSeconds: 2,
    bricks: ['gluster-1.storage.example.com:/data/glusterfs/vol1/brick1'],
  },
  options: { 'cluster.quorum-type': 'auto', 'performance.cache-size': '256MB' },
  conditions: CONDITION_STATUSES.map((status, index) => ({
    type: ['Ready', 'Degraded', 'Reconciling'][index]!,
    status,
    reason: 'VolumeStarted',
    message: 'The volume is started, with one brick offline.',
    lastTransitionTime: T0,
    observedGeneration: 3,
  })).concat([
    {
      type: 'Stalled',
      status: 'False',
      reason: 'Progressing',
      message: 'Nothing needs a person.',
      lastTransitionTime: T1,
      observedGeneration: 3,
    },
  ]),
};
