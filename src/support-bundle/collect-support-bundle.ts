import path from 'node:path';

import { InvalidArgumentError } from '../errors.js';
import type { Executor } from '../exec/executor.js';
import { Semaphore } from '../exec/semaphore.js';
import type { GlusterCli } from '../gluster/gluster-cli.js';
import { bundleRootName, UniqueNames } from './bundle-paths.js';
import { renderReadme } from './bundle-readme.js';
import { BundleWriter } from './bundle-writer.js';
import { collectKubernetes, type KubeSource } from './collect-kubernetes.js';
import type { BundleNode } from './collect-node.js';
import { collectNode, nodeLabel } from './collect-node.js';
import { describeFailure } from './describe-failure.js';
import { readOperatorVersion } from './operator-version.js';
import { SupportBundleAbortedError, SupportBundleError } from './support-bundle-errors.js';
import { tailFile } from './tail-file.js';

export interface SupportBundleOptions {
  /** The .tar.gz to write (replaced if it exists; mode 0600). */
  readonly outputPath: string;
  /** Nodes to collect from (may be empty). */
  readonly nodes: readonly BundleNode[];
  /**
   * The pool's command node (an address of `nodes`): it is also asked each volume's status detail
   * and heal info. Default, or when it is none of `nodes`: the first node.
   */
  readonly commandNode?: string;
  /** Runs gluster on the nodes; absent: no node data. */
  readonly cli?: GlusterCli;
  /** Runs the glusterd log tail; default: the CLI's executor (with its sudo setting). */
  readonly executor?: Executor;
  readonly kube?: KubeSource;
  /** Local operator log files to include (their tail), e.g. from the sandbox. */
  readonly operatorLogPaths?: readonly string[];
  /** Lines of each log tail; default 500. */
  readonly logTailLines?: number;
  /** Extra strings to redact wherever they appear (the SSH key the CLI loaded, API keys). */
  readonly secretValues?: readonly string[];
  readonly onProgress?: (step: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
}

export interface SupportBundleReport {
  /** The archive written (absolute). */
  readonly path: string;
  /** Paths inside the archive, README.txt included. */
  readonly files: readonly string[];
  /** What could not be collected, and why; also listed in README.txt. */
  readonly problems: readonly string[];
}

const DEFAULT_LOG_TAIL_LINES = 500;
/** Nodes collected at once: each costs one SSH connection and up to five commands. */
const NODE_CONCURRENCY = 4;

/**
 * Writes a support bundle: the GlusterCluster, its status and Events, the operator's recent logs,
 * and what every node says (pool list, peer status, volume info, versions, glusterd log tail), all
 * redacted. Nothing that cannot be collected stops it: an unreachable node, a refused command, an
 * API server without kubelets each become a line of `problems`. It throws only when the archive
 * cannot be written (SupportBundleError) or when aborted (SupportBundleAbortedError); either way
 * no file is left at `outputPath` and the staging directory is removed.
 */
export async function collectSupportBundle(
  options: SupportBundleOptions,
): Promise<SupportBundleReport> {
  const logTailLines = options.logTailLines ?? DEFAULT_LOG_TAIL_LINES;
  if (!Number.isInteger(logTailLines) || logTailLines < 1) {
    throw new InvalidArgumentError(`logTailLines must be a positive integer, got ${logTailLines}`);
  }
  const { signal } = options;
  throwIfAborted(signal);
  const collectedAt = (options.now ?? (() => new Date()))();
  const onProgress = options.onProgress ?? (() => undefined);
  const outputPath = path.resolve(options.outputPath);
  const writer = await BundleWriter.create(
    bundleRootName(options.kube?.name, collectedAt),
    options.secretValues ?? [],
  );
  try {
    const nodeDirs = new UniqueNames();
    const nodes = options.nodes.map((node) => ({
      node,
      label: nodeLabel(node),
      dir: `nodes/${nodeDirs.claim(node.name ?? node.address)}`,
    }));
    const kube = options.kube;
    await Promise.all([
      kube
        ? collectKubernetes(kube, writer, {
            logTailLines,
            onProgress,
            ...(signal ? { signal } : {}),
          })
        : undefined,
      collectNodes(nodes, writer, { ...options, logTailLines, onProgress }),
      collectOperatorFiles(options.operatorLogPaths ?? [], writer, logTailLines, onProgress),
    ]);
    throwIfAborted(signal);

    const readmeInput = {
      collectedAt,
      operatorVersion: await readOperatorVersion(),
      nodeVersion: process.version,
      ...(kube
        ? {
            kubernetesSubject:
              kube.name === undefined
                ? `every GlusterCluster in namespace ${kube.namespace}`
                : `GlusterCluster ${kube.namespace}/${kube.name}`,
          }
        : {}),
      nodes: nodes.map(({ label, dir }) => ({ label, dir })),
      logTailLines,
      operatorLogPaths: options.operatorLogPaths ?? [],
      problems: writer.problems,
    };
    const inside = (file: string) => file.slice(writer.rootName.length + 1);
    await writer.write(
      'README.txt',
      renderReadme({ ...readmeInput, files: [...writer.files.map(inside), 'README.txt'] }),
    );

    onProgress(`Writing ${outputPath}`);
    await writer.pack(outputPath);
    return { path: outputPath, files: [...writer.files], problems: [...writer.problems] };
  } catch (error) {
    throwIfAborted(signal);
    if (error instanceof SupportBundleError) throw error;
    throw new SupportBundleError(`Could not write the support bundle ${outputPath}`, {
      cause: error,
    });
  } finally {
    await writer.dispose();
  }
}

interface PlannedNode {
  readonly node: BundleNode;
  readonly label: string;
  readonly dir: string;
}

async function collectNodes(
  nodes: readonly PlannedNode[],
  writer: BundleWriter,
  options: SupportBundleOptions & {
    readonly logTailLines: number;
    readonly onProgress: (step: string) => void;
  },
): Promise<void> {
  if (nodes.length === 0) return;
  const { cli, signal } = options;
  if (!cli) {
    writer.problem(
      `No Gluster CLI (SSH access) was given: nothing collected from ${nodes.length} node(s)`,
    );
    return;
  }
  const executor = options.executor ?? cli.executor;
  const commandNode = nodes.find(({ node }) => node.address === options.commandNode) ?? nodes[0];
  const slots = new Semaphore(NODE_CONCURRENCY);
  await Promise.all(
    nodes.map(async ({ node, label, dir }) => {
      const release = await slots.acquire();
      try {
        if (signal?.aborted) return;
        options.onProgress(`Collecting from node ${label}`);
        await collectNode(node, dir, writer, {
          cli,
          executor,
          logTailLines: options.logTailLines,
          isCommandNode: node === commandNode?.node,
          ...(signal ? { signal } : {}),
        });
      } finally {
        release();
      }
    }),
  );
}

async function collectOperatorFiles(
  paths: readonly string[],
  writer: BundleWriter,
  logTailLines: number,
  onProgress: (step: string) => void,
): Promise<void> {
  const files = new UniqueNames();
  for (const file of paths) {
    onProgress(`Reading operator log ${file}`);
    const name = files.claim(path.basename(file).replace(/\.log$/, ''), '.log');
    let tail: string;
    try {
      tail = await tailFile(file, logTailLines);
    } catch (error) {
      writer.problem(`Operator log ${file}: ${describeFailure(error)}`);
      continue;
    }
    await writer.write(`operator/${name}`, tail);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SupportBundleAbortedError('Support bundle aborted', { cause: signal.reason });
  }
}
