import type { VolumeAction, VolumeActionKind } from './volume-plan-types.js';
import { describeLayout } from '../../api/volume-layout-counts.js';

/** The Reconciling reason while an action is the next change. */
export const ACTION_REASON: Readonly<Record<Exclude<VolumeActionKind, 'removeFinalizer'>, string>> =
  {
    create: 'Creating',
    setOptions: 'SettingOptions',
    resetOption: 'SettingOptions',
    start: 'Starting',
    stop: 'Stopping',
    addBricks: 'Expanding',
    rebalanceStart: 'Rebalancing',
    replaceBrick: 'ReplacingBrick',
    removeBricksStart: 'RemovingBricks',
    removeBricksCommit: 'RemovingBricks',
    delete: 'Deleting',
  };

/** One line for a condition message, an event or a log field. */
export function describeVolumeAction(action: VolumeAction, volume: string): string {
  switch (action.kind) {
    case 'create':
      return `Creating ${volume} (${describeLayout(action.layout)}, ${action.transport}${action.force ? ', force' : ''}) on ${action.bricks.join(' ')}`;
    case 'setOptions':
      return `Setting ${action.options.map(([key, value]) => `${key}=${value}`).join(', ')}`;
    case 'resetOption':
      return `Resetting ${action.key} (no longer in spec)`;
    case 'start':
      return `Starting ${volume}`;
    case 'stop':
      return `Stopping ${volume}`;
    case 'addBricks':
      return `Adding ${action.bricks.join(' ')}${action.force ? ' (force)' : ''}`;
    case 'rebalanceStart':
      return `Starting a rebalance of ${volume} over its new sets`;
    case 'replaceBrick':
      return `Replacing ${action.from} with ${action.to}`;
    case 'removeBricksStart':
      return `Starting to remove ${action.bricks.join(' ')} (their data moves to the other sets)`;
    case 'removeBricksCommit':
      return `Committing the removal of ${action.bricks.join(' ')}`;
    case 'delete':
      return `Deleting the definition of ${volume} (brick directories and data stay)`;
    case 'removeFinalizer':
      return 'Letting the resource go';
  }
}
