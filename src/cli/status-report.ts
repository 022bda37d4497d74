import { classify } from '../controller/gather-observation.js';
import type { MeshReport } from '../gluster/mesh-validation.js';
import type { PoolMember } from '../gluster/peer.js';
import type { PoolView } from '../gluster/pool-views.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { formatTable } from './table.js';

export interface NodeStatusReport {
  readonly address: string;
  readonly sshReachable: boolean | null;
  readonly glusterdRunning: boolean | null;
  readonly glusterVersion: string | null;
  readonly uuid: string | null;
  /** The node's own `pool list`, itself included (isLocal). */
  readonly members: readonly PoolMember[];
  /** Members it sees that are none of the nodes asked. */
  readonly unexpectedMembers: readonly { readonly hostname: string; readonly uuid: string }[];
  readonly error: string | null;
}

/** `status --output json`. */
export interface StatusReport {
  /** Every node answered and sees every other as Connected. */
  readonly isFullMesh: boolean;
  readonly nodes: readonly NodeStatusReport[];
  /** One per ordered pair: how `observer` sees `target`. */
  readonly links: MeshReport['links'];
  readonly problems: readonly string[];
}

export function buildStatusReport(
  views: readonly PoolView[],
  versions: ReadonlyMap<string, string>,
  mesh: MeshReport,
): StatusReport {
  const nodes = views.map((view): NodeStatusReport => {
    const observer = mesh.observers.find((entry) => entry.node === view.node);
    if (view.ok) {
      return {
        address: view.node,
        sshReachable: true,
        glusterdRunning: true,
        glusterVersion: versions.get(view.node) ?? null,
        uuid: view.uuid,
        members: view.members,
        unexpectedMembers: observer?.unexpectedMembers ?? [],
        error: null,
      };
    }
    // The operator's own reading of the failure: SSH, glusterd, or gluster's answer.
    const failure = classify(view.error);
    return {
      address: view.node,
      // SSH worked whenever something other than the transport failed.
      sshReachable: failure.kind !== 'ssh',
      glusterdRunning: failure.kind === 'glusterd' ? false : null,
      glusterVersion: versions.get(view.node) ?? null,
      uuid: null,
      members: [],
      unexpectedMembers: [],
      error: view.error.message,
    };
  });
  return { isFullMesh: mesh.isFullMesh, nodes, links: mesh.links, problems: mesh.problems };
}

/** 0: a full mesh; 3: some link is not Connected or some node could not be asked; 69: none answered. */
export function statusExitCode(report: StatusReport): ExitCode {
  if (report.isFullMesh) return EXIT.ok;
  if (report.nodes.every((node) => node.sshReachable === false)) return EXIT.unavailable;
  return EXIT.attention;
}

export function formatStatusText(report: StatusReport): string {
  const yesNo = (value: boolean | null, yes: string, no: string): string =>
    value === null ? '?' : value ? yes : no;
  const out: string[] = [
    formatTable(
      ['NODE', 'SSH', 'GLUSTERD', 'VERSION', 'UUID', 'MEMBERS'],
      report.nodes.map((node) => [
        node.address,
        yesNo(node.sshReachable, 'ok', 'failed'),
        yesNo(node.glusterdRunning, 'running', 'down'),
        node.glusterVersion ?? '-',
        node.uuid ?? '-',
        node.uuid === null ? '-' : String(node.members.length),
      ]),
    ),
  ];
  if (report.nodes.length > 1) {
    const addresses = report.nodes.map((node) => node.address);
    out.push('\nHow each node (row) sees each other node (column):\n');
    out.push(
      formatTable(
        ['', ...addresses],
        addresses.map((observer) => [
          observer,
          ...addresses.map((target) =>
            target === observer
              ? '-'
              : (report.links.find((link) => link.observer === observer && link.target === target)
                  ?.status ?? '?'),
          ),
        ]),
      ),
    );
  }
  const extras = report.nodes.filter((node) => node.unexpectedMembers.length > 0);
  if (extras.length > 0) {
    out.push('\nMembers that are none of these nodes:\n');
    for (const node of extras) {
      out.push(
        `  ${node.address} sees ${node.unexpectedMembers.map((member) => `${member.hostname} (${member.uuid})`).join(', ')}\n`,
      );
    }
  }
  out.push(
    report.isFullMesh
      ? '\nEvery node sees every other connected.\n'
      : `\nProblems:\n${report.problems.map((problem) => `  ${problem}\n`).join('')}`,
  );
  return out.join('');
}
