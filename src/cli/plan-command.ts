import { lookAtPool } from '../controller/reconcile-gluster-cluster.js';
import type { Observation } from '../core/observation.js';
import type { CommandContext } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { resolveNodeTarget } from './node-target.js';
import { buildPlanReport, formatPlanText, planExitCode } from './plan-report.js';
import { formatJson } from './table.js';
import { runVolumePlanCommand } from './volume-commands.js';

/**
 * `plan`: what the operator would do to the pool, by the operator's own gather and planner, with
 * nothing changed. The spec is checked first as the API server checks it.
 */
export async function runPlanCommand(ctx: CommandContext): Promise<ExitCode> {
  if (ctx.flags.volume !== undefined) return runVolumePlanCommand(ctx);
  const target = await resolveNodeTarget(ctx.flags, ctx.io, { required: true, clusterOnly: true });
  const cluster = target?.cluster;
  const specNodes = target?.specNodes;
  if (!target || !cluster || !specNodes) throw new Error('plan needs a GlusterCluster');
  const access = await ctx.connect(target);
  ctx.progress.step(`Gathering views from ${specNodes.length} node(s) of ${target.source}…`);
  const { observation, plan } = await ctx.progress.timed('Gathered', () =>
    lookAtPool(access.cli, cluster, specNodes, { signal: ctx.signal, resolver: ctx.resolver }),
  );
  reportNodes(ctx, observation);
  const report = buildPlanReport(cluster, plan);
  if (ctx.format === 'json') ctx.io.stdout(formatJson(report));
  else {
    const names = new Map(specNodes.map((node) => [node.address, node.name ?? '']));
    ctx.io.stdout(formatPlanText(report, names));
  }
  return planExitCode(report);
}

function reportNodes(ctx: CommandContext, observation: Observation): void {
  for (const node of observation.nodes) {
    ctx.progress.step(
      node.failure === undefined
        ? `  ${node.address}: answered${node.glusterVersion ? ` (glusterfs ${node.glusterVersion})` : ''}`
        : `  ${node.address}: ${node.failure.kind === 'ssh' ? 'SSH failed' : node.failure.kind === 'glusterd' ? 'glusterd did not answer' : 'not read'}: ${node.failure.message}`,
    );
  }
}
