import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml } from '@kubernetes/client-node';
import { runCommand, type CommandResult } from './run-command.js';
import { resolveTestTools } from './test-tools.js';

/** charts/gluster-operator, with a trailing slash. */
export const CHART_DIR = fileURLToPath(new URL('../../charts/gluster-operator/', import.meta.url));

/** One object of helm's or kustomize's output, as far as the tests look at it generically. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
}

export interface RenderOptions {
  /** Default `gluster-operator`, which gives the objects deploy/'s names. */
  readonly releaseName?: string;
  /** Default `gluster-operator`. */
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  /** `--set` assignments, e.g. `metrics.auth=none`. */
  readonly set?: readonly string[];
  /** Add crds/ to the output (`--include-crds`). */
  readonly includeCrds?: boolean;
  /** Default CHART_DIR. */
  readonly chartDir?: string;
}

let helmHome: string | undefined;

/**
 * Runs the real helm (scripts/test-tools) with its cache, config and data directories in a
 * temporary directory of this process, so no run reads or leaves anything in ~/.cache/helm.
 */
export async function runHelm(
  args: readonly string[],
  options: { readonly timeoutMs?: number } = {},
): Promise<CommandResult> {
  const { helm } = await resolveTestTools();
  if (helmHome === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gop-helm-home-'));
    process.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
    });
    helmHome = dir;
  }
  return runCommand(helm, args, {
    timeoutMs: options.timeoutMs ?? 60_000,
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(helmHome, 'cache'),
      HELM_CONFIG_HOME: path.join(helmHome, 'config'),
      HELM_DATA_HOME: path.join(helmHome, 'data'),
    },
  });
}

/** `helm template` arguments for these options (the chart and the release included). */
export function templateArgs(options: RenderOptions = {}): string[] {
  return [
    'template',
    options.releaseName ?? 'gluster-operator',
    options.chartDir ?? CHART_DIR,
    '--namespace',
    options.namespace ?? 'gluster-operator',
    ...(options.includeCrds === true ? ['--include-crds'] : []),
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((assignment) => ['--set', assignment]),
  ];
}

/** `helm template`, parsed; fails with helm's message when it does not render. */
export async function renderChart(options: RenderOptions = {}): Promise<ManifestObject[]> {
  const result = await runHelm(templateArgs(options));
  if (result.exitCode !== 0) {
    throw new Error(`helm template failed (${String(result.exitCode)}): ${result.stderr}`);
  }
  return parseManifests(result.stdout);
}

/**
 * Every object of a multi-document YAML stream, typed by client-node (which drops fields its
 * models do not know). Documents holding only comments are skipped: client-node's typing step
 * fails on them (as src/cli/cluster-manifest.ts notes).
 */
export function parseManifests(text: string): ManifestObject[] {
  return text
    .split(/^---[ \t]*$/m)
    .filter((part) => part.replace(/#.*$/gm, '').trim() !== '')
    .flatMap((part) => loadAllYaml(part) as unknown[])
    .filter((doc): doc is ManifestObject => typeof doc === 'object' && doc !== null);
}

/** `Kind namespace/name` (namespace `-` for cluster-scoped objects), for lists in assertions. */
export function objectKey(object: ManifestObject): string {
  return `${object.kind} ${object.metadata.namespace ?? '-'}/${object.metadata.name}`;
}

/** The one object of this kind and name; fails naming what there is otherwise. */
export function findObject(
  objects: readonly ManifestObject[],
  kind: string,
  name: string,
): ManifestObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${kind} ${name}, found ${String(found.length)} among ${objects.map(objectKey).join(', ')}`,
    );
  }
  return found[0]!;
}
