import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metric-names.js';

/** What the metrics show of a GlusterVolume's last status. */
export interface VolumeHealth {
  readonly ready: boolean;
  readonly bricksOnline: number;
  readonly bricksTotal: number;
  /** Undefined when heal info was not read (not replicated or dispersed, or not started). */
  readonly healPending: number | undefined;
  readonly splitBrainEntries: number | undefined;
  /** What clients can still write, and the volume's usable size (see usableBytesOf). */
  readonly freeBytes: number | undefined;
  readonly sizeBytes: number | undefined;
}

/**
 * Per-GlusterVolume series, labelled `namespace` and `name` (the resource's), removed when the
 * resource goes or this replica stops leading: at most 8 series per volume, none per brick.
 */
export interface VolumeMetrics {
  setVolumeHealth(volumeKey: string, health: VolumeHealth): void;
  forgetVolume(volumeKey: string): void;
  forgetAllVolumes(): void;
  countVolumePass(volumeKey: string, statusWritten: boolean): void;
}

function volumeLabels(volumeKey: string): { namespace: string; name: string } {
  const slash = volumeKey.indexOf('/');
  return { namespace: volumeKey.slice(0, slash), name: volumeKey.slice(slash + 1) };
}

export function registerVolumeMetrics(registry: Registry): VolumeMetrics {
  const healthByVolume = new Map<string, VolumeHealth>();
  const gauge = (
    suffix: string,
    help: string,
    valueOf: (health: VolumeHealth) => number | undefined,
  ): void => {
    new Gauge({
      name: `${METRIC_PREFIX}${suffix}`,
      help,
      labelNames: ['namespace', 'name'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, health] of healthByVolume) {
          const value = valueOf(health);
          if (value !== undefined) this.set(volumeLabels(key), value);
        }
      },
    });
  };
  gauge(
    'volume_ready',
    "1 while a GlusterVolume's Ready condition is True, else 0, as its last pass saw it.",
    (health) => (health.ready ? 1 : 0),
  );
  gauge('volume_bricks', "A GlusterVolume's bricks.", (health) => health.bricksTotal);
  gauge(
    'volume_bricks_online',
    "A GlusterVolume's bricks whose process runs (volume status).",
    (health) => health.bricksOnline,
  );
  gauge(
    'volume_heal_pending_entries',
    'Entries pending heal, summed over the bricks (heal info summary); absent when not read.',
    (health) => health.healPending,
  );
  gauge(
    'volume_split_brain_entries',
    'Entries in split-brain, summed over the bricks; absent when not read.',
    (health) => health.splitBrainEntries,
  );
  gauge(
    'volume_free_bytes',
    'Bytes clients can still write: per set, the least free brick (times the data bricks of a dispersed set), summed over sets.',
    (health) => health.freeBytes,
  );
  gauge(
    'volume_size_bytes',
    'Usable size, computed as volume_free_bytes from the bricks’ sizes.',
    (health) => health.sizeBytes,
  );
  const passes = new Counter({
    name: `${METRIC_PREFIX}volume_reconciles_total`,
    help: 'Reconcile passes over a GlusterVolume (passes that were stopped not counted).',
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
  });
  const writes = new Counter({
    name: `${METRIC_PREFIX}volume_status_writes_total`,
    help: "Writes of a GlusterVolume's status.",
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
  });
  return {
    setVolumeHealth(volumeKey, health) {
      healthByVolume.set(volumeKey, health);
    },
    forgetVolume(volumeKey) {
      healthByVolume.delete(volumeKey);
      passes.remove(volumeLabels(volumeKey));
      writes.remove(volumeLabels(volumeKey));
    },
    forgetAllVolumes() {
      healthByVolume.clear();
      passes.reset();
      writes.reset();
    },
    countVolumePass(volumeKey, statusWritten) {
      passes.inc(volumeLabels(volumeKey));
      if (statusWritten) writes.inc(volumeLabels(volumeKey));
    },
  };
}
