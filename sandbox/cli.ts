/**
 * `scripts/sandbox`: a real 3-node Gluster pool (plus a spare node), a real kube-apiserver and
 * the operator on this machine, left running to try things on. See docs/sandbox.md.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { isProcessAlive } from '../testbed/process-identity.js';
import { createReporter, startTimeFromEnv, type Reporter } from './console-reporter.js';
import { describeError } from './describe-error.js';
import { sandboxDown } from './down.js';
import {
  REPO_ROOT,
  SANDBOX,
  SANDBOX_BRICK_PATH,
  sandboxCommand,
  sandboxPaths,
  type SandboxPaths,
} from './sandbox-layout.js';
import { readSandboxState, type SandboxState } from './sandbox-state.js';
import { SandboxError } from './sandbox-error.js';
import { sandboxStatus } from './status.js';
import { sandboxUp } from './up.js';

const FAULT_KINDS = [
  'stop-glusterd',
  'start-glusterd',
  'cut-link',
  'restore-link',
  'drop-outbound',
  'restore-outbound',
  'kill-brick',
  'start-bricks',
] as const;

/** The brick faults act on the sandbox's volume unless told otherwise (`--volume`, `--brick`). */
const BRICK_FAULT_KINDS: readonly string[] = ['kill-brick', 'start-bricks'];

const USAGE = `Usage: scripts/sandbox [command]
  up                     start the sandbox (the default) and leave it running; again: show it
  status                 the processes, \`kubectl get glc -o wide\`, every node, what to try
  down                   stop and remove everything of the sandbox (also after a crash)
  fault KIND NODE        KIND: ${FAULT_KINDS.join(', ')}; NODE: n1 ... n${String(SANDBOX.nodeCount)}
                         (kill-brick/start-bricks: the volume ${SANDBOX.volumeName}'s brick on NODE)
  exec NODE CMD...       run CMD inside a node, e.g. exec n1 gluster pool list
  kubectl ARGS...        kubectl with the sandbox's kubeconfig`;

/** Returns the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command = 'up', ...rest] = argv;
  const paths = sandboxPaths();
  const reporter = createReporter(startTimeFromEnv());
  switch (command) {
    case 'up':
      return sandboxUp(paths, reporter);
    case 'status':
      return sandboxStatus(paths, reporter);
    case 'down':
      return sandboxDown(paths, reporter);
    case 'fault': {
      const [kind, node, ...extra] = rest;
      if (
        kind === undefined ||
        !(FAULT_KINDS as readonly string[]).includes(kind) ||
        node === undefined
      ) {
        throw new SandboxError(`fault needs a KIND and a NODE\n${USAGE}`);
      }
      requireReadySandbox(paths);
      const code = await runTestbedCli([
        'fault',
        kind,
        '--name',
        SANDBOX.poolName,
        '--node',
        node,
        ...brickFaultDefaults(kind, extra),
        ...extra,
      ]);
      if (code === 0) reportFault(reporter, kind, node);
      return code;
    }
    case 'exec': {
      const [node, ...argvOnNode] = rest;
      if (node === undefined || argvOnNode.length === 0) {
        throw new SandboxError(`exec needs a NODE and a command\n${USAGE}`);
      }
      requireReadySandbox(paths);
      return runTestbedCli([
        'exec',
        '--name',
        SANDBOX.poolName,
        '--node',
        node,
        '--',
        ...argvOnNode,
      ]);
    }
    case 'kubectl': {
      const state = requireReadySandbox(paths);
      return runInherited(
        state.kubectl ?? 'kubectl',
        [`--kubeconfig=${paths.kubeconfig}`, ...rest],
        process.cwd(),
      );
    }
    case 'help':
    case '--help':
    case '-h':
      reporter.print(USAGE);
      return 0;
    default:
      throw new SandboxError(`Unknown command ${command}\n${USAGE}`);
  }
}

function requireReadySandbox(paths: SandboxPaths): SandboxState {
  const state = readSandboxState(paths);
  if (state === undefined || !isProcessAlive(state.supervisor) || state.phase !== 'ready') {
    throw new SandboxError(`No sandbox is up; start one with \`${sandboxCommand()} up\``);
  }
  return state;
}

/** `--volume` and `--brick` of the sandbox's volume, for the flags the caller did not give. */
function brickFaultDefaults(kind: string, extra: readonly string[]): string[] {
  if (!BRICK_FAULT_KINDS.includes(kind)) return [];
  const defaults: string[] = [];
  if (!extra.includes('--volume')) defaults.push('--volume', SANDBOX.volumeName);
  if (kind === 'kill-brick' && !extra.includes('--brick')) {
    defaults.push('--brick', SANDBOX_BRICK_PATH);
  }
  return defaults;
}

function reportFault(reporter: Reporter, kind: string, node: string): void {
  const watch = BRICK_FAULT_KINDS.includes(kind)
    ? `kubectl get gv -w   (and \`kubectl describe gv ${SANDBOX.volumeName}\` for the bricks, heal and events)`
    : `kubectl get glc -w   (and \`kubectl describe glc ${SANDBOX.clusterName}\` for the node's state and events)`;
  const undo: Partial<Record<string, string>> = {
    'stop-glusterd': 'start-glusterd',
    'cut-link': 'restore-link',
    'drop-outbound': 'restore-outbound',
    'kill-brick': 'start-bricks',
  };
  const inverse = undo[kind];
  reporter.print(
    inverse === undefined
      ? `Done: ${kind} on ${node}. Watch it come back: ${watch}`
      : `Done: ${kind} on ${node}. The operator sees it at its next resync (15 s here): ${watch}\nUndo: ${sandboxCommand()} fault ${inverse} ${node}`,
  );
}

/** The testbed's own CLI, so faults and exec behave exactly as documented in testbed/README.md. */
function runTestbedCli(args: readonly string[]): Promise<number> {
  // From the checkout: node resolves `--import tsx` against the working directory.
  return runInherited(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'testbed', 'cli.ts'), ...args],
    REPO_ROOT,
  );
}

function runInherited(file: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit', cwd });
    child.once('error', (err) => {
      reject(new SandboxError(`Could not run ${file}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });
}

// `scripts/sandbox status | head` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`sandbox: ${describeError(err)}\n`);
  process.exitCode = 1;
}
