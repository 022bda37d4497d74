import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { CustomObjectsApi, loadAllYaml } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../../src/api/gluster-cluster.js';
import { checkHostAddress } from '../../src/api/host-address.js';
import {
  VOLUME_KIND,
  VOLUME_PLURAL,
  type GlusterVolume,
  type GlusterVolumeSpec,
  type GlusterVolumeStatus,
} from '../../src/api/gluster-volume.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  COMPLETE_DISPERSE_SPEC,
  COMPLETE_REPLICATE_SPEC,
  COMPLETE_STATUS,
  EVERY_SPEC_FIELD,
} from '../support/gluster-volume-samples.js';
import { HOSTILE_STRINGS } from '../support/hostile-strings.js';
import {
  columns,
  itRefusesEach,
  itRefusesHostileStrings,
  refused,
} from '../support/crd-refusals.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';

/**
 * The GlusterVolume CRD (crds/glustervolumes.glusteroperator.io.yaml) as a real kube-apiserver
 * enforces it: the example manifest, defaults, every validation rule and its message, the rules
 * that make fields immutable, the worst case for the rules' cost, the schema against the
 * TypeScript types, and what kubectl shows.
 */

const EXAMPLE_FILE = new URL('../../deploy/examples/glustervolume-replica3.yaml', import.meta.url);

/** A resource as sent: loose on purpose, since most of the ones built here are invalid. */
interface Draft {
  apiVersion: string;
  kind: string;
  metadata: { name: string; resourceVersion?: string };
  spec: Record<string, unknown>;
}

type Fields = Record<string, unknown>;

const aBrick = (node: string, path = '/data/glusterfs/vol/brick0') => ({ node, path });
/** Bricks on `nodes`, set after set: brick i on nodes[i % nodes.length], in directory b<set>. */
const bricksOver = (count: number, setSize: number, nodes: readonly string[]) =>
  Array.from({ length: count }, (_, i) =>
    aBrick(nodes[i % nodes.length]!, `/data/glusterfs/vol/b${String(Math.floor(i / setSize))}`),
  );
const THREE_NODES = ['gluster-1.example', 'gluster-2.example', 'gluster-3.example'];
const nodesNamed = (count: number) =>
  Array.from({ length: count }, (_, i) => `gluster-${String(i + 1)}.example`);

/** Replica 3 over three nodes, changed by `spec` (a key set to undefined is left out). */
function aVolume(name: string, spec: Fields = {}): Draft {
  const fields: Fields = {
    clusterRef: { name: 'pool-a' },
    layout: { type: 'Replicate', replica: 3 },
    bricks: bricksOver(3, 3, THREE_NODES),
    ...spec,
  };
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: VOLUME_KIND,
    metadata: { name },
    spec: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  };
}

const withBricks = (...bricks: Fields[]) => ({ bricks });
const withNodes = (...nodes: string[]) => withBricks(...nodes.map((node) => aBrick(node)));
const withPath = (path: string) => withBricks(...THREE_NODES.map((node) => aBrick(node, path)));
const withTemplate = (path: string, sets = 1, layout?: Fields) => ({
  bricks: undefined,
  brickTemplate: { path, sets },
  ...(layout ? { layout } : {}),
});
const disperse = (size: number, redundancy?: number) => ({
  layout: { type: 'Disperse', disperse: size, ...(redundancy === undefined ? {} : { redundancy }) },
  bricks: bricksOver(size, size, nodesNamed(size)),
});

describe('GlusterVolume CRD on a real API server', function () {
  let cp: ControlPlane;
  let api: CustomObjectsApi;
  let namespace: string;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    const kc = loadKubeConfig(cp.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
    namespace = await createTestNamespace(kc, 'gv');
  });

  const ref = { group: API_GROUP, version: API_VERSION, plural: VOLUME_PLURAL };
  const create = (body: Draft | GlusterVolume): Promise<GlusterVolume> =>
    api.createNamespacedCustomObject({ ...ref, namespace, body }) as Promise<GlusterVolume>;
  /** Validated and defaulted exactly like a create, but not stored. */
  const dryRunCreate = (body: Draft): Promise<GlusterVolume> =>
    api.createNamespacedCustomObject({
      ...ref,
      namespace,
      body,
      dryRun: 'All',
    }) as Promise<GlusterVolume>;
  const get = (name: string): Promise<GlusterVolume> =>
    api.getNamespacedCustomObject({ ...ref, namespace, name }) as Promise<GlusterVolume>;
  /** Replaces the stored spec with `spec`, as of the version read; not stored. */
  const dryRunReplaceSpec = async (name: string, spec: Fields): Promise<GlusterVolume> => {
    const stored = await get(name);
    return api.replaceNamespacedCustomObject({
      ...ref,
      namespace,
      name,
      body: { ...stored, spec },
      dryRun: 'All',
    }) as Promise<GlusterVolume>;
  };
  const replaceStatus = (
    volume: GlusterVolume,
    status: GlusterVolumeStatus,
  ): Promise<GlusterVolume> =>
    api.replaceNamespacedCustomObjectStatus({
      ...ref,
      namespace,
      name: volume.metadata.name,
      body: { ...volume, status },
    }) as Promise<GlusterVolume>;

  describe('the example manifest and defaults', function () {
    it('accepts deploy/examples/glustervolume-replica3.yaml as it is, every field kept', async function () {
      // The first object of a new kind makes the API server add a quota evaluator (about 2 s).
      this.timeout(30_000);
      const applied = await cp.kubectl([
        'apply',
        '--namespace',
        namespace,
        '--filename',
        fileURLToPath(EXAMPLE_FILE),
      ]);
      expect(applied.exitCode, applied.stderr).to.equal(0);
      expect(applied.stdout).to.match(/glustervolume\.glusteroperator\.io\/shared created/);
      expect(applied.stdout).to.match(/glustervolume\.glusteroperator\.io\/archive created/);

      const [shared, archive] = loadAllYaml(await readFile(EXAMPLE_FILE, 'utf8')) as Draft[];
      // The first shows every field but bricks (the second document lists bricks).
      expect(Object.keys(shared!.spec).sort()).to.deep.equal(
        Object.keys(EVERY_SPEC_FIELD)
          .filter((key) => key !== 'bricks')
          .sort(),
      );
      expect((await get('shared')).spec).to.deep.equal(shared!.spec);
      expect(archive!.spec['bricks']).to.have.length(3);
      expect((await get('archive')).spec).to.deep.equal({
        ...archive!.spec,
        transport: 'tcp',
        state: 'Started',
        deletionPolicy: 'Retain',
        allowForce: false,
        paused: false,
      });
    });

    it('fills in every default of a minimal resource', async function () {
      const created = await dryRunCreate(aVolume('minimal'));
      expect(created.spec).to.deep.equal({
        clusterRef: { name: 'pool-a' },
        layout: { type: 'Replicate', replica: 3 },
        bricks: bricksOver(3, 3, THREE_NODES),
        transport: 'tcp',
        state: 'Started',
        deletionPolicy: 'Retain',
        allowForce: false,
        paused: false,
      });
    });
  });

  describe('accepts every valid layout', function () {
    const cases: { name: string; spec: Fields; metadataName?: string }[] = [
      { name: 'replica 3, one set', spec: {} },
      {
        name: 'replica 3, two sets over three nodes (one node in both sets)',
        spec: { bricks: bricksOver(6, 3, THREE_NODES) },
      },
      {
        name: 'replica 3 arbiter 1',
        spec: { layout: { type: 'Replicate', replica: 3, arbiter: 1 } },
      },
      {
        name: 'replica 2, two sets',
        spec: {
          layout: { type: 'Replicate', replica: 2 },
          bricks: bricksOver(4, 2, nodesNamed(2)),
        },
      },
      { name: 'disperse 3 redundancy 1', spec: disperse(3, 1) },
      {
        name: 'disperse 6 redundancy 2, two sets',
        spec: {
          layout: { type: 'Disperse', disperse: 6, redundancy: 2 },
          bricks: bricksOver(12, 6, nodesNamed(6)),
        },
      },
      { name: 'disperse 31 redundancy 15 (16 data bricks, the most)', spec: disperse(31, 15) },
      {
        name: 'distribute, two bricks on one node',
        spec: {
          layout: { type: 'Distribute' },
          bricks: [aBrick('gluster-1.example', '/data/a'), aBrick('gluster-1.example', '/data/b')],
        },
      },
      {
        name: 'brickTemplate, replica 3',
        spec: withTemplate('/data/glusterfs/{volume}/brick{set}', 2),
      },
      {
        name: 'brickTemplate, replica 3 arbiter 1, 32 sets (96 bricks)',
        spec: withTemplate('/data/{volume}/{set}', 32, {
          type: 'Replicate',
          replica: 3,
          arbiter: 1,
        }),
      },
      {
        name: 'brickTemplate, disperse 4 redundancy 1',
        spec: withTemplate('/bricks/{set}/{volume}', 3, {
          type: 'Disperse',
          disperse: 4,
          redundancy: 1,
        }),
      },
      {
        name: 'brickTemplate, distribute, no placeholder',
        spec: withTemplate('/srv/gluster', 5, { type: 'Distribute' }),
      },
      {
        name: 'IPv4, IPv6 and host name nodes',
        spec: withNodes('10.250.0.11', 'fd42:676f:70::12', 'Gluster-3.Example.'),
      },
      {
        name: '96 bricks: replica 3, 32 sets',
        spec: { bricks: bricksOver(96, 3, THREE_NODES) },
      },
      {
        name: 'two bricks of a set on one node, with allowForce',
        spec: {
          ...withBricks(
            aBrick('gluster-1.example', '/data/a'),
            aBrick('GLUSTER-1.example', '/data/b'),
            aBrick('gluster-2.example', '/data/a'),
          ),
          allowForce: true,
        },
      },
      {
        name: 'a volumeName of 64 letters, digits, - and _',
        spec: { volumeName: `_vol-1_${'a'.repeat(57)}` },
      },
      {
        name: 'a metadata.name that is not a volume name, with a volumeName',
        spec: { volumeName: 'vol_a' },
        metadataName: 'vol.a',
      },
      {
        name: 'a reserved word as metadata.name, with a volumeName',
        spec: { volumeName: 'everything' },
        metadataName: 'all',
      },
      {
        name: '64 options, each value 1024 characters of one line',
        spec: {
          options: Object.fromEntries(
            Array.from({ length: 64 }, (_, i) => [
              `performance.option_${String(i)}-x`,
              `10.0.0.*,"quoted" $x ;|&`.padEnd(1024, 'v'),
            ]),
          ),
        },
      },
      {
        name: 'every transport, state and deletionPolicy',
        spec: { transport: 'tcp,rdma', state: 'Stopped', deletionPolicy: 'Delete', paused: true },
      },
      {
        name: 'paths at the edges: dots and dashes in names, one segment',
        spec: withBricks(
          aBrick('gluster-1.example', '/.hidden/..x/x../-b_1.2'),
          aBrick('gluster-2.example', '/b'),
          aBrick('gluster-3.example', `/${'p'.repeat(200)}`),
        ),
      },
    ];

    for (const tc of cases) {
      it(tc.name, async function () {
        const body = aVolume(tc.metadataName ?? 'valid', tc.spec);
        const created = await dryRunCreate(body);
        for (const [key, value] of Object.entries(body.spec)) {
          expect(created.spec[key as keyof GlusterVolumeSpec], key).to.deep.equal(value);
        }
      });
    }

    it('a brick node exactly when checkHostAddress accepts it', async function () {
      for (const node of [
        '10.250.1.11',
        'fd42::11',
        '::ffff:192.0.2.1',
        'gluster-1.storage.example.com',
        'node.example.',
        `${'a'.repeat(63)}.example`,
        '256.256.256.256',
        '10.11.a',
        '[fd42::1]',
        'fe80::1%eth0',
        `${'a'.repeat(64)}.example`,
        'n_1',
        '-n1',
      ]) {
        const body = aVolume('node', withNodes(node, 'other-1.example', 'other-2.example'));
        if (checkHostAddress(node).valid) {
          await dryRunCreate(body);
        } else {
          expect((await refused(dryRunCreate(body))).message, node).to.match(
            /spec\.bricks\[0\]\.node: Invalid value/,
          );
        }
      }
    });

    it('the worst case for the rules: the longest names at the most bricks and options', async function () {
      // Each brick's volume name, node and path are 250 characters together, the most allowed.
      const volumeName = 'v'.repeat(64);
      const options = Object.fromEntries(
        Array.from({ length: 64 }, (_, i) => [
          `${'k'.repeat(60)}.${'o'.repeat(60)}${String(i)}`,
          'v'.repeat(1024),
        ]),
      );
      // 93 bricks, 3 sets of 31 on 31 nodes with long host names (same-set checks: 31 per set).
      const hostNode = (i: number) =>
        `n${String(i).padStart(2, '0')}${'a'.repeat(60)}.${'b'.repeat(50)}.example`;
      const hostBricks = Array.from({ length: 93 }, (_, i) => {
        const node = hostNode(i % 31);
        return aBrick(node, `/${String(i).padStart(2, '0')}`.padEnd(250 - 64 - node.length, 'p'));
      });
      await dryRunCreate(
        aVolume('worst-hosts', {
          volumeName,
          layout: { type: 'Disperse', disperse: 31, redundancy: 15 },
          bricks: hostBricks,
          options,
        }),
      );
      // 96 bricks on 96 IPv6 addresses (compared by value), every path as long as allowed.
      const ipBricks = Array.from({ length: 96 }, (_, i) => {
        const node = `fd42:676f:70:1:2:3:4:${i.toString(16)}`;
        return aBrick(node, `/${String(i).padStart(2, '0')}`.padEnd(250 - 64 - node.length, 'p'));
      });
      await dryRunCreate(
        aVolume('worst-ips', {
          volumeName,
          layout: { type: 'Distribute' },
          bricks: ipBricks,
          options,
        }),
      );
      // And the largest body the schema allows is refused with the rules' message, not by the
      // cost budget: 96 paths of 4096 characters.
      const refusal = await refused(
        dryRunCreate(
          aVolume('worst-refused', {
            layout: { type: 'Distribute' },
            bricks: Array.from({ length: 96 }, (_, i) =>
              aBrick('gluster-1.example', `/${String(i).padStart(2, '0')}`.padEnd(4096, 'p')),
            ),
            options,
          }),
        ),
      );
      expect(refusal.message).to.match(/bricks\[0\]: the volume name, node and path are more/);
      expect(refusal.message).not.to.match(/budget/);
    });
  });

  describe('rejects an invalid resource with a message that names the problem', function () {
    const shellMetacharacters = [';', '$(id)', '`id`', '|', '&', '>', '<', '*', '?', '"', "'"];
    const cases: { name: string; spec: Fields; metadataName?: string; message: RegExp }[] = [
      // Layout.
      {
        name: 'an unknown layout type',
        spec: { layout: { type: 'Stripe' } },
        message: /spec\.layout\.type: Unsupported value: "Stripe": supported values: "Replicate"/,
      },
      {
        name: 'Replicate without replica',
        spec: { layout: { type: 'Replicate' } },
        message: /spec\.layout: Invalid value: .*a Replicate volume needs replica/,
      },
      {
        name: 'replica 1',
        spec: { layout: { type: 'Replicate', replica: 1 } },
        message: /spec\.layout\.replica: Invalid value: 1: .*greater than or equal to 2/,
      },
      {
        name: 'replica 4',
        spec: { layout: { type: 'Replicate', replica: 4 } },
        message: /spec\.layout\.replica: Invalid value: 4: .*less than or equal to 3/,
      },
      {
        name: 'replica with Distribute',
        spec: { layout: { type: 'Distribute', replica: 3 } },
        message: /spec\.layout: Invalid value: .*replica is for Replicate volumes only, not Distri/,
      },
      {
        name: 'arbiter with replica 2',
        spec: { layout: { type: 'Replicate', replica: 2, arbiter: 1 }, ...withNodes('a1', 'a2') },
        message: /spec\.layout: Invalid value: .*arbiter needs type Replicate and replica 3/,
      },
      {
        name: 'arbiter with Disperse',
        spec: {
          ...disperse(3, 1),
          layout: { type: 'Disperse', disperse: 3, redundancy: 1, arbiter: 1 },
        },
        message: /spec\.layout: Invalid value: .*arbiter needs type Replicate and replica 3/,
      },
      {
        name: 'arbiter 2',
        spec: { layout: { type: 'Replicate', replica: 3, arbiter: 2 } },
        message: /spec\.layout\.arbiter: Invalid value: 2: .*less than or equal to 1/,
      },
      {
        name: 'Disperse without redundancy',
        spec: disperse(3),
        message:
          /spec\.layout: Invalid value: .*a Disperse volume needs disperse .* and redundancy/,
      },
      {
        name: 'disperse with Replicate',
        spec: { layout: { type: 'Replicate', replica: 3, disperse: 3, redundancy: 1 } },
        message:
          /spec\.layout: Invalid value: .*disperse and redundancy are for Disperse volumes only, not Replicate/,
      },
      {
        name: 'disperse 2',
        spec: disperse(2, 1),
        message: /spec\.layout\.disperse: Invalid value: 2: .*greater than or equal to 3/,
      },
      {
        name: 'disperse 32',
        spec: disperse(32, 15),
        message: /spec\.layout\.disperse: Invalid value: 32: .*less than or equal to 31/,
      },
      {
        name: 'redundancy too high: disperse 4 redundancy 2',
        spec: disperse(4, 2),
        message:
          /spec\.layout: Invalid value: .*redundancy 2 is too high for disperse 4: it must be less than half of disperse, at most 1/,
      },
      {
        name: 'redundancy too high: disperse 3 redundancy 2',
        spec: disperse(3, 2),
        message: /redundancy 2 is too high for disperse 3: .* at most 1/,
      },
      {
        name: 'more than 16 data bricks: disperse 20 redundancy 3',
        spec: disperse(20, 3),
        message: /spec\.layout: Invalid value: .*disperse minus redundancy .* must be at most 16/,
      },
      // Bricks and brickTemplate.
      {
        name: 'both bricks and brickTemplate',
        spec: { brickTemplate: { path: '/data/{volume}', sets: 1 } },
        message: /spec: Invalid value: .*set exactly one of bricks .* and brickTemplate/,
      },
      {
        name: 'neither bricks nor brickTemplate',
        spec: { bricks: undefined },
        message: /spec: Invalid value: .*set exactly one of bricks .* and brickTemplate/,
      },
      {
        name: 'an empty brick list',
        spec: { bricks: [] },
        message: /spec\.bricks: Invalid value: 0: .*should have at least 1 items/,
      },
      {
        name: '97 bricks',
        spec: { layout: { type: 'Distribute' }, bricks: bricksOver(97, 1, nodesNamed(97)) },
        message: /spec\.bricks: Too many: 97: must have at most 96 items/,
      },
      {
        name: 'replica 3 with 4 bricks',
        spec: { bricks: bricksOver(4, 3, nodesNamed(4)) },
        message:
          /spec\.bricks: Invalid value: .*4 bricks do not make whole sets of 3 \(replica\): list a multiple of 3/,
      },
      {
        name: 'replica 2 with 3 bricks',
        spec: { layout: { type: 'Replicate', replica: 2 } },
        message: /3 bricks do not make whole sets of 2 \(replica\)/,
      },
      {
        name: 'disperse 3 with 5 bricks',
        spec: { ...disperse(3, 1), bricks: bricksOver(5, 3, nodesNamed(5)) },
        message: /spec\.bricks: Invalid value: .*5 bricks do not make whole sets of 3 \(disperse\)/,
      },
      {
        name: 'two bricks of a replica set on one node',
        spec: withNodes('gluster-1.example', 'gluster-1.example', 'gluster-2.example'),
        message:
          /spec\.bricks: Invalid value: .*bricks\[1\] is on node gluster-1\.example, as an earlier brick of its set \(set 0: bricks\[0\] to bricks\[2\]\): put the bricks of each set on different nodes/,
      },
      {
        name: 'two bricks of a set on one node written in two cases, with a trailing dot',
        spec: withNodes('Gluster-1.Example', 'gluster-2.example', 'gluster-1.example.'),
        message: /bricks\[2\] is on node gluster-1\.example\., as an earlier brick of its set/,
      },
      {
        name: 'two bricks of a set on one IPv6 address written two ways',
        spec: withNodes('fd42::11', 'fd42::12', 'FD42:0:0::11'),
        message: /bricks\[2\] is on node FD42:0:0::11, as an earlier brick of its set/,
      },
      {
        name: 'two bricks of the second set on one node',
        spec: withBricks(
          ...bricksOver(3, 3, THREE_NODES),
          aBrick('gluster-1.example', '/x/1'),
          aBrick('gluster-2.example', '/x/1'),
          aBrick('gluster-2.example', '/x/2'),
        ),
        message:
          /bricks\[5\] is on node gluster-2\.example, as an earlier brick of its set \(set 1: bricks\[3\] to bricks\[5\]\)/,
      },
      {
        name: 'two bricks of a disperse set on one node',
        spec: {
          ...disperse(3, 1),
          bricks: [aBrick('d1'), aBrick('d2', '/a'), aBrick('d1', '/b')],
        },
        message: /bricks\[2\] is on node d1, as an earlier brick of its set \(set 0/,
      },
      {
        name: 'the same node and path twice, in two sets',
        spec: withBricks(...bricksOver(3, 3, THREE_NODES), ...bricksOver(3, 3, THREE_NODES)),
        message:
          /spec\.bricks: Invalid value: .*bricks\[3\] \(gluster-1\.example \/data\/glusterfs\/vol\/b0\) repeats an earlier brick: each brick must be a different node and path/,
      },
      {
        name: 'the same node (in another case) and path twice, Distribute',
        spec: {
          layout: { type: 'Distribute' },
          bricks: [aBrick('gluster-1.example', '/d'), aBrick('GLUSTER-1.example.', '/d')],
        },
        message: /bricks\[1\] \(GLUSTER-1\.example\. \/d\) repeats an earlier brick/,
      },
      {
        name: 'an invalid node',
        spec: withNodes('gluster-1.example;reboot', 'a2', 'a3'),
        message:
          /spec\.bricks\[0\]\.node: Invalid value: .*only letters, digits, '\.', '-' and ':'/,
      },
      {
        name: 'a relative path',
        spec: withPath('data/brick'),
        message: /spec\.bricks\[0\]\.path: Invalid value: "data\/brick": must be an absolute path/,
      },
      {
        name: 'a .. segment',
        spec: withPath('/data/../etc'),
        message: /spec\.bricks\[0\]\.path: Invalid value: .*must not hold a '\.' or '\.\.' segment/,
      },
      {
        name: 'a trailing .. segment',
        spec: withPath('/data/..'),
        message: /must not hold a '\.' or '\.\.' segment/,
      },
      {
        name: 'a . segment',
        spec: withPath('/data/./brick'),
        message: /must not hold a '\.' or '\.\.' segment/,
      },
      ...shellMetacharacters.map((character) => ({
        name: `a path with ${character}`,
        spec: withPath(`/data/brick${character}x`),
        message:
          /spec\.bricks\[0\]\.path: Invalid value: .*may hold only letters, digits, '\.', '_', '-' and '\/': no whitespace, shell metacharacters or ':'/,
      })),
      ...[' ', '\t', '\n'].map((space) => ({
        name: `a path with ${JSON.stringify(space)}`,
        spec: withPath(`/data/my${space}brick`),
        message: /spec\.bricks\[0\]\.path: Invalid value: .*may hold only letters, digits/,
      })),
      {
        name: "a path with ':' (gluster splits host:path at the last one)",
        spec: withPath('/data/brick:1'),
        message: /spec\.bricks\[0\]\.path: Invalid value: .*may hold only letters, digits/,
      },
      {
        name: 'a trailing slash',
        spec: withPath('/data/brick/'),
        message: /spec\.bricks\[0\]\.path: Invalid value: "\/data\/brick\/": must not end with \//,
      },
      {
        name: 'the path /',
        spec: withPath('/'),
        message: /spec\.bricks\[0\]\.path: Invalid value: "\/": cannot be \/ itself/,
      },
      {
        name: 'an empty segment',
        spec: withPath('/data//brick'),
        message: /spec\.bricks\[0\]\.path: Invalid value: .*must not hold an empty segment/,
      },
      {
        name: 'a path of 4097 characters',
        spec: withPath(`/${'p'.repeat(4096)}`),
        message: /spec\.bricks\[0\]\.path: Too long: may not be more than 4096 bytes/,
      },
      {
        name: 'volume name, node and path of 251 characters together',
        spec: withBricks(
          aBrick('gluster-1.example', `/${'p'.repeat(250 - 17 - 'valid'.length)}`),
          aBrick('gluster-2.example'),
          aBrick('gluster-3.example'),
        ),
        message:
          /spec\.bricks: Invalid value: .*bricks\[0\]: the volume name, node and path are more than 250 characters together: glusterd names a file <volume>\.<node>\.<path>\.vol/,
      },
      {
        name: 'a template with a relative path',
        spec: withTemplate('data/{volume}'),
        message: /spec\.brickTemplate\.path: Invalid value: .*must be an absolute path/,
      },
      {
        name: 'a template with an unknown placeholder',
        spec: withTemplate('/data/{name}'),
        message:
          /spec\.brickTemplate\.path: Invalid value: .*may hold only letters, digits, '\.', '_', '-' and '\/', and the placeholders \{volume\} and \{set\}/,
      },
      {
        name: 'a template with a shell metacharacter',
        spec: withTemplate('/data/{volume};x'),
        message: /spec\.brickTemplate\.path: Invalid value: .*and the placeholders/,
      },
      {
        name: 'a template with a .. segment',
        spec: withTemplate('/data/{volume}/..'),
        message: /spec\.brickTemplate\.path: Invalid value: .*must not hold a '\.' or '\.\.'/,
      },
      {
        name: 'a template with a trailing slash',
        spec: withTemplate('/data/{volume}/'),
        message: /spec\.brickTemplate\.path: Invalid value: .*must not end with \//,
      },
      {
        name: 'a template of 0 sets',
        spec: withTemplate('/data/{volume}/{set}', 0),
        message: /spec\.brickTemplate\.sets: Invalid value: 0: .*greater than or equal to 1/,
      },
      {
        name: 'a template of 33 sets',
        spec: withTemplate('/data/{volume}/{set}', 33, { type: 'Distribute' }),
        message: /spec\.brickTemplate\.sets: Invalid value: 33: .*less than or equal to 32/,
      },
      {
        name: 'a template of more than 96 bricks',
        spec: withTemplate('/data/{volume}/{set}', 17, {
          type: 'Disperse',
          disperse: 6,
          redundancy: 2,
        }),
        message:
          /spec\.brickTemplate\.sets: Invalid value: .*brickTemplate makes 102 bricks \(17 sets of 6\): a volume has 96 at most/,
      },
      // Names.
      ...['-vol', 'vol.1', 'vol 1', 'vol/1', 'völ'].map((volumeName) => ({
        name: `volumeName ${JSON.stringify(volumeName)}`,
        spec: { volumeName },
        message:
          /spec\.volumeName: Invalid value: .*must be letters, digits, '-' and '_', not starting with '-'/,
      })),
      ...['all', 'force', 'volume', 'activate-on-create'].map((volumeName) => ({
        name: `volumeName ${volumeName}, a word gluster reserves`,
        spec: { volumeName },
        message: /spec\.volumeName: Invalid value: .*is a word gluster reserves/,
      })),
      {
        name: 'a volumeName of 65 characters',
        spec: { volumeName: 'v'.repeat(65) },
        message: /spec\.volumeName: Too long: may not be more than 64 bytes/,
      },
      {
        name: 'no volumeName, and a metadata.name with a dot',
        spec: {},
        metadataName: 'vol.a',
        message:
          /spec\.volumeName: Invalid value: .*metadata\.name vol\.a cannot be the gluster volume name \(a volume name has only letters, digits, '-' and '_'\): set spec\.volumeName/,
      },
      {
        name: 'no volumeName, and a reserved word as metadata.name',
        spec: {},
        metadataName: 'all',
        message:
          /metadata\.name all cannot be the gluster volume name \(gluster reserves that word\): set spec\.volumeName/,
      },
      {
        name: 'no volumeName, and a metadata.name of 65 characters',
        spec: {},
        metadataName: 'v'.repeat(65),
        message: /cannot be the gluster volume name \(it is longer than 64 characters\)/,
      },
      {
        name: 'no clusterRef',
        spec: { clusterRef: undefined },
        message: /spec\.clusterRef: Required value/,
      },
      {
        name: 'a clusterRef without a name',
        spec: { clusterRef: {} },
        message: /spec\.clusterRef\.name: Required value/,
      },
      {
        name: 'a clusterRef name that is not a DNS subdomain',
        spec: { clusterRef: { name: 'Pool_A' } },
        message: /spec\.clusterRef\.name: Invalid value: "Pool_A": .*should match/,
      },
      // Options.
      ...[
        'Performance.Cache-Size',
        'cachesize',
        'performance..cache',
        'performance.cache size',
      ].map((key) => ({
        name: `option key ${JSON.stringify(key)}`,
        spec: { options: { 'cluster.quorum-type': 'auto', [key]: '1' } },
        message: new RegExp(
          `spec\\.options: Invalid value: .*option ${key.replace(/\./g, '\\.')} is not a gluster option name such as performance\\.cache-size`,
        ),
      })),
      ...['a\nb', 'line\r', 'tab\there'].map((value) => ({
        name: `an option value with ${JSON.stringify(value)}`,
        spec: { options: { 'performance.cache-size': value } },
        message:
          /spec\.options\[performance\.cache-size\]: Invalid value: .*must be one line without control characters/,
      })),
      {
        name: 'an option value of 1025 characters',
        spec: { options: { 'performance.cache-size': 'v'.repeat(1025) } },
        message:
          /spec\.options\.performance\.cache-size: Too long: may not be more than 1024 bytes/,
      },
      {
        name: '65 options',
        spec: {
          options: Object.fromEntries(
            Array.from({ length: 65 }, (_, i) => [`a.b${String(i)}`, 'on']),
          ),
        },
        message: /spec\.options: Too many: 65: must have at most 64 items/,
      },
      // The rest.
      {
        name: 'transport udp',
        spec: { transport: 'udp' },
        message:
          /spec\.transport: Unsupported value: "udp": supported values: "tcp", "rdma", "tcp,rdma"/,
      },
      {
        name: 'state Running',
        spec: { state: 'Running' },
        message:
          /spec\.state: Unsupported value: "Running": supported values: "Started", "Stopped"/,
      },
      {
        name: 'deletionPolicy Dissolve',
        spec: { deletionPolicy: 'Dissolve' },
        message:
          /spec\.deletionPolicy: Unsupported value: "Dissolve": supported values: "Retain", "Delete"/,
      },
      {
        name: 'allowForce as a string',
        spec: { allowForce: 'yes' },
        message: /spec\.allowForce: Invalid value: "string": .*must be of type boolean/,
      },
      {
        name: 'paused as a string',
        spec: { paused: 'no' },
        message: /spec\.paused: Invalid value: "string": .*must be of type boolean/,
      },
    ];

    itRefusesEach(cases, (spec, metadataName) =>
      dryRunCreate(aVolume(metadataName ?? 'valid', spec)),
    );

    // Each string field that reaches a command line, with how to set it: every hostile string is
    // refused there.
    const stringFields: { path: string; spec: (value: string) => Fields }[] = [
      { path: 'spec.bricks[0].node', spec: (node) => withNodes(node, 'a2', 'a3') },
      {
        path: 'spec.bricks[0].path',
        spec: (path) =>
          withBricks(aBrick('a1', path), aBrick('a2', '/data/b'), aBrick('a3', '/data/b')),
      },
      { path: 'spec.brickTemplate.path', spec: (path) => withTemplate(path) },
      { path: 'spec.volumeName', spec: (volumeName) => ({ volumeName }) },
      { path: 'spec.clusterRef.name', spec: (name) => ({ clusterRef: { name } }) },
      { path: 'spec.options', spec: (key) => ({ options: { [key]: 'on' } }) },
    ];
    itRefusesHostileStrings(stringFields, (spec) => dryRunCreate(aVolume('hostile', spec)));

    it('option values: every string a shell would interpret is kept, but for control characters', async function () {
      for (const value of HOSTILE_STRINGS) {
        const body = aVolume('hostile-value', { options: { 'auth.allow': value } });
        const hasControl = Array.from({ length: value.length }, (_, i) => value.charCodeAt(i)).some(
          (code) => code < 0x20 || code === 0x7f,
        );
        if (hasControl) {
          expect((await refused(dryRunCreate(body))).message, JSON.stringify(value)).to.match(
            /spec\.options\[auth\.allow\]: Invalid value: .*must be one line/,
          );
        } else {
          const created = await dryRunCreate(body);
          expect(created.spec.options, JSON.stringify(value)).to.deep.equal({
            'auth.allow': value,
          });
        }
      }
    });
  });

  describe('refuses changes to what cannot change once the volume exists', function () {
    let stored = 0;
    /** Stores a volume made of `spec`, returns its name. */
    const aStoredVolume = async (spec: Fields = {}): Promise<string> => {
      const name = `immutable-${String(++stored)}`;
      await create(aVolume(name, spec));
      return name;
    };
    const specOf = (name: string, spec: Fields) => aVolume(name, spec).spec;

    const refusedChanges: { name: string; from: Fields; to: Fields; message: RegExp }[] = [
      {
        name: 'clusterRef',
        from: {},
        to: { clusterRef: { name: 'pool-b' } },
        message:
          /spec\.clusterRef: Invalid value: .*clusterRef cannot be changed: a volume does not move to another pool/,
      },
      {
        name: 'volumeName, set where there was none',
        from: {},
        to: { volumeName: 'other' },
        message:
          /spec\.volumeName: Invalid value: .*the gluster volume name \(spec\.volumeName, else metadata\.name\) cannot be changed: gluster cannot rename a volume/,
      },
      {
        name: 'volumeName, changed',
        from: { volumeName: 'data1' },
        to: { volumeName: 'data2' },
        message: /spec\.volumeName: Invalid value: .*cannot be changed: gluster cannot rename/,
      },
      {
        name: 'volumeName, removed',
        from: { volumeName: 'data1' },
        to: {},
        message: /spec\.volumeName: Invalid value: .*cannot be changed: gluster cannot rename/,
      },
      {
        name: 'layout.type',
        from: {},
        to: { layout: { type: 'Distribute' } },
        message:
          /spec\.layout\.type: Invalid value: "Distribute": cannot be changed: gluster does not convert a volume to another type/,
      },
      {
        name: 'replica',
        from: { bricks: bricksOver(6, 3, nodesNamed(6)) },
        to: { layout: { type: 'Replicate', replica: 2 }, bricks: bricksOver(6, 2, nodesNamed(6)) },
        message:
          /spec\.layout: Invalid value: .*replica, arbiter, disperse and redundancy cannot be changed once the volume exists: this version does not change a volume's replica or disperse count/,
      },
      {
        name: 'arbiter, added',
        from: {},
        to: { layout: { type: 'Replicate', replica: 3, arbiter: 1 } },
        message: /spec\.layout: Invalid value: .*cannot be changed once the volume exists/,
      },
      {
        name: 'arbiter, removed',
        from: { layout: { type: 'Replicate', replica: 3, arbiter: 1 } },
        to: {},
        message: /spec\.layout: Invalid value: .*cannot be changed once the volume exists/,
      },
      {
        name: 'redundancy',
        from: disperse(6, 2),
        to: disperse(6, 1),
        message: /spec\.layout: Invalid value: .*cannot be changed once the volume exists/,
      },
      {
        name: 'disperse',
        from: { ...disperse(6, 2), bricks: bricksOver(12, 6, nodesNamed(6)) },
        to: { ...disperse(4, 1), bricks: bricksOver(12, 4, nodesNamed(4)) },
        message: /spec\.layout: Invalid value: .*cannot be changed once the volume exists/,
      },
      {
        name: 'transport',
        from: {},
        to: { transport: 'rdma' },
        message: /spec\.transport: Invalid value: "rdma": cannot be changed: the transport is set/,
      },
    ];
    for (const tc of refusedChanges) {
      it(tc.name, async function () {
        const name = await aStoredVolume(tc.from);
        const refusal = await refused(dryRunReplaceSpec(name, specOf(name, tc.to)));
        expect(refusal.code).to.equal(422);
        expect(refusal.message).to.match(tc.message);
      });
    }

    it('accepts changes to everything else: another set, options, state, policies, paused', async function () {
      const name = await aStoredVolume({ options: { 'cluster.quorum-type': 'auto' } });
      const changed = specOf(name, {
        bricks: bricksOver(6, 3, THREE_NODES),
        options: { 'performance.cache-size': '1GB' },
        state: 'Stopped',
        deletionPolicy: 'Delete',
        allowForce: true,
        paused: true,
        transport: 'tcp',
      });
      expect((await dryRunReplaceSpec(name, changed)).spec).to.deep.equal(changed);
    });

    it('accepts volumeName set to metadata.name, the name it had', async function () {
      const name = await aStoredVolume();
      const changed = specOf(name, { volumeName: name });
      expect((await dryRunReplaceSpec(name, changed)).spec.volumeName).to.equal(name);
    });
  });

  describe('the schema matches src/api/gluster-volume.ts', function () {
    it('keeps every spec field of the TypeScript type (nothing pruned)', async function () {
      for (const [name, spec] of [
        ['complete-replicate', COMPLETE_REPLICATE_SPEC],
        ['complete-disperse', COMPLETE_DISPERSE_SPEC],
      ] as const) {
        const volume: GlusterVolume = {
          apiVersion: `${API_GROUP}/${API_VERSION}`,
          kind: VOLUME_KIND,
          metadata: { name, namespace },
          spec,
        };
        await create(volume);
        expect((await get(name)).spec, name).to.deep.equal(spec);
      }
    });

    it('keeps every status field of the TypeScript type, written through /status', async function () {
      const created = await create(aVolume('complete-status'));
      const written = await replaceStatus(created, COMPLETE_STATUS);
      expect(written.status).to.deep.equal(COMPLETE_STATUS);
      expect((await get('complete-status')).status).to.deep.equal(COMPLETE_STATUS);
    });
  });

  describe('kubectl', function () {
    it('lists volumes by short name with Type, State, Bricks-Online, Heal-Pending and Ready', async function () {
      const created = await create(aVolume('shown', { volumeName: 'shown_vol' }));
      await replaceStatus(created, {
        observedGeneration: 1,
        volumeName: 'shown_vol',
        state: 'Started',
        type: 'Replicate',
        bricksOnline: '2/3',
        healPending: 17,
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'BricksOffline',
            message: 'gluster-3.example:/data/glusterfs/vol/b0 is offline',
            lastTransitionTime: '2026-11-22T03:00:00Z',
            observedGeneration: 1,
          },
        ],
      });

      const table = await cp.kubectl(['get', 'gv', 'shown', '--namespace', namespace]);
      expect(table.exitCode, table.stderr).to.equal(0);
      const [header, row] = table.stdout.trim().split('\n').map(columns);
      expect(header).to.deep.equal([
        'NAME',
        'TYPE',
        'STATE',
        'BRICKS-ONLINE',
        'HEAL-PENDING',
        'READY',
        'AGE',
      ]);
      expect(row?.slice(0, 6)).to.deep.equal([
        'shown',
        'Replicate',
        'Started',
        '2/3',
        '17',
        'False',
      ]);

      const wide = await cp.kubectl(['get', 'gv', 'shown', '-o', 'wide', '--namespace', namespace]);
      expect(wide.exitCode, wide.stderr).to.equal(0);
      const [wideHeader, wideRow] = wide.stdout.trim().split('\n').map(columns);
      expect(wideHeader?.slice(7)).to.deep.equal(['CLUSTER', 'VOLUME', 'REASON']);
      expect(wideRow?.slice(7)).to.deep.equal(['pool-a', 'shown_vol', 'BricksOffline']);

      const byCategory = await cp.kubectl([
        'get',
        'gluster',
        '--namespace',
        namespace,
        '-o',
        'name',
      ]);
      expect(byCategory.exitCode, byCategory.stderr).to.equal(0);
      expect(byCategory.stdout).to.include('glustervolume.glusteroperator.io/shown');
    });

    it('explains spec.bricks.path with its description', async function () {
      this.timeout(30_000);
      // The API server publishes a new CRD's OpenAPI a moment after it is Established.
      const explain = () => cp.kubectl(['explain', 'glustervolume.spec.bricks.path']);
      const deadline = Date.now() + 20_000;
      let explained = await explain();
      while (explained.exitCode !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        explained = await explain();
      }
      expect(explained.exitCode, explained.stderr).to.equal(0);
      const text = explained.stdout.replace(/\s+/g, ' ');
      expect(text).to.include('GROUP: glusteroperator.io');
      expect(text).to.include('FIELD: path <string>');
      expect(text).to.include('Absolute path of the brick directory on that node');
    });
  });
});
