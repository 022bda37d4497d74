import { runCommand, type CommandResult } from '../test/support/run-command.js';
import type { SandboxPaths } from './sandbox-layout.js';
import { SandboxError } from './sandbox-error.js';

export interface Kubectl {
  /** Runs kubectl against the sandbox as admin; a non-zero exit is a result. */
  run(
    args: readonly string[],
    options?: { stdin?: string; timeoutMs?: number },
  ): Promise<CommandResult>;
  /** Like run, but a non-zero exit is a SandboxError with kubectl's own words. */
  runOrThrow(
    args: readonly string[],
    options?: { stdin?: string; timeoutMs?: number },
  ): Promise<string>;
}

export function sandboxKubectl(file: string, paths: SandboxPaths): Kubectl {
  const run: Kubectl['run'] = (args, options = {}) =>
    runCommand(
      file,
      [
        `--kubeconfig=${paths.kubeconfig}`,
        // kubectl's default discovery cache (~/.kube/cache) keeps a directory per host:port,
        // and every sandbox has a new port.
        `--cache-dir=${paths.kubectlCacheDir}`,
        ...args,
      ],
      { stdin: options.stdin ?? '', timeoutMs: options.timeoutMs ?? 60_000 },
    );
  return {
    run,
    async runOrThrow(args, options) {
      const result = await run(args, options);
      if (result.exitCode !== 0) {
        throw new SandboxError(
          `kubectl ${args.join(' ')} exited with ${String(result.exitCode)}: ${result.stderr.trim()}`,
        );
      }
      return result.stdout;
    },
  };
}
