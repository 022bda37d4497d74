import type { RebalanceStatus, RemoveBrickStatus } from '../api/gluster-volume.js';
import type {
  ObservedBrickHeal,
  ObservedBrickRuntime,
  ObservedVolume,
} from '../core/volume/volume-observation.js';
import type { VolumeAction } from '../core/volume/volume-plan-types.js';
import type { CallOptions } from '../gluster/gluster-cli.js';

/**
 * What a GlusterVolume pass asks of gluster on the command node, in the planner's terms: the
 * reads of a look, and one change per planned action. The adapter over the typed gluster
 * library is createVolumeCommands; tests may fake this port.
 */
export interface VolumeCommands {
  /** volume info of `volume`: null when no volume of that name exists. */
  readVolume(node: string, volume: string, options: CallOptions): Promise<ObservedVolume | null>;
  /** volume status detail, by brick name. */
  readBrickStatus(
    node: string,
    volume: string,
    options: CallOptions,
  ): Promise<Record<string, ObservedBrickRuntime>>;
  /** heal info summary, by brick name. */
  readHeal(
    node: string,
    volume: string,
    options: CallOptions,
  ): Promise<Record<string, ObservedBrickHeal>>;
  readRebalance(node: string, volume: string, options: CallOptions): Promise<RebalanceStatus>;
  /** The volume's remove-brick task, if any ("not started" with no bricks when none). */
  readRemoveBrick(node: string, volume: string, options: CallOptions): Promise<RemoveBrickStatus>;
  /**
   * Makes `action` on `node`. `expectedVolumeId`: for a change to an existing volume, the ID the
   * plan saw; a destructive change is refused when the volume now has another.
   */
  run(
    node: string,
    volume: string,
    action: Exclude<VolumeAction, { kind: 'removeFinalizer' }>,
    options: CallOptions & { readonly expectedVolumeId: string | undefined },
  ): Promise<void>;
}
