import { join } from 'node:path';
import type { SupportBundleOptions } from '../support-bundle/index.js';
import { PEERS_SYNC_APIKEY_VARIABLE } from '../inventory/index.js';
import { bundleRootName, collectSupportBundle } from '../support-bundle/index.js';
import { integerFlag } from './cli-options.js';
import type { CommandContext } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { loadKubeAccess } from './kube-access.js';
import { resolveNodeTarget } from './node-target.js';
import { formatJson } from './table.js';

/**
 * `support-bundle`: one tar.gz with what support needs (the resource, its status and events, the
 * operator's logs, and each node's pool, peers, volumes, version and glusterd log), secrets
 * redacted, including the SSH key this run used.
 */
export async function runSupportBundleCommand(ctx: CommandContext): Promise<ExitCode> {
  const target = await resolveNodeTarget(ctx.flags, ctx.io, { required: false });
  const outputPath =
    ctx.flags.out ?? join(ctx.io.cwd, `${bundleRootName(undefined, ctx.io.now())}.tar.gz`);
  const names = new Map(
    (target?.cluster?.spec.nodes ?? []).map((node) => [node.address, node.name]),
  );
  const nodes = (target?.nodes ?? []).map((address) => {
    const name = names.get(address);
    return name === undefined ? { address } : { address, name };
  });
  const access = nodes.length > 0 ? await ctx.connect(target) : undefined;
  // Kubernetes is asked only when the command line points at it.
  const wantsKube =
    ctx.flags.cluster !== undefined ||
    ctx.flags.kubeconfig !== undefined ||
    ctx.flags.namespace !== undefined ||
    ctx.flags['operator-namespace'] !== undefined;
  const kube = wantsKube ? loadKubeAccess(ctx.flags) : undefined;
  const syncApiKey = ctx.io.env[PEERS_SYNC_APIKEY_VARIABLE];
  const secretValues = [
    ...(access ? [access.ssh.privateKey] : []),
    ...(syncApiKey ? [syncApiKey] : []),
  ];
  const options: SupportBundleOptions = {
    outputPath,
    nodes,
    ...(access ? { cli: access.cli, executor: access.executor } : {}),
    // The node the operator last ran commands from asks each volume's status and heal info.
    ...(target?.cluster?.status?.commandNode
      ? { commandNode: target.cluster.status.commandNode }
      : {}),
    ...(kube
      ? {
          kube: {
            kubeConfig: kube.kubeConfig,
            namespace: kube.namespace,
            ...(target?.cluster
              ? { name: target.cluster.metadata.name }
              : ctx.flags.cluster
                ? { name: ctx.flags.cluster }
                : {}),
            ...(ctx.flags['operator-namespace']
              ? { operatorNamespace: ctx.flags['operator-namespace'] }
              : {}),
            ...(ctx.flags['operator-selector']
              ? { operatorLabelSelector: ctx.flags['operator-selector'] }
              : {}),
          },
        }
      : {}),
    ...(ctx.flags['operator-log'] ? { operatorLogPaths: ctx.flags['operator-log'] } : {}),
    logTailLines: integerFlag('log-lines', ctx.flags['log-lines'], 500, { min: 1, max: 100_000 }),
    secretValues,
    onProgress: (step) => {
      ctx.progress.step(`  ${step}`);
    },
    signal: ctx.signal,
    now: ctx.io.now,
  };
  ctx.progress.step(
    `Collecting a support bundle${nodes.length > 0 ? ` from ${nodes.length} node(s)` : ''}${kube ? ` and namespace ${kube.namespace}` : ''}…`,
  );
  const report = await collectSupportBundle(options);
  if (ctx.format === 'json') ctx.io.stdout(formatJson(report));
  else {
    ctx.io.stdout(`Wrote ${report.path} (${report.files.length} files)\n`);
    if (report.problems.length > 0) {
      ctx.io.stdout(
        `Not collected:\n${report.problems.map((problem) => `  ${problem}\n`).join('')}`,
      );
    }
  }
  return report.problems.length > 0 ? EXIT.attention : EXIT.ok;
}
