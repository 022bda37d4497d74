import type { SandboxPaths } from './sandbox-layout.js';
import { SANDBOX_RESYNC_INTERVAL } from './sandbox-manifest.js';
import { SANDBOX } from './sandbox-layout.js';
import type { SandboxNode } from './sandbox-state.js';

export interface InstructionsInput {
  readonly paths: SandboxPaths;
  readonly nodes: readonly SandboxNode[];
  readonly httpPort: number | undefined;
  /** How the user runs this tool from where they are: `scripts/sandbox` or an absolute path. */
  readonly command: string;
}

/**
 * What to try next, with commands that work as printed: the exact addresses, the JSON patches
 * (each with a `test` op, so a patch meant for n3 never removes another node). Pure.
 */
export function renderInstructions(input: InstructionsInput): string {
  const { paths, nodes, command } = input;
  const declared = nodes.slice(0, SANDBOX.declaredNodeCount);
  const spare = nodes[SANDBOX.declaredNodeCount];
  const last = declared.at(-1);
  const second = declared[1] ?? declared[0];
  const glc = `glc ${SANDBOX.clusterName}`;
  const lines = [
    'Try it:',
    `  export KUBECONFIG=${paths.kubeconfig}   # default namespace: ${SANDBOX.namespace}`,
    `  kubectl get glc -o wide -w     # READY MEMBERS CONNECTED as they change (in another terminal)`,
    `  kubectl describe ${glc}     # conditions, every node's state, the operator's events`,
    `  (without the export: ${command} kubectl get glc)`,
    '',
  ];
  if (spare !== undefined) {
    const value = JSON.stringify([
      { op: 'add', path: '/spec/nodes/-', value: { address: spare.ipv4, name: spare.name } },
    ]);
    lines.push(
      `Add the spare node ${spare.name} (${spare.ipv4}); the operator probes it into the pool:`,
      `  kubectl patch ${glc} --type=json -p '${value}'`,
    );
  }
  if (last !== undefined) {
    const index = declared.length - 1;
    const value = JSON.stringify([
      { op: 'test', path: `/spec/nodes/${String(index)}/name`, value: last.name },
      { op: 'remove', path: `/spec/nodes/${String(index)}` },
    ]);
    lines.push(
      `Remove ${last.name} (${last.ipv4}); it is detached, as it hosts no bricks:`,
      `  kubectl patch ${glc} --type=json -p '${value}'`,
    );
  }
  if (second !== undefined) {
    lines.push(
      `Stop glusterd on ${second.name}: within ${SANDBOX_RESYNC_INTERVAL} Ready turns False (GlusterdDown); the operator waits, it never detaches a node for being down:`,
      `  ${command} fault stop-glusterd ${second.name}`,
      `  ${command} fault start-glusterd ${second.name}     # and back to Ready`,
      `  (also: cut-link / restore-link, drop-outbound / restore-outbound)`,
      `Kill ${second.name}'s brick of the volume ${SANDBOX.volumeName}: at the next resync Degraded turns True (BrickOffline); start it again and watch it heal and turn Ready (kubectl get gv -w):`,
      `  ${command} fault kill-brick ${second.name}`,
      `  ${command} fault start-bricks ${second.name}`,
      `Run gluster on a node: ${command} exec ${second.name} gluster pool list`,
    );
  }
  lines.push(
    '',
    `Operator logs (JSON): ${paths.operatorLog}`,
    `Supervisor log:       ${paths.supervisorLog}`,
  );
  if (input.httpPort !== undefined) {
    const base = `http://127.0.0.1:${String(input.httpPort)}`;
    lines.push(`Operator endpoints:   ${base}/status  ${base}/metrics  ${base}/readyz`);
  }
  lines.push(`Status again:         ${command} status`, `Tear it all down:     ${command} down`);
  return lines.join('\n');
}
