import { readFileSync } from 'node:fs';
import { loadYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { SPEC_RULES } from '../../../src/api/spec-rules.js';
import { checkGlusterCluster } from '../../../src/cli/spec-validation.js';

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  pattern?: string;
  maxLength?: number;
  maxItems?: number;
  enum?: string[];
  /** client-node's typed CRD spells it so. */
  _enum?: string[];
}

const crd = loadYaml<{
  spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
}>(
  readFileSync(
    new URL('../../../crds/glusterclusters.glusteroperator.io.yaml', import.meta.url),
    'utf8',
  ),
);
const spec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.['spec'];

function at(path: string): Schema {
  let node: Schema | undefined = spec;
  for (const part of path.split('.')) node = part === '[]' ? node?.items : node?.properties?.[part];
  if (!node) throw new Error(`The CRD has no spec.${path}`);
  return node;
}

const aCluster = (spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'glusteroperator.io/v1alpha1',
  kind: 'GlusterCluster',
  metadata: { name: 'pool' },
  spec: { nodes: [{ address: '10.0.0.1' }], ssh: { secretRef: { name: 'ssh' } }, ...spec },
});

describe('checkGlusterCluster (plan -f)', () => {
  it('keeps the limits and patterns of the CRD', () => {
    expect(at('nodes').maxItems).to.equal(SPEC_RULES.maxNodes);
    expect(at('nodes.[].name')).to.include({
      pattern: SPEC_RULES.namePattern,
      maxLength: SPEC_RULES.nameMaxLength,
    });
    expect(at('nodes.[].zone')).to.include({
      pattern: SPEC_RULES.zonePattern,
      maxLength: SPEC_RULES.zoneMaxLength,
    });
    expect(at('ssh.user')).to.include({
      pattern: SPEC_RULES.userPattern,
      maxLength: SPEC_RULES.userMaxLength,
    });
    expect(at('ssh.secretRef.name')).to.include({
      pattern: SPEC_RULES.secretNamePattern,
      maxLength: SPEC_RULES.secretNameMaxLength,
    });
    expect(at('removalPolicy')._enum ?? at('removalPolicy').enum).to.deep.equal(
      SPEC_RULES.removalPolicies,
    );
    expect(at('deletionPolicy')._enum ?? at('deletionPolicy').enum).to.deep.equal(
      SPEC_RULES.deletionPolicies,
    );
    expect(at('resyncInterval').pattern).to.equal(SPEC_RULES.resyncPattern);
  });

  const cases: { name: string; value: unknown; problems: string[] }[] = [
    { name: 'a minimal valid cluster', value: aCluster({}), problems: [] },
    {
      name: 'every optional field set',
      value: aCluster({
        nodes: [
          {
            address: 'gluster-1.example.com',
            name: 'g1',
            zone: 'rack-a',
            allowForceDetach: false,
            reclaimFromOtherPool: true,
          },
          { address: 'fd42::2' },
        ],
        ssh: { user: 'gluster-admin', port: 2222, sudo: true, secretRef: { name: 'ssh' } },
        removalPolicy: 'Retain',
        deletionPolicy: 'Dissolve',
        paused: true,
        resyncInterval: '1h30m',
      }),
      problems: [],
    },
    { name: 'not an object', value: 'text', problems: ['the document is not an object'] },
    {
      name: 'no nodes and no inventory',
      value: aCluster({ nodes: undefined }),
      problems: ['set exactly one of spec.nodes and spec.inventory'],
    },
    {
      name: 'no nodes at all',
      value: aCluster({ nodes: [] }),
      problems: ['spec.nodes must have 1 to 64 nodes, not 0'],
    },
    {
      name: 'same node twice (case, trailing dot)',
      value: aCluster({ nodes: [{ address: 'A.example' }, { address: 'a.example.' }] }),
      problems: ['spec.nodes[1].address is the same node as spec.nodes[0]'],
    },
    {
      name: 'same IPv6 address spelled twice',
      value: aCluster({ nodes: [{ address: 'fd42::1' }, { address: 'FD42:0::1' }] }),
      problems: ['spec.nodes[1].address is the same node as spec.nodes[0]'],
    },
    {
      name: 'same name twice',
      value: aCluster({
        nodes: [
          { address: '10.0.0.1', name: 'a' },
          { address: '10.0.0.2', name: 'a' },
        ],
      }),
      problems: ['spec.nodes[1] has the same name as spec.nodes[0]'],
    },
    {
      name: 'a mistyped IPv4',
      value: aCluster({ nodes: [{ address: '10.0.0.256' }] }),
      problems: ['spec.nodes[0].address: "10.0.0.256" is not a valid IPv4 address'],
    },
    {
      name: 'port out of range',
      value: aCluster({ ssh: { secretRef: { name: 'ssh' }, port: 70000 } }),
      problems: ['spec.ssh.port must be an integer from 1 to 65535'],
    },
    {
      name: 'no secretRef',
      value: aCluster({ ssh: {} }),
      problems: ['spec.ssh.secretRef.name is required'],
    },
    {
      name: 'resync too short',
      value: aCluster({ resyncInterval: '5s' }),
      problems: [
        'spec.resyncInterval must be a duration such as 30s, 5m or 1h30m, from 10s to 24h',
      ],
    },
    {
      name: 'paused not a boolean',
      value: aCluster({ paused: 'yes' }),
      problems: ['spec.paused must be true or false'],
    },
    {
      name: 'wrong kind and apiVersion',
      value: { ...aCluster({}), apiVersion: 'v1', kind: 'ConfigMap' },
      problems: ['apiVersion must be glusteroperator.io/v1alpha1', 'kind must be GlusterCluster'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(checkGlusterCluster(tc.value)).to.deep.equal(tc.problems);
    });
  }
});
