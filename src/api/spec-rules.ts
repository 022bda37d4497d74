/**
 * The CRD's limits and patterns (crds/glusterclusters.glusteroperator.io.yaml), for what the
 * API server cannot check: a local manifest (the CLI's `plan -f`) and a node list read from an
 * inventory (src/core/desired-nodes.ts). test/unit/cli/spec-validation.test.ts keeps them equal
 * to the CRD's; addresses go through checkHostAddress, which a kube test keeps equal to the CEL.
 */
export const SPEC_RULES = {
  maxNodes: 64,
  namePattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  nameMaxLength: 63,
  zonePattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
  zoneMaxLength: 63,
  userPattern: '^[A-Za-z_][A-Za-z0-9._-]*$',
  userMaxLength: 32,
  secretNamePattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  secretNameMaxLength: 253,
  removalPolicies: ['Detach', 'Retain'],
  deletionPolicies: ['Retain', 'Dissolve'],
  resyncPattern: '^([0-9]+([.][0-9]+)?(ms|s|m|h))+$',
  resyncMinMs: 10_000,
  resyncMaxMs: 86_400_000,
} as const;
