/** What the README at the top of a bundle says; every field is plain data. */
export interface ReadmeInput {
  readonly collectedAt: Date;
  readonly operatorVersion: string;
  readonly nodeVersion: string;
  /** `namespace/name`, `every GlusterCluster in namespace`, or undefined when not asked. */
  readonly kubernetesSubject?: string;
  readonly nodes: readonly { readonly label: string; readonly dir: string }[];
  readonly logTailLines: number;
  readonly operatorLogPaths: readonly string[];
  readonly problems: readonly string[];
  /** Paths inside the archive, README.txt included. */
  readonly files: readonly string[];
}

/**
 * The README.txt of a bundle: what was collected, when, by what, what could not be collected
 * and why, and how to read the rest. Written last, so its lists are complete.
 */
export function renderReadme(input: ReadmeInput): string {
  const lines: string[] = [
    'GlusterFS support bundle (gluster-operator)',
    '===========================================',
    '',
    `Collected at:  ${input.collectedAt.toISOString()}`,
    `Collected by:  gluster-operator ${input.operatorVersion} (Node.js ${input.nodeVersion})`,
    `Kubernetes:    ${input.kubernetesSubject ?? 'not collected (no Kubernetes access was given)'}`,
    `Nodes:         ${input.nodes.length === 0 ? 'none' : input.nodes.map((node) => node.label).join(', ')}`,
    `Log tails:     last ${input.logTailLines} lines`,
    '',
    // No secret-looking text here (no "Bearer" before a word): the README is redacted too.
    'Secrets were redacted from every file before it was written: private key blocks, JWTs,',
    'bearer-token headers, values of password/token/secret/api-key/authorization fields, and',
    'every value the collector was told is secret. Redacted text reads [REDACTED]. Secret',
    'objects are never read.',
    '',
    `Problems (${input.problems.length}): what could not be collected, and why`,
    ...(input.problems.length === 0
      ? ['  none']
      : input.problems.map((problem) => `  - ${problem}`)),
    '',
    'Layout',
    '  kubernetes/glustercluster.yaml  the GlusterCluster as stored (managedFields removed)',
    '  kubernetes/status.json          its status as the operator last wrote it',
    '  kubernetes/glustervolume.yaml   the GlusterVolumes of the namespace (managedFields removed)',
    '  kubernetes/events.txt           its Events, oldest first',
    '  kubernetes/operator-<pod>.log   the tail of each operator pod log',
    '  operator/<file>.log             the tail of local operator log files',
    '  nodes/<node>/                   what each node said itself:',
    '    pool-list.xml, peer-status.xml, volume-info.xml   gluster --xml output, unchanged',
    "    pool-list.json, peer-status.json, volume-info.json   gluster-operator's parsed view",
    '    gluster-version.txt, op-version.txt, glusterd.log (tail)',
    '    volumes/<volume>/status-detail.xml, heal-info-summary.xml   on the command node only:',
    '                                  gluster volume status <v> detail and (replicated or',
    '                                  dispersed volumes) volume heal <v> info summary, --xml',
    '    error.txt                     what failed on that node (or that it was unreachable)',
    ...(input.nodes.length === 0
      ? []
      : ['', 'Node directories', ...input.nodes.map((node) => `  ${node.dir}  ${node.label}`)]),
    ...(input.operatorLogPaths.length === 0
      ? []
      : ['', 'Local operator logs read', ...input.operatorLogPaths.map((file) => `  ${file}`)]),
    '',
    'Files',
    ...[...input.files].sort().map((file) => `  ${file}`),
    '',
  ];
  return lines.join('\n');
}
