import { isProcessAlive } from '../testbed/process-identity.js';
import { renderClusterView } from './cluster-view.js';
import type { Reporter } from './console-reporter.js';
import { renderInstructions } from './instructions.js';
import { sandboxKubectl } from './kubectl.js';
import { sandboxCommand, type SandboxPaths } from './sandbox-layout.js';
import { readSandboxState, type SandboxState } from './sandbox-state.js';

/** `status`: 0 when the sandbox is up and ready, 1 otherwise (with what to do about it). */
export async function sandboxStatus(paths: SandboxPaths, reporter: Reporter): Promise<number> {
  const state = readSandboxState(paths);
  if (state === undefined) {
    reporter.print(`No sandbox is up. Start one with \`${sandboxCommand()} up\`.`);
    return 1;
  }
  if (!isProcessAlive(state.supervisor)) {
    reporter.print(
      [
        `The sandbox's supervisor (pid ${String(state.supervisor.pid)}) is gone${state.error === undefined ? '' : `; it failed: ${state.error}`}.`,
        `Its log: ${paths.supervisorLog}. \`${sandboxCommand()} down\` removes what it left; \`up\` starts a new one.`,
      ].join('\n'),
    );
    return 1;
  }
  if (state.phase !== 'ready') {
    reporter.print(
      `The sandbox is ${state.phase} (supervisor pid ${String(state.supervisor.pid)}); its log: ${paths.supervisorLog}`,
    );
    return 1;
  }
  reporter.print(await renderReadySandbox(paths, state));
  return 0;
}

/** Processes, the cluster as kubectl shows it, and what to try. */
export async function renderReadySandbox(
  paths: SandboxPaths,
  state: SandboxState,
): Promise<string> {
  const operator = state.operator;
  const operatorLine =
    operator === undefined
      ? 'operator: not started'
      : `operator: pid ${String(operator.pid)} ${isProcessAlive(operator) ? 'running' : 'NOT RUNNING (the supervisor restarts it)'}, http://127.0.0.1:${String(operator.httpPort)}${operator.restarts > 0 ? `, restarts: ${String(operator.restarts)}` : ''}`;
  const lines = [
    `Sandbox up since ${state.startedAt} (supervisor pid ${String(state.supervisor.pid)})`,
    `  kube-apiserver: ${state.server ?? '?'}   kubeconfig: ${paths.kubeconfig}`,
    `  ${operatorLine}`,
    `  Gluster nodes: ${(state.nodes ?? []).map((n) => `${n.name} ${n.ipv4}`).join(', ')}`,
    '',
  ];
  if (state.kubectl !== undefined) {
    lines.push(await renderClusterView(sandboxKubectl(state.kubectl, paths)), '');
  }
  lines.push(
    renderInstructions({
      paths,
      nodes: state.nodes ?? [],
      httpPort: operator?.httpPort,
      command: sandboxCommand(),
    }),
  );
  return lines.join('\n');
}
