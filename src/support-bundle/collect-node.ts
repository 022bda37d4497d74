import type { Executor } from '../exec/executor.js';
import { CouldNotRunError } from '../exec/exec-errors.js';
import type { CliOutput } from '../gluster/cli-output.js';
import type { CallOptions, GlusterCli } from '../gluster/gluster-cli.js';
import { parsePeers } from '../gluster/peer.js';
import { getClusterOpVersion } from '../gluster/versions.js';
import { Semaphore } from '../exec/semaphore.js';
import type { Volume } from '../gluster/volume-info.js';
import { parseVolumes } from '../gluster/volume-info.js';
import { UniqueNames } from './bundle-paths.js';
import type { BundleSink } from './bundle-writer.js';
import { describeFailure } from './describe-failure.js';

/** Where glusterd logs on Debian, Ubuntu and the upstream packages. */
export const GLUSTERD_LOG_PATH = '/var/log/glusterfs/glusterd.log';
const LOG_TAIL_TIMEOUT_MS = 30_000;

export interface BundleNode {
  readonly address: string;
  readonly name?: string;
}

export interface NodeCollectOptions {
  readonly cli: GlusterCli;
  /** Runs the glusterd log tail; the CLI's own executor (and so its sudo setting) when not given. */
  readonly executor: Executor;
  readonly logTailLines: number;
  readonly signal?: AbortSignal;
  /**
   * This node is the pool's command node: it is also asked, for each volume its volume info
   * lists, `volume status <v> detail` and `volume heal <v> info summary`.
   */
  readonly isCommandNode?: boolean;
}

/** At most this many volumes get per-volume commands (the bundle stays bounded). */
export const MAX_VOLUMES_DETAILED = 50;
/** Per-volume commands run at once on the command node. */
const VOLUME_CONCURRENCY = 2;

/** The read-only per-volume commands of the command node, raw XML into `volumes/<v>/`. */
const VOLUME_COMMANDS: readonly {
  readonly file: string;
  readonly args: (volume: string) => readonly string[];
  /** Heal info exists only for replicated or dispersed volumes (as the operator reads it). */
  readonly isFor?: (volume: Volume) => boolean;
}[] = [
  { file: 'status-detail', args: (volume) => ['volume', 'status', volume, 'detail'] },
  {
    file: 'heal-info-summary',
    args: (volume) => ['volume', 'heal', volume, 'info', 'summary'],
    isFor: (volume) => volume.replicaCount > 1 || volume.disperseCount > 0,
  },
];

/** A gluster command whose raw XML goes into the bundle beside our parsed view of it. */
interface XmlCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly parse: (output: CliOutput) => unknown;
  /** An answer with opRet != 0 that is not a failure (`volume info` with no volumes). */
  readonly isBenignRefusal?: (output: CliOutput) => boolean;
}

const XML_COMMANDS: readonly XmlCommand[] = [
  { file: 'pool-list', args: ['pool', 'list'], parse: parsePeers },
  { file: 'peer-status', args: ['peer', 'status'], parse: parsePeers },
  {
    file: 'volume-info',
    args: ['volume', 'info'],
    parse: parseVolumes,
    isBenignRefusal: (output) => /no volumes present/i.test(output.opErrstr),
  },
];

/**
 * Everything one node can tell about itself, into `dir` (`nodes/<node>`): gluster's own XML for
 * pool list, peer status and volume info (and our parsed view of each as JSON), the gluster
 * version, the pool's op-version and the tail of glusterd's log. A failed command is a problem
 * and a line of `error.txt`; a node that cannot be reached at all gets only `error.txt`.
 */
/** How a node is named in progress and problem lines: `n2 (10.0.0.12)`, or its address. */
export function nodeLabel(node: BundleNode): string {
  return node.name === undefined ? node.address : `${node.name} (${node.address})`;
}

export async function collectNode(
  node: BundleNode,
  dir: string,
  sink: BundleSink,
  options: NodeCollectOptions,
): Promise<void> {
  const { cli, signal } = options;
  const { address } = node;
  const label = nodeLabel(node);
  const callOptions: CallOptions = signal ? { signal } : {};
  const failures: string[] = [];
  const fail = (what: string, why: string): void => {
    failures.push(`${what}: ${why}`);
    sink.problem(`Node ${label}: ${what}: ${why}`);
  };
  let volumes: readonly Volume[] | undefined;

  // `gluster --version` needs no glusterd, so it doubles as the reachability check: a node that
  // cannot be reached would only make every other command wait for the same connect timeout.
  try {
    const version = await cli.runPlain(address, ['--version'], callOptions);
    await sink.write(`${dir}/gluster-version.txt`, version.stdout);
  } catch (error) {
    if (error instanceof CouldNotRunError) {
      const why = describeFailure(error);
      sink.problem(`Node ${label} could not be reached: ${why}`);
      await sink.write(`${dir}/error.txt`, `Could not reach ${label}: ${why}\n`);
      return;
    }
    fail('gluster --version', describeFailure(error));
  }

  await Promise.all([
    ...XML_COMMANDS.map(async (command) => {
      const what = `gluster ${command.args.join(' ')}`;
      let answer;
      try {
        answer = await cli.run(address, command.args, callOptions);
      } catch (error) {
        fail(what, describeFailure(error));
        return;
      }
      // gluster's own words, refusals included: what a support engineer compares with upstream.
      await sink.write(`${dir}/${command.file}.xml`, answer.result.stdout);
      const { output } = answer;
      if (output.opRet !== 0 && !command.isBenignRefusal?.(output)) {
        fail(
          what,
          `glusterd refused (opRet ${output.opRet}, opErrno ${output.opErrno}): ${output.opErrstr}`,
        );
        return;
      }
      let parsed: unknown;
      try {
        parsed = output.opRet === 0 ? command.parse(output) : [];
      } catch (error) {
        fail(`reading the answer of ${what}`, describeFailure(error));
        return;
      }
      await sink.write(`${dir}/${command.file}.json`, `${JSON.stringify(parsed, null, 2)}\n`);
      if (command.file === 'volume-info') volumes = parsed as Volume[];
    }),
    (async () => {
      let opVersion: number;
      try {
        opVersion = await getClusterOpVersion(cli, address, callOptions);
      } catch (error) {
        fail('gluster volume get all cluster.op-version', describeFailure(error));
        return;
      }
      await sink.write(`${dir}/op-version.txt`, `cluster.op-version: ${opVersion}\n`);
    })(),
    (async () => {
      const argv = ['tail', '-n', String(options.logTailLines), GLUSTERD_LOG_PATH];
      const what = `tail of ${GLUSTERD_LOG_PATH}`;
      let result;
      try {
        result = await options.executor.run(address, argv, {
          timeoutMs: LOG_TAIL_TIMEOUT_MS,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        fail(what, describeFailure(error));
        return;
      }
      if (result.exitCode !== 0) {
        // e.g. a sudoers rule that allows gluster only: "sudo: a password is required".
        const said = result.stderr.trim() || result.stdout.trim() || 'no output';
        fail(what, `${result.command} exited ${result.exitCode}: ${said}`);
        return;
      }
      await sink.write(`${dir}/glusterd.log`, result.stdout);
    })(),
  ]);

  if (options.isCommandNode && volumes !== undefined) {
    await collectVolumeDetails(
      volumes,
      `${dir}/volumes`,
      sink,
      { cli, address, callOptions },
      fail,
    );
  }

  if (failures.length > 0) {
    await sink.write(`${dir}/error.txt`, failures.map((line) => `${line}\n`).join(''));
  }
}

/**
 * Each started volume's brick processes (and, replicated or dispersed, its heal counts) as
 * gluster's XML, unchanged: a refusal is written too, and is a problem line; the rest go on.
 */
async function collectVolumeDetails(
  volumes: readonly Volume[],
  dir: string,
  sink: BundleSink,
  read: { readonly cli: GlusterCli; readonly address: string; readonly callOptions: CallOptions },
  fail: (what: string, why: string) => void,
): Promise<void> {
  if (volumes.length > MAX_VOLUMES_DETAILED) {
    sink.problem(
      `${volumes.length} volumes: status detail and heal info collected for the first ${MAX_VOLUMES_DETAILED} only`,
    );
  }
  const names = new UniqueNames();
  const slots = new Semaphore(VOLUME_CONCURRENCY);
  // A volume that is not started has no brick process and no heal to report: gluster only
  // refuses both, which would be a problem line for a volume that is stopped on purpose.
  const started = volumes.slice(0, MAX_VOLUMES_DETAILED).filter((v) => v.statusStr === 'Started');
  await Promise.all(
    started.flatMap((volume) => {
      const volumeDir = `${dir}/${names.claim(volume.name)}`;
      return VOLUME_COMMANDS.filter((command) => command.isFor?.(volume) ?? true).map(
        async (command) => {
          const args = command.args(volume.name);
          const what = `gluster ${args.join(' ')}`;
          const release = await slots.acquire();
          let answer;
          try {
            if (read.callOptions.signal?.aborted) return;
            answer = await read.cli.run(read.address, args, read.callOptions);
          } catch (error) {
            fail(what, describeFailure(error));
            return;
          } finally {
            release();
          }
          await sink.write(`${volumeDir}/${command.file}.xml`, answer.result.stdout);
          const { output } = answer;
          if (output.opRet !== 0) {
            fail(
              what,
              `glusterd refused (opRet ${output.opRet}, opErrno ${output.opErrno}): ${output.opErrstr}`,
            );
          }
        },
      );
    }),
  );
}
