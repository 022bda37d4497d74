import { expect } from 'chai';
import { Registry } from 'prom-client';
import type { GlusterVolumeSpec, GlusterVolumeStatus } from '../../../src/api/gluster-volume.js';
import { usableBytesOf, volumeHealthOf } from '../../../src/controller/volume-health.js';
import { registerVolumeMetrics } from '../../../src/observability/volume-metrics.js';

const GiB = 1024 ** 3;

function brick(
  set: number,
  free: number,
  total: number,
  extra: { online?: boolean; isArbiter?: boolean } = {},
) {
  return {
    name: `n${set}:/b`,
    path: '/b',
    index: 0,
    set,
    online: extra.online ?? true,
    freeBytes: free * GiB,
    totalBytes: total * GiB,
    ...(extra.isArbiter === undefined ? {} : { isArbiter: extra.isArbiter }),
  };
}

const replica3: GlusterVolumeSpec = {
  clusterRef: { name: 'pool' },
  layout: { type: 'Replicate', replica: 3 },
  brickTemplate: { path: '/bricks/{volume}', sets: 2 },
};

describe('volume health and metrics', () => {
  it('counts a replicated set once, at its least brick, and sums the sets', () => {
    const status: GlusterVolumeStatus = {
      bricks: [
        brick(0, 5, 10),
        brick(0, 4, 10),
        brick(0, 6, 10),
        brick(1, 9, 20),
        brick(1, 8, 20),
        brick(1, 7, 20),
      ],
    };
    expect(usableBytesOf(replica3, status, 'freeBytes')).to.equal((4 + 7) * GiB);
    expect(usableBytesOf(replica3, status, 'totalBytes')).to.equal((10 + 20) * GiB);
  });

  it('leaves arbiters out (they hold no data) and multiplies a dispersed set by its data bricks', () => {
    const arbiter: GlusterVolumeStatus = {
      bricks: [brick(0, 5, 10), brick(0, 6, 10), brick(0, 1, 1, { isArbiter: true })],
    };
    expect(usableBytesOf(replica3, arbiter, 'totalBytes')).to.equal(10 * GiB);
    const disperse: GlusterVolumeSpec = {
      ...replica3,
      layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
    };
    const status: GlusterVolumeStatus = {
      bricks: [brick(0, 3, 10), brick(0, 2, 10), brick(0, 4, 10)],
    };
    expect(usableBytesOf(disperse, status, 'freeBytes')).to.equal(2 * 2 * GiB);
  });

  it('gives no figure when a brick was not read, rather than a wrong one', () => {
    const unread = { name: 'n0:/c', path: '/c', index: 1, set: 0, online: true };
    const status: GlusterVolumeStatus = { bricks: [brick(0, 5, 10), unread] };
    expect(usableBytesOf(replica3, status, 'freeBytes')).to.equal(undefined);
    expect(usableBytesOf(replica3, {}, 'freeBytes')).to.equal(undefined);
  });

  it('exposes one series per volume and metric, and removes them with the volume', async () => {
    const registry = new Registry();
    const metrics = registerVolumeMetrics(registry);
    const status: GlusterVolumeStatus = {
      bricks: [brick(0, 5, 10), brick(0, 4, 10, { online: false }), brick(0, 6, 10)],
      healPending: 7,
      splitBrainEntries: 0,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'BrickOffline',
          message: 'n0:/b',
          lastTransitionTime: 't',
          observedGeneration: 1,
        },
      ],
    };
    metrics.setVolumeHealth('storage/data', volumeHealthOf(replica3, status));
    metrics.countVolumePass('storage/data', true);
    const text = await registry.metrics();
    for (const line of [
      'gluster_operator_volume_ready{namespace="storage",name="data"} 0',
      'gluster_operator_volume_bricks{namespace="storage",name="data"} 3',
      'gluster_operator_volume_bricks_online{namespace="storage",name="data"} 2',
      'gluster_operator_volume_heal_pending_entries{namespace="storage",name="data"} 7',
      'gluster_operator_volume_split_brain_entries{namespace="storage",name="data"} 0',
      `gluster_operator_volume_free_bytes{namespace="storage",name="data"} ${4 * GiB}`,
      `gluster_operator_volume_size_bytes{namespace="storage",name="data"} ${10 * GiB}`,
      'gluster_operator_volume_reconciles_total{namespace="storage",name="data"} 1',
      'gluster_operator_volume_status_writes_total{namespace="storage",name="data"} 1',
    ]) {
      expect(text).to.include(line);
    }
    metrics.forgetVolume('storage/data');
    expect(await registry.metrics()).not.to.include('name="data"');
  });
});
