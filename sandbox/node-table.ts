import type { GlusterClusterStatus } from '../src/api/gluster-cluster.js';

/**
 * status.nodes as a table, one row per spec node: what `kubectl get` cannot show of a list
 * (its printer columns are per resource). Pure.
 */
export function renderNodeTable(status: GlusterClusterStatus | undefined): string {
  const nodes = status?.nodes ?? [];
  if (nodes.length === 0) return '(no node status yet)';
  const rows = [
    ['NAME', 'ADDRESS', 'STATE', 'SSH', 'GLUSTERD', 'VERSION', 'MESSAGE'],
    ...nodes.map((node) => [
      node.name ?? node.address,
      node.address,
      node.state,
      node.sshReachable ? 'yes' : 'no',
      node.glusterdRunning ? 'running' : 'down',
      node.glusterVersion ?? '-',
      node.message ?? '',
    ]),
  ];
  return renderColumns(rows);
}

/** Left-aligned columns three spaces apart, as kubectl prints them; the last is not padded. */
export function renderColumns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
