import { HostMatcher } from '../gluster/host-identity.js';
import { evaluateMesh } from '../gluster/mesh-validation.js';
import type { PoolView } from '../gluster/pool-views.js';
import { gatherPoolViews } from '../gluster/pool-views.js';
import { getGlusterVersion } from '../gluster/versions.js';
import type { CommandContext, NodeAccess } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { resolveNodeTarget } from './node-target.js';
import { buildStatusReport, formatStatusText, statusExitCode } from './status-report.js';
import { formatJson } from './table.js';
import { runVolumeStatusCommand } from './volume-commands.js';

/** `status`: the pool as every node sees it, who sees whom, and which node cannot be asked. */
export async function runStatusCommand(ctx: CommandContext): Promise<ExitCode> {
  if (ctx.flags.volumes || ctx.flags.volume !== undefined) return runVolumeStatusCommand(ctx);
  const target = await resolveNodeTarget(ctx.flags, ctx.io, { required: true });
  if (!target) throw new Error('status needs nodes');
  const access = await ctx.connect(target);
  ctx.progress.step(`Gathering views from ${target.nodes.length} node(s) of ${target.source}…`);
  const { views, versions } = await gatherWithProgress(ctx, access, target.nodes);
  const mesh = await evaluateMesh(views, new HostMatcher(ctx.resolver));
  const report = buildStatusReport(views, versions, mesh);
  ctx.io.stdout(ctx.format === 'json' ? formatJson(report) : formatStatusText(report));
  return statusExitCode(report);
}

/** Every node's pool list and version, in parallel, each reported as it finishes. */
async function gatherWithProgress(
  ctx: CommandContext,
  access: NodeAccess,
  nodes: readonly string[],
): Promise<{ views: PoolView[]; versions: Map<string, string> }> {
  const versions = new Map<string, string>();
  const views = await Promise.all(
    nodes.map(async (node) => {
      const started = ctx.io.now().getTime();
      const [[view], version] = await Promise.all([
        gatherPoolViews(access.cli, [node], { signal: ctx.signal }),
        getGlusterVersion(access.cli, node, { signal: ctx.signal }).catch(() => undefined),
      ]);
      if (!view) throw new Error(`no view of ${node}`);
      if (version !== undefined) versions.set(node, version);
      const elapsed = `${((ctx.io.now().getTime() - started) / 1000).toFixed(1)}s`;
      ctx.progress.step(
        view.ok
          ? `  ${node}: done (${elapsed})`
          : `  ${node}: failed (${elapsed}): ${view.error.message}`,
      );
      return view;
    }),
  );
  ctx.signal.throwIfAborted();
  return { views, versions };
}
