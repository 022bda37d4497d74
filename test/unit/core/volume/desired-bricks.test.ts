import { expect } from 'chai';
import type { GlusterVolumeSpec } from '../../../../src/api/gluster-volume.js';
import { resolveDesiredBricks } from '../../../../src/core/volume/desired-bricks.js';
import { aVolumeSpec, bricksOn, nodes } from './volume-builders.js';

interface Case {
  readonly name: string;
  readonly spec: GlusterVolumeSpec;
  readonly clusterNodes?: readonly string[];
  /** `node:path set`, in order. */
  readonly bricks?: readonly string[];
  /** Each matched by one error, in order; none when absent. */
  readonly errors?: readonly RegExp[];
}

const cases: Case[] = [
  {
    name: 'spec.bricks as they are, in set order, paths without a trailing slash',
    spec: aVolumeSpec({ bricks: bricksOn(nodes(6), '/bricks//v/') }),
    clusterNodes: nodes(6),
    bricks: [
      'n1:/bricks/v 0',
      'n2:/bricks/v 0',
      'n3:/bricks/v 0',
      'n4:/bricks/v 1',
      'n5:/bricks/v 1',
      'n6:/bricks/v 1',
    ],
  },
  {
    name: 'a template over three nodes, two replica 3 sets: each set on all three, {set} in the path',
    spec: aVolumeSpec({
      bricks: undefined,
      brickTemplate: { path: '/bricks/{volume}/s{set}', sets: 2 },
    }),
    bricks: [
      'n1:/bricks/v/s0 0',
      'n2:/bricks/v/s0 0',
      'n3:/bricks/v/s0 0',
      'n1:/bricks/v/s1 1',
      'n2:/bricks/v/s1 1',
      'n3:/bricks/v/s1 1',
    ],
  },
  {
    name: 'a template over four nodes wraps around: set 1 starts where set 0 ended',
    spec: aVolumeSpec({ bricks: undefined, brickTemplate: { path: '/b/{set}', sets: 2 } }),
    clusterNodes: nodes(4),
    bricks: ['n1:/b/0 0', 'n2:/b/0 0', 'n3:/b/0 0', 'n4:/b/1 1', 'n1:/b/1 1', 'n2:/b/1 1'],
  },
  {
    name: 'a Distribute template: one brick per set, one node after the other',
    spec: aVolumeSpec({
      layout: { type: 'Distribute' },
      bricks: undefined,
      brickTemplate: { path: '/d/{volume}/{set}', sets: 3 },
    }),
    clusterNodes: nodes(2),
    bricks: ['n1:/d/v/0 0', 'n2:/d/v/1 1', 'n1:/d/v/2 2'],
  },
  {
    name: 'a template without {set} that comes back to a node: the same directory twice',
    spec: aVolumeSpec({
      layout: { type: 'Distribute' },
      bricks: undefined,
      brickTemplate: { path: '/d/{volume}', sets: 3 },
    }),
    clusterNodes: nodes(2),
    errors: [
      /spec\.brickTemplate \(set 2, brick 0\) and spec\.brickTemplate \(set 0, brick 0\) are both n1:\/d\/v: put \{set\}/,
    ],
  },
  {
    name: 'a Disperse 3 redundancy 1 template',
    spec: aVolumeSpec({
      layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
      bricks: undefined,
      brickTemplate: { path: '/e/{volume}', sets: 1 },
    }),
    bricks: ['n1:/e/v 0', 'n2:/e/v 0', 'n3:/e/v 0'],
  },
  {
    name: 'a count that is not a whole number of sets',
    spec: aVolumeSpec({ bricks: bricksOn(nodes(4)) }),
    clusterNodes: nodes(4),
    errors: [/spec\.bricks lists 4 bricks, which is not a whole number of sets of 3 \(replica 3\)/],
  },
  {
    name: 'two bricks of one set on the same node',
    spec: aVolumeSpec({
      bricks: [
        { node: 'n1', path: '/a' },
        { node: 'n2', path: '/a' },
        { node: 'n1', path: '/b' },
      ],
    }),
    errors: [/^Set 0 has more than one brick on n1: a set's bricks must be on distinct nodes/],
  },
  {
    name: 'two bricks of one set on the same node, with allowForce: taken (gluster needs force)',
    spec: aVolumeSpec({
      allowForce: true,
      bricks: [
        { node: 'n1', path: '/a' },
        { node: 'n1', path: '/b' },
        { node: 'n1', path: '/c' },
      ],
    }),
    bricks: ['n1:/a 0', 'n1:/b 0', 'n1:/c 0'],
  },
  {
    name: 'a brick on a node that is not in the cluster',
    spec: aVolumeSpec({ bricks: bricksOn(['n1', 'n2', 'n9']) }),
    errors: [/^spec\.bricks\[2\] is on n9, which is not a node of GlusterCluster pool/],
  },
  {
    name: 'a template with fewer cluster nodes than the set size',
    spec: aVolumeSpec({ bricks: undefined, brickTemplate: { path: '/b/{set}', sets: 1 } }),
    clusterNodes: nodes(2),
    errors: [
      /^spec\.brickTemplate needs at least 3 nodes to put each set's bricks on distinct nodes, and GlusterCluster pool has 2/,
    ],
  },
  {
    name: 'the same brick listed twice',
    spec: aVolumeSpec({
      layout: { type: 'Distribute' },
      bricks: [
        { node: 'n1', path: '/a' },
        { node: 'n1', path: '/a/' },
      ],
    }),
    errors: [/spec\.bricks\[1\] and spec\.bricks\[0\] are both n1:\/a/],
  },
  {
    name: 'a relative path',
    spec: aVolumeSpec({ layout: { type: 'Distribute' }, bricks: [{ node: 'n1', path: 'a' }] }),
    errors: [/relative path/],
  },
  {
    name: 'a template with an unknown placeholder',
    spec: aVolumeSpec({ bricks: undefined, brickTemplate: { path: '/b/{name}', sets: 1 } }),
    errors: [/has \{name\}: only \{volume\} and \{set\} are replaced/],
  },
  {
    name: 'a template of no sets',
    spec: aVolumeSpec({ bricks: undefined, brickTemplate: { path: '/b/{set}', sets: 0 } }),
    errors: [/sets must be a whole number of at least 1/],
  },
  {
    name: 'both bricks and a template',
    spec: aVolumeSpec({ brickTemplate: { path: '/b', sets: 1 } }),
    errors: [/exactly one of spec\.bricks and spec\.brickTemplate/],
  },
  {
    name: 'neither bricks nor a template',
    spec: aVolumeSpec({ bricks: undefined }),
    errors: [/Set one of spec\.bricks and spec\.brickTemplate/],
  },
  {
    name: 'an empty brick list',
    spec: aVolumeSpec({ bricks: [] }),
    errors: [/spec\.bricks is empty/],
  },
  {
    name: 'an arbiter without replica 3',
    spec: aVolumeSpec({ layout: { type: 'Replicate', replica: 2, arbiter: 1 } }),
    errors: [/arbiter: 1 needs replica: 3/],
  },
  {
    name: 'a redundancy of half the disperse count',
    spec: aVolumeSpec({ layout: { type: 'Disperse', disperse: 4, redundancy: 2 } }),
    errors: [/redundancy must be at least 1 and less than half of disperse \(4\)/],
  },
  {
    name: 'replica counts on a Disperse volume',
    spec: aVolumeSpec({ layout: { type: 'Disperse', disperse: 3, redundancy: 1, replica: 3 } }),
    errors: [/spec\.layout\.replica do not apply to a Disperse volume/],
  },
  {
    name: 'every problem of a list is reported at once',
    spec: aVolumeSpec({
      bricks: [
        ...bricksOn(['n1', 'n1', 'n9'], '/x'),
        { node: 'n2', path: 'y' },
        ...bricksOn(['n3', 'n1']),
      ],
    }),
    errors: [
      /\[1\] and spec\.bricks\[0\] are both n1:\/x/,
      /is on n9/,
      /relative path/,
      /Set 0 has more than one brick on n1/,
    ],
  },
];

describe('resolveDesiredBricks', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const desired = resolveDesiredBricks({
        spec: tc.spec,
        volumeName: 'v',
        clusterNodes: tc.clusterNodes ?? nodes(3),
      });
      const errors = tc.errors ?? [];
      expect(desired.errors).to.have.length(errors.length, desired.errors.join('\n'));
      errors.forEach((pattern, index) => expect(desired.errors[index]).to.match(pattern));
      if (errors.length > 0) expect(desired.bricks).to.deep.equal([]);
      if (tc.bricks) {
        expect(
          desired.bricks.map((brick) => `${brick.node}:${brick.path} ${brick.set}`),
        ).to.deep.equal(tc.bricks);
      }
    });
  }

  it('gives the set size of the layout', () => {
    const sizeOf = (layout: GlusterVolumeSpec['layout']) =>
      resolveDesiredBricks({
        spec: aVolumeSpec({ layout }),
        volumeName: 'v',
        clusterNodes: nodes(3),
      }).setSize;
    expect(sizeOf({ type: 'Replicate', replica: 3, arbiter: 1 })).to.equal(3);
    expect(sizeOf({ type: 'Replicate', replica: 2 })).to.equal(2);
    expect(sizeOf({ type: 'Disperse', disperse: 6, redundancy: 2 })).to.equal(6);
    expect(sizeOf({ type: 'Distribute' })).to.equal(1);
  });
});
