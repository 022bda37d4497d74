import type { BrickSpec, GlusterVolumeSpec } from '../../api/gluster-volume.js';
import type { LayoutCounts } from '../../api/volume-layout-counts.js';
import { describeLayout, setSizeOf } from '../../api/volume-layout-counts.js';
import { resolveLayout } from './volume-layout.js';

export interface DesiredBrick {
  /** The spec address of its node in the referenced cluster. */
  readonly node: string;
  /** Absolute, without a trailing slash. */
  readonly path: string;
  /** Its set (0-based). */
  readonly set: number;
}

export interface DesiredBricks {
  /** Undefined when spec.layout is invalid. */
  readonly layout: LayoutCounts | undefined;
  readonly setSize: number;
  /** In volume order. Empty whenever there is an error: half a brick list is not the intent. */
  readonly bricks: readonly DesiredBrick[];
  /** Sentences a person can act on; empty when the spec is valid. */
  readonly errors: readonly string[];
}

/** `host:path`, as gluster's CLI takes a brick. */
export function brickName(brick: { readonly node: string; readonly path: string }): string {
  return `${brick.node}:${brick.path}`;
}

/** Trailing slashes dropped and runs of slashes collapsed: the same directory, one spelling. */
export function normalizeBrickPath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

const PLACEHOLDER = /\{[^}]*\}/g;
const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set(['{volume}', '{set}']);

/**
 * The bricks spec asks for: spec.bricks as they are, or spec.brickTemplate laid out over the
 * cluster's nodes (set k takes, for each of its bricks, the next node in the cluster's spec
 * order, wrapping around). Never throws: every problem is returned as an error, and any error
 * leaves the list empty.
 */
export function resolveDesiredBricks(input: {
  readonly spec: GlusterVolumeSpec;
  readonly volumeName: string;
  /** The referenced cluster's spec node addresses, in its spec order. */
  readonly clusterNodes: readonly string[];
}): DesiredBricks {
  const { spec, volumeName, clusterNodes } = input;
  const cluster = `GlusterCluster ${spec.clusterRef.name}`;
  const resolved = resolveLayout(spec.layout);
  if ('error' in resolved) {
    return { layout: undefined, setSize: 1, bricks: [], errors: [resolved.error] };
  }
  const layout = resolved.counts;
  const setSize = setSizeOf(layout);
  const failed = (errors: readonly string[]): DesiredBricks => ({
    layout,
    setSize,
    bricks: [],
    errors,
  });
  const setsOf = `sets of ${setSize} (${describeLayout(layout)})`;

  let listed: { readonly spec: BrickSpec; readonly where: string }[];
  if (spec.bricks !== undefined && spec.brickTemplate !== undefined) {
    return failed(['Set exactly one of spec.bricks and spec.brickTemplate, not both']);
  } else if (spec.bricks !== undefined) {
    if (spec.bricks.length === 0) {
      return failed([`spec.bricks is empty: a volume needs at least one set of ${setSize}`]);
    }
    if (spec.bricks.length % setSize !== 0) {
      return failed([
        `spec.bricks lists ${spec.bricks.length} bricks, which is not a whole number of ${setsOf}: add or remove bricks to make whole sets`,
      ]);
    }
    listed = spec.bricks.map((brick, index) => ({ spec: brick, where: `spec.bricks[${index}]` }));
  } else if (spec.brickTemplate !== undefined) {
    const { path, sets } = spec.brickTemplate;
    if (!Number.isInteger(sets) || sets < 1) {
      return failed(['spec.brickTemplate.sets must be a whole number of at least 1']);
    }
    const unknown = (path.match(PLACEHOLDER) ?? []).filter((p) => !KNOWN_PLACEHOLDERS.has(p));
    if (unknown.length > 0) {
      return failed([
        `spec.brickTemplate.path has ${unknown.join(', ')}: only {volume} and {set} are replaced`,
      ]);
    }
    if (clusterNodes.length < setSize) {
      return failed([
        `spec.brickTemplate needs at least ${setSize} nodes to put each set's bricks on distinct nodes, and ${cluster} has ${clusterNodes.length}: list the bricks in spec.bricks instead, or add nodes`,
      ]);
    }
    listed = [];
    for (let set = 0; set < sets; set++) {
      const setPath = path.replaceAll('{volume}', volumeName).replaceAll('{set}', String(set));
      for (let position = 0; position < setSize; position++) {
        const index = set * setSize + position;
        // The bound is checked above: there is always a node at this index.
        const node = clusterNodes[index % clusterNodes.length] ?? '';
        listed.push({
          spec: { node, path: setPath },
          where: `spec.brickTemplate (set ${set}, brick ${position})`,
        });
      }
    }
  } else {
    return failed(['Set one of spec.bricks and spec.brickTemplate']);
  }

  const errors: string[] = [];
  const members = new Set(clusterNodes);
  const seen = new Map<string, string>();
  const bricks = listed.map(({ spec: brick, where }, index): DesiredBrick => {
    const path = normalizeBrickPath(brick.path);
    const set = Math.floor(index / setSize);
    if (!path.startsWith('/')) {
      errors.push(
        `${where} (${brick.node}:${brick.path}) has a relative path: use an absolute one`,
      );
    }
    if (!members.has(brick.node)) {
      errors.push(
        `${where} is on ${brick.node}, which is not a node of ${cluster}: add the node there first, or choose one of its nodes`,
      );
    }
    const name = brickName({ node: brick.node, path });
    const first = seen.get(name);
    if (first !== undefined) {
      errors.push(
        spec.brickTemplate
          ? `${where} and ${first} are both ${name}: put {set} in spec.brickTemplate.path so that sets on the same node get distinct directories`
          : `${where} and ${first} are both ${name}: a directory can be one brick only`,
      );
    } else {
      seen.set(name, where);
    }
    return { node: brick.node, path, set };
  });
  // With allowForce a set may share a node (a test bed on one host): gluster takes it with force.
  if (!spec.allowForce) {
    for (let set = 0; set * setSize < bricks.length; set++) {
      const nodes = bricks.slice(set * setSize, (set + 1) * setSize).map((brick) => brick.node);
      const twice = [...new Set(nodes.filter((node, i) => nodes.indexOf(node) !== i))];
      if (twice.length > 0) {
        errors.push(
          `Set ${set} has more than one brick on ${twice.join(', ')}: a set's bricks must be on distinct nodes so that losing a node loses one brick of the set (allowForce permits it)`,
        );
      }
    }
  }
  return errors.length > 0 ? failed(errors) : { layout, setSize, bricks, errors: [] };
}
