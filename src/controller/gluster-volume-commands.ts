import type { TaskProgress } from '../api/gluster-volume.js';
import type { ObservedVolume } from '../core/volume/volume-observation.js';
import type { GlusterCli } from '../gluster/gluster-cli.js';
import {
  addBricks,
  getRemoveBrickStatus,
  removeBricksCommit,
  removeBricksStart,
  replaceBrick,
} from '../gluster/volume-bricks.js';
import { createVolume } from '../gluster/volume-create.js';
import { getHealSummary } from '../gluster/volume-heal.js';
import type { Volume } from '../gluster/volume-info.js';
import { getVolume } from '../gluster/volume-info.js';
import { deleteVolume, startVolume, stopVolume } from '../gluster/volume-lifecycle.js';
import { resetVolumeOption, setVolumeOptions } from '../gluster/volume-options.js';
import { getRebalanceStatus, startRebalance } from '../gluster/volume-rebalance.js';
import { getVolumeStatus, getVolumeTasks } from '../gluster/volume-status.js';
import type { TaskCounters } from '../gluster/volume-task-status.js';
import { InvalidArgumentError } from '../errors.js';
import type { VolumeCommands } from './volume-commands.js';

// volume info's <status>: GLUSTERD_STATUS_NONE, _STARTED, _STOPPED.
const VOLUME_STATES = ['Created', 'Started', 'Stopped'] as const;
// volume status tasks' <type> of a remove-brick.
const REMOVE_BRICK_TASK = 'Remove brick';

/** The VolumeCommands port over the typed gluster volume library, on one GlusterCli. */
export function createVolumeCommands(cli: GlusterCli): VolumeCommands {
  return {
    async readVolume(node, name, options) {
      const volume = await getVolume(cli, node, name, options);
      return volume === undefined ? null : observedVolumeOf(volume);
    },
    async readBrickStatus(node, name, options) {
      const bricks = await getVolumeStatus(cli, node, { name }, options);
      return Object.fromEntries(
        bricks.map((brick) => [
          brick.name,
          {
            online: brick.online,
            port: brick.port,
            pid: brick.pid,
            freeBytes: brick.sizeFreeBytes,
            totalBytes: brick.sizeTotalBytes,
          },
        ]),
      );
    },
    async readHeal(node, name, options) {
      const bricks = await getHealSummary(cli, node, { name }, options);
      return Object.fromEntries(
        bricks.map((brick) => [
          brick.name,
          {
            pending: brick.pending ?? 0,
            splitBrain: brick.splitBrain ?? 0,
            possiblyHealing: brick.possiblyHealing ?? 0,
            connected: brick.isConnected,
          },
        ]),
      );
    },
    async readRebalance(node, name, options) {
      const status = await getRebalanceStatus(cli, node, { name }, options);
      const progress = progressOf(status.aggregate);
      return status.taskId === undefined ? progress : { ...progress, taskId: status.taskId };
    },
    async readRemoveBrick(node, name, options) {
      // glusterd keeps the volume's last task; only a remove-brick's names its bricks.
      const tasks = await getVolumeTasks(cli, node, { name }, options);
      const task = tasks.find((candidate) => candidate.type === REMOVE_BRICK_TASK);
      if (task === undefined || task.bricks.length === 0) {
        return { ...progressOf(undefined), bricks: [] };
      }
      const status = await getRemoveBrickStatus(cli, node, { name, bricks: task.bricks }, options);
      return { ...progressOf(status.aggregate), bricks: [...task.bricks] };
    },
    async run(node, name, action, options) {
      const { expectedVolumeId, ...call } = options;
      const expected = (): string => {
        if (expectedVolumeId === undefined) {
          throw new InvalidArgumentError(
            `Refused to ${action.kind} ${name} without the volume ID it is meant for`,
          );
        }
        return expectedVolumeId;
      };
      switch (action.kind) {
        case 'create':
          await createVolume(
            cli,
            node,
            {
              name,
              bricks: action.bricks,
              layout: action.layout,
              transport: action.transport,
              force: action.force,
            },
            call,
          );
          return;
        case 'setOptions':
          await setVolumeOptions(cli, node, { name, options: action.options }, call);
          return;
        case 'resetOption':
          await resetVolumeOption(cli, node, { name, key: action.key }, call);
          return;
        case 'start':
          await startVolume(cli, node, { name }, call);
          return;
        case 'stop':
          await stopVolume(cli, node, { name, expectedVolumeId: expected() }, call);
          return;
        case 'addBricks':
          await addBricks(
            cli,
            node,
            { name, bricks: action.bricks, layout: action.layout, force: action.force },
            call,
          );
          return;
        case 'rebalanceStart':
          await startRebalance(cli, node, { name }, call);
          return;
        case 'replaceBrick':
          await replaceBrick(
            cli,
            node,
            { name, from: action.from, to: action.to, expectedVolumeId: expected() },
            call,
          );
          return;
        case 'removeBricksStart':
          await removeBricksStart(
            cli,
            node,
            { name, bricks: action.bricks, expectedVolumeId: expected() },
            call,
          );
          return;
        case 'removeBricksCommit':
          await removeBricksCommit(
            cli,
            node,
            { name, bricks: action.bricks, expectedVolumeId: expected() },
            call,
          );
          return;
        case 'delete':
          await deleteVolume(cli, node, { name, expectedVolumeId: expected() }, call);
          return;
      }
    },
  };
}

export function observedVolumeOf(volume: Volume): ObservedVolume {
  const state = VOLUME_STATES[volume.status];
  if (state === undefined) {
    throw new InvalidArgumentError(
      `Volume ${volume.name} has status ${volume.status} (${volume.statusStr}), which this version does not know`,
    );
  }
  return {
    name: volume.name,
    id: volume.id,
    state,
    typeStr: volume.typeStr,
    transport: volume.transport,
    replicaCount: volume.replicaCount,
    arbiterCount: volume.arbiterCount,
    disperseCount: volume.disperseCount,
    redundancyCount: volume.redundancyCount,
    bricks: volume.bricks.map((brick) => ({
      name: brick.name,
      host: brick.host,
      path: brick.path,
      hostUuid: brick.hostUuid,
      isArbiter: brick.isArbiter,
    })),
    options: volume.options,
  };
}

function progressOf(counters: TaskCounters | undefined): TaskProgress {
  return {
    state: counters?.statusStr ?? 'not started',
    filesMoved: counters?.filesMoved ?? 0,
    bytesMoved: counters?.bytesMoved ?? 0,
    filesScanned: counters?.filesScanned ?? 0,
    failures: counters?.failures ?? 0,
    skipped: counters?.skipped ?? 0,
    runtimeSeconds: counters?.runtimeSeconds ?? 0,
  };
}
