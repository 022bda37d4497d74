import { readFileSync } from 'node:fs';
import { loadYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { API_GROUP, API_VERSION } from '../../../src/api/gluster-cluster.js';
import {
  VOLUME_KIND,
  VOLUME_PLURAL,
  type BrickHealStatus,
  type BrickSpec,
  type BrickStatus,
  type BrickTemplateSpec,
  type GlusterVolumeSpec,
  type GlusterVolumeStatus,
  type RebalanceStatus,
  type RemoveBrickStatus,
  type VolumeCondition,
  type VolumeLayout,
} from '../../../src/api/gluster-volume.js';
import { everyValue } from '../../support/gluster-cluster-samples.js';
import {
  COMPLETE_DISPERSE_SPEC,
  COMPLETE_REPLICATE_SPEC,
  COMPLETE_STATUS,
  CONDITION_STATUSES,
  DESIRED_STATES,
  EVERY_SPEC_FIELD,
  LAYOUT_TYPES,
  TRANSPORTS,
  VOLUME_DELETION_POLICIES,
  VOLUME_STATES,
} from '../../support/gluster-volume-samples.js';

/**
 * crds/glustervolumes.glusteroperator.io.yaml against src/api/gluster-volume.ts, read from the
 * files: the same fields, the same required ones, the same enums, and the brick node rules the
 * same as GlusterCluster's node address rules. test/kube/gluster-volume-crd.test.ts checks what the
 * API server does with them.
 */

interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
}

interface SchemaNode {
  type?: string;
  required?: string[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
  'x-kubernetes-validations'?: Rule[];
}

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; jsonPath: string; priority?: number }[];
      schema: { openAPIV3Schema: SchemaNode };
    }[];
  };
}

/**
 * A CRD as written. client-node's loadYaml types a document by its kind, and a typed CRD has its
 * schema's keys renamed (`_enum`, `x_kubernetes_validations`); under another kind it is left as
 * it is.
 */
const readCrd = (file: string): Crd =>
  loadYaml<Crd>(
    readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8').replace(
      /^kind: CustomResourceDefinition$/m,
      'kind: UntypedDocument',
    ),
  );
const crd = readCrd('glustervolumes.glusteroperator.io.yaml');
const clusterCrd = readCrd('glusterclusters.glusteroperator.io.yaml');
const version = crd.spec.versions[0]!;
const schema = version.schema.openAPIV3Schema;

function at(root: SchemaNode, path: string): SchemaNode {
  let node: SchemaNode | undefined = root;
  for (const part of path.split('.')) node = part === '[]' ? node?.items : node?.properties?.[part];
  if (!node) throw new Error(`The schema has no ${path}`);
  return node;
}

/** Every field path a schema declares, arrays as `[]`: `bricks[].node`. Maps are leaves. */
function schemaPaths(node: SchemaNode, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${key}`;
    paths.push(path);
    const element = child.type === 'array' ? child.items : child;
    const suffix = child.type === 'array' ? '[].' : '.';
    if (element) paths.push(...schemaPaths(element, `${path}${suffix}`));
  }
  return paths.sort();
}

/** Every field path of the values, in the same notation; maps (`options`) are leaves. */
function valuePaths(values: readonly unknown[], prefix = ''): string[] {
  const paths = new Set<string>();
  for (const value of values) {
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, child] of Object.entries(value)) {
      const path = `${prefix}${key}`;
      paths.add(path);
      if (key === 'options') continue;
      const elements: unknown[] = Array.isArray(child) ? child : [child];
      const suffix = Array.isArray(child) ? '[].' : '.';
      for (const sub of valuePaths(elements, `${path}${suffix}`)) paths.add(sub);
    }
  }
  return [...paths].sort();
}

/** The required keys of T, as a list the compiler holds to be exactly those. */
type RequiredKeys<T> = {
  [K in keyof T]-?: object extends Pick<T, K> ? never : K;
}[keyof T] &
  string;
const requiredOf = <T>() => everyValue<RequiredKeys<T>>();

/** Each object of the schema, by path, and the fields its TypeScript type requires. */
const REQUIRED: Record<string, readonly string[]> = {
  spec: requiredOf<GlusterVolumeSpec>()(['clusterRef', 'layout']),
  'spec.clusterRef': requiredOf<GlusterVolumeSpec['clusterRef']>()(['name']),
  'spec.layout': requiredOf<VolumeLayout>()(['type']),
  'spec.bricks.[]': requiredOf<BrickSpec>()(['node', 'path']),
  'spec.brickTemplate': requiredOf<BrickTemplateSpec>()(['path', 'sets']),
  status: requiredOf<GlusterVolumeStatus>()([]),
  'status.bricks.[]': requiredOf<BrickStatus>()(['name', 'path', 'index', 'set', 'online']),
  'status.bricks.[].heal': requiredOf<BrickHealStatus>()([
    'pending',
    'splitBrain',
    'possiblyHealing',
  ]),
  'status.rebalance': requiredOf<RebalanceStatus>()([
    'state',
    'filesMoved',
    'bytesMoved',
    'filesScanned',
    'failures',
    'skipped',
    'runtimeSeconds',
  ]),
  'status.removeBrick': requiredOf<RemoveBrickStatus>()([
    'state',
    'filesMoved',
    'bytesMoved',
    'filesScanned',
    'failures',
    'skipped',
    'runtimeSeconds',
    'bricks',
  ]),
  'status.conditions.[]': requiredOf<VolumeCondition>()([
    'type',
    'status',
    'reason',
    'message',
    'lastTransitionTime',
    'observedGeneration',
  ]),
};

/** The paths (in `at` notation) of every object in the schema that declares properties. */
function objectPaths(node: SchemaNode, prefix: string): string[] {
  const paths = node.properties ? [prefix] : [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    paths.push(...objectPaths(child, `${prefix}.${key}`));
  }
  if (node.items) paths.push(...objectPaths(node.items, `${prefix}.[]`));
  return paths;
}

describe('crds/glustervolumes.glusteroperator.io.yaml and src/api/gluster-volume.ts', () => {
  it('names the resource as the TypeScript module does, beside GlusterCluster', () => {
    expect(crd.metadata.name).to.equal(`${VOLUME_PLURAL}.${API_GROUP}`);
    expect(crd.spec.group).to.equal(API_GROUP);
    expect(crd.spec.scope).to.equal('Namespaced');
    expect(crd.spec.names.kind).to.equal(VOLUME_KIND);
    expect(crd.spec.names.plural).to.equal(VOLUME_PLURAL);
    expect(crd.spec.names.shortNames).to.deep.equal(['gv']);
    expect(crd.spec.names.categories).to.deep.equal(clusterCrd.spec.names.categories);
    expect(crd.spec.versions.map((v) => v.name)).to.deep.equal([API_VERSION]);
    expect(version.subresources?.status).to.deep.equal({});
  });

  it('declares every spec field of the type, and no other', () => {
    const specPaths = valuePaths([EVERY_SPEC_FIELD]);
    expect(schemaPaths(at(schema, 'spec'))).to.deep.equal(specPaths);
    // The two valid samples the kube test stores hold every field between them.
    expect(valuePaths([COMPLETE_REPLICATE_SPEC, COMPLETE_DISPERSE_SPEC])).to.deep.equal(specPaths);
  });

  it('declares every status field of the type, and no other', () => {
    expect(schemaPaths(at(schema, 'status'))).to.deep.equal(valuePaths([COMPLETE_STATUS]));
  });

  it('requires exactly the fields the type requires, in every object', () => {
    const objects = objectPaths(schema, '').map((path) => path.slice(1));
    const own = objects.filter((path) => path.startsWith('spec') || path.startsWith('status'));
    expect(own.sort()).to.deep.equal(Object.keys(REQUIRED).sort());
    for (const [path, required] of Object.entries(REQUIRED)) {
      expect([...(at(schema, path).required ?? [])].sort(), path).to.deep.equal(
        [...required].sort(),
      );
    }
  });

  it('has the enums of the type', () => {
    const enumOf = (path: string) => at(schema, path).enum;
    expect(enumOf('spec.layout.type')).to.have.members([...LAYOUT_TYPES]);
    expect(enumOf('spec.transport')).to.have.members([...TRANSPORTS]);
    expect(enumOf('spec.state')).to.have.members([...DESIRED_STATES]);
    expect(enumOf('spec.deletionPolicy')).to.have.members([...VOLUME_DELETION_POLICIES]);
    expect(enumOf('status.state')).to.have.members([...VOLUME_STATES]);
    expect(enumOf('status.conditions.[].status')).to.have.members([...CONDITION_STATUSES]);
  });

  it("checks brick nodes by GlusterCluster's node address rules, verbatim", () => {
    const node = at(schema, 'spec.bricks.[].node');
    expect(node['x-kubernetes-validations']).to.have.length(4);
    const address = at(
      clusterCrd.spec.versions[0]!.schema.openAPIV3Schema,
      'spec.nodes.[].address',
    );
    expect(node['x-kubernetes-validations']).to.deep.equal(address['x-kubernetes-validations']);
    expect([node.minLength, node.maxLength]).to.deep.equal([address.minLength, address.maxLength]);
  });

  it('gives every validation rule a message', () => {
    const missing: string[] = [];
    let rules = 0;
    const visit = (node: SchemaNode, path: string): void => {
      for (const rule of node['x-kubernetes-validations'] ?? []) {
        rules++;
        if (!rule.message) missing.push(`${path}: ${rule.rule}`);
      }
      for (const [key, child] of Object.entries(node.properties ?? {}))
        visit(child, `${path}.${key}`);
      if (node.items) visit(node.items, `${path}[]`);
      if (node.additionalProperties) visit(node.additionalProperties, `${path}{}`);
    };
    visit(schema, '');
    expect(missing).to.deep.equal([]);
    expect(rules).to.be.greaterThan(30);
  });

  it('prints TYPE, STATE, BRICKS-ONLINE, HEAL-PENDING, READY and AGE', () => {
    const columns = version.additionalPrinterColumns ?? [];
    expect(
      columns.filter((c) => (c.priority ?? 0) === 0).map((c) => [c.name.toUpperCase(), c.jsonPath]),
    ).to.deep.equal([
      ['TYPE', '.status.type'],
      ['STATE', '.status.state'],
      ['BRICKS-ONLINE', '.status.bricksOnline'],
      ['HEAL-PENDING', '.status.healPending'],
      ['READY', '.status.conditions[?(@.type=="Ready")].status'],
      ['AGE', '.metadata.creationTimestamp'],
    ]);
  });
});
