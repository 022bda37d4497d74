import { createVolumeCommands } from '../controller/gluster-volume-commands.js';
import {
  chooseCommandNode,
  gatherVolumeObservation,
  membersOf,
} from '../controller/gather-volume-observation.js';
import { volumeNameOf } from '../controller/reconcile-gluster-volume.js';
import type { VolumeCommands } from '../controller/volume-commands.js';
import { planVolume } from '../core/volume/plan-volume.js';
import { UsageError } from './cli-errors.js';
import type { CommandContext } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { loadKubeAccess, readVolumesFromApi } from './kube-access.js';
import { resolveNodeTarget } from './node-target.js';
import { formatJson } from './table.js';
import {
  buildVolumePlanReport,
  formatVolumePlanText,
  volumePlanExitCode,
} from './volume-plan-report.js';
import {
  buildVolumeStatusReport,
  formatVolumeStatusText,
  volumeStatusExitCode,
} from './volume-status-report.js';

/**
 * `status --volumes` (every GlusterVolume of the namespace) or `status --volume <name>`: each as
 * the operator last wrote its status. Reads the API server only; no node is asked.
 */
export async function runVolumeStatusCommand(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = ctx;
  if (flags.volume !== undefined && flags.volumes) {
    throw new UsageError('Give --volume <name> or --volumes, not both');
  }
  const ignored = (['node', 'peers-file', 'peers', 'file', 'cluster'] as const).filter(
    (flag) => flags[flag] !== undefined,
  );
  if (ignored.length > 0) {
    throw new UsageError(
      `status ${flags.volumes ? '--volumes' : '--volume'} reads the API server only; drop --${ignored.join(', --')}`,
    );
  }
  const access = loadKubeAccess(flags);
  ctx.progress.step(
    flags.volume === undefined
      ? `Reading the GlusterVolumes of namespace ${access.namespace}…`
      : `Reading GlusterVolume ${access.namespace}/${flags.volume}…`,
  );
  const volumes = await readVolumesFromApi(access, flags.volume);
  const report = buildVolumeStatusReport(volumes);
  ctx.io.stdout(
    ctx.format === 'json' ? formatJson(report) : formatVolumeStatusText(report, access.namespace),
  );
  return volumeStatusExitCode(report);
}

/**
 * `plan --volume <name>`: what the operator's next pass would do to the volume, by the
 * operator's own look (gatherVolumeObservation, read-only) and planner (planVolume), from the
 * command node of the GlusterCluster it names. Changes nothing.
 */
export async function runVolumePlanCommand(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = ctx;
  const name = flags.volume;
  if (name === undefined) throw new Error('plan --volume needs a name');
  if (flags.file !== undefined || flags.cluster !== undefined) {
    throw new UsageError(
      'plan --volume reads the GlusterCluster its spec.clusterRef names: drop -f and --cluster',
    );
  }
  const access = loadKubeAccess(flags);
  const [volume] = await readVolumesFromApi(access, name);
  if (!volume) throw new Error(`no GlusterVolume ${name}`);
  const target = await resolveNodeTarget(
    { ...flags, cluster: volume.spec.clusterRef.name },
    ctx.io,
    {
      required: true,
      clusterOnly: true,
    },
  );
  const cluster = target?.cluster;
  if (!target || !cluster) throw new Error('plan --volume needs its GlusterCluster');
  const members = membersOf(cluster);
  const commandNode = chooseCommandNode(cluster, members);
  const volumeName = volumeNameOf(volume);
  const previous = volume.status;
  const nodeAccess = await ctx.connect(target);
  ctx.progress.step(
    commandNode === undefined
      ? `No member of ${target.source} is connected in its status: the volume cannot be read`
      : `Reading gluster volume ${volumeName} on ${commandNode}…`,
  );
  // The operator's own reads; its one changing method is refused, so a plan can never act.
  const readOnly: VolumeCommands = {
    ...createVolumeCommands(nodeAccess.cli),
    run: () => Promise.reject(new Error('plan --volume never changes a volume')),
  };
  const observation = await ctx.progress.timed('Read', () =>
    gatherVolumeObservation(
      readOnly,
      { members, commandNode, volumeName, previous },
      { signal: ctx.signal },
    ),
  );
  ctx.signal.throwIfAborted();
  const plan = planVolume({
    volumeName,
    spec: volume.spec,
    isDeleting: volume.metadata.deletionTimestamp !== undefined,
    observation,
    previous,
  });
  const report = buildVolumePlanReport(volume, observation, plan);
  ctx.io.stdout(ctx.format === 'json' ? formatJson(report) : formatVolumePlanText(report));
  return volumePlanExitCode(report);
}
