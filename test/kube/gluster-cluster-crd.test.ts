import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ApiException, CustomObjectsApi, loadYaml } from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  KIND,
  PLURAL,
  type GlusterCluster,
  type GlusterClusterStatus,
} from '../../src/api/gluster-cluster.js';
import { checkHostAddress } from '../../src/api/host-address.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  COMPLETE_CONFIG_MAP_INVENTORY,
  COMPLETE_SPEC,
  COMPLETE_STATUS,
  COMPLETE_URL_INVENTORY,
  completeInventorySpec,
  INVENTORY_ADDRESS_FIELDS,
  DELETION_POLICIES,
  NODE_STATES,
  REMOVAL_POLICIES,
} from '../support/gluster-cluster-samples.js';
import {
  columns,
  itRefusesEach,
  itRefusesHostileStrings,
  refused,
} from '../support/crd-refusals.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';

/**
 * The GlusterCluster CRD (crds/glusterclusters.glusteroperator.io.yaml) as a real kube-apiserver
 * enforces it: the example manifest, defaults, every validation rule, agreement with
 * checkHostAddress, the schema against the TypeScript types, and what kubectl shows.
 */

const CRD_NAME = `${PLURAL}.${API_GROUP}`;
const EXAMPLE_FILE = new URL('../../deploy/examples/glustercluster.yaml', import.meta.url);

/** A resource as sent: loose on purpose, since most of the ones built here are invalid. */
interface Draft {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

const aNode = (address: string, fields: Record<string, unknown> = {}) => ({ address, ...fields });

/** The smallest valid spec, changed by `spec` (a key set to undefined is left out). */
function aCluster(name: string, spec: Record<string, unknown> = {}): Draft {
  const fields: Record<string, unknown> = {
    nodes: [aNode('gluster-1.example'), aNode('gluster-2.example')],
    ssh: { secretRef: { name: 'gluster-ssh' } },
    ...spec,
  };
  const merged = Object.entries(fields).filter(([, value]) => value !== undefined);
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: KIND,
    metadata: { name },
    spec: Object.fromEntries(merged),
  };
}

const withNodes = (...nodes: Record<string, unknown>[]) => ({ nodes });
const withAddresses = (...addresses: string[]) => withNodes(...addresses.map((a) => aNode(a)));
const withSsh = (ssh: Record<string, unknown>) => ({
  ssh: { secretRef: { name: 'gluster-ssh' }, ...ssh },
});

describe('GlusterCluster CRD on a real API server', function () {
  let cp: ControlPlane;
  let api: CustomObjectsApi;
  let namespace: string;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    const kc = loadKubeConfig(cp.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
    namespace = await createTestNamespace(kc, 'glc');
  });

  const ref = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
  const create = (body: Draft | GlusterCluster): Promise<GlusterCluster> =>
    api.createNamespacedCustomObject({ ...ref, namespace, body }) as Promise<GlusterCluster>;
  /** Validated and defaulted exactly like a create, but not stored. */
  const dryRunCreate = (body: Draft): Promise<GlusterCluster> =>
    api.createNamespacedCustomObject({
      ...ref,
      namespace,
      body,
      dryRun: 'All',
    }) as Promise<GlusterCluster>;
  const get = (name: string): Promise<GlusterCluster> =>
    api.getNamespacedCustomObject({ ...ref, namespace, name }) as Promise<GlusterCluster>;
  const replaceStatus = (
    cluster: GlusterCluster,
    status: GlusterClusterStatus,
  ): Promise<GlusterCluster> =>
    api.replaceNamespacedCustomObjectStatus({
      ...ref,
      namespace,
      name: cluster.metadata.name,
      body: { ...cluster, status },
    }) as Promise<GlusterCluster>;

  describe('the example manifest and defaults', function () {
    it('accepts deploy/examples/glustercluster.yaml as it is, every field kept', async function () {
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
      expect(applied.stdout).to.match(/glustercluster\.glusteroperator\.io\/pool-a created/);

      const example = loadYaml<GlusterCluster>(await readFile(EXAMPLE_FILE, 'utf8'));
      const stored = await get(example.metadata.name);
      expect(stored.spec).to.deep.equal(example.spec);
      expect(stored.metadata.namespace).to.equal(namespace);
      // The example shows every field there is.
      expect(valuePaths(example.spec)).to.deep.equal(valuePaths(COMPLETE_SPEC));
    });

    it('accepts the inventory example (ConfigMap + GlusterCluster)', async function () {
      this.timeout(30_000);
      const applied = await cp.kubectl([
        'apply',
        '--dry-run=server',
        '--namespace',
        namespace,
        '--filename',
        fileURLToPath(
          new URL('../../deploy/examples/glustercluster-inventory.yaml', import.meta.url),
        ),
      ]);
      expect(applied.exitCode, applied.stderr).to.equal(0);
      expect(applied.stdout).to.match(/glustercluster\.glusteroperator\.io\/pool-b created/);
    });

    it('fills in the defaults of an inventory', async function () {
      const created = await dryRunCreate(
        aCluster('inventory', { nodes: undefined, inventory: { configMapRef: { name: 'peers' } } }),
      );
      expect(created.spec.inventory).to.deep.equal({
        configMapRef: { name: 'peers', key: 'peers.json' },
        addressFrom: 'IPAddress',
        syncInterval: '5m',
      });
      const withKey = await dryRunCreate(
        aCluster('inventory', {
          nodes: undefined,
          inventory: { url: 'https://inv.example/peers.json', apiKeySecretRef: { name: 'k' } },
        }),
      );
      expect(withKey.spec.inventory?.apiKeySecretRef).to.deep.equal({ name: 'k', key: 'apiKey' });
    });

    it('fills in every default of a minimal resource', async function () {
      const created = await dryRunCreate(aCluster('minimal', withAddresses('10.250.0.11')));
      expect(created.spec).to.deep.equal({
        nodes: [{ address: '10.250.0.11', allowForceDetach: false, reclaimFromOtherPool: false }],
        ssh: { user: 'root', port: 22, secretRef: { name: 'gluster-ssh' }, sudo: false },
        removalPolicy: 'Detach',
        deletionPolicy: 'Retain',
        paused: false,
        resyncInterval: '5m',
      });
    });
  });

  describe('rejects an invalid resource with a message that names the problem', function () {
    const hostile = ['x;touch /tmp/pwned', '$(id)', '`id`', "it's", '"quoted"', 'a b', 'a\nb'];
    const cases: { name: string; spec: Record<string, unknown>; message: RegExp }[] = [
      {
        name: 'an empty node list',
        spec: withNodes(),
        message: /spec\.nodes: Invalid value: 0: spec\.nodes in body should have at least 1 items/,
      },
      {
        name: 'no node list and no inventory',
        spec: { nodes: undefined },
        message: /spec: Invalid value: .*set exactly one of nodes .* and inventory/,
      },
      {
        name: 'both a node list and an inventory',
        spec: { inventory: { configMapRef: { name: 'peers' } } },
        message: /spec: Invalid value: .*set exactly one of nodes .* and inventory/,
      },
      ...[
        {
          name: 'an inventory with a ConfigMap and a URL',
          inventory: { configMapRef: { name: 'peers' }, url: 'https://inv.example/peers.json' },
          message: /spec\.inventory: Invalid value: .*set exactly one of configMapRef and url/,
        },
        {
          name: 'an inventory with neither a ConfigMap nor a URL',
          inventory: { syncInterval: '1m' },
          message: /spec\.inventory: Invalid value: .*set exactly one of configMapRef and url/,
        },
        {
          name: 'an API key over plain http',
          inventory: { url: 'http://inv.example/peers.json', apiKeySecretRef: { name: 'key' } },
          message: /spec\.inventory: Invalid value: .*apiKeySecretRef needs an https:\/\/ url/,
        },
        {
          name: 'an API key without a URL',
          inventory: { configMapRef: { name: 'peers' }, apiKeySecretRef: { name: 'key' } },
          message: /apiKeySecretRef needs an https:\/\/ url/,
        },
        {
          name: 'an ftp URL',
          inventory: { url: 'ftp://inv.example/peers.json' },
          message: /spec\.inventory\.url: Invalid value: .*must be an http:\/\/ or https:\/\/ URL/,
        },
        {
          name: 'a URL that is not one',
          inventory: { url: 'inventory please' },
          message: /spec\.inventory\.url: Invalid value: .*must be an http:\/\/ or https:\/\/ URL/,
        },
        {
          name: 'an unknown addressFrom',
          inventory: { url: 'https://inv.example/p', addressFrom: 'Fqdn' },
          message: /spec\.inventory\.addressFrom: Unsupported value: "Fqdn"/,
        },
        {
          name: 'a syncInterval under 10s',
          inventory: { url: 'https://inv.example/p', syncInterval: '5s' },
          message: /spec\.inventory\.syncInterval: Invalid value: .*must be from 10s to 24h/,
        },
        {
          name: 'a ConfigMap key with a slash',
          inventory: { configMapRef: { name: 'peers', key: 'a/b' } },
          message: /spec\.inventory\.configMapRef\.key: Invalid value: .*should match/,
        },
      ].map((tc) => ({
        name: tc.name,
        spec: { nodes: undefined, inventory: tc.inventory },
        message: tc.message,
      })),
      {
        name: '65 nodes',
        spec: withAddresses(
          ...Array.from({ length: 65 }, (_, i) => `gluster-${String(i)}.example`),
        ),
        message: /spec\.nodes: Too many: 65: must have at most 64 items/,
      },
      {
        name: 'a node without an address',
        spec: withNodes(aNode('gluster-1.example'), { name: 'n2' }),
        message: /spec\.nodes\[1\]\.address: Required value/,
      },
      {
        name: 'the same address twice',
        spec: withAddresses('gluster-1.example', 'gluster-1.example'),
        message: /spec\.nodes: Invalid value: .*node addresses must be unique/,
      },
      {
        name: 'the same host name in another case',
        spec: withAddresses('Gluster-1.example', 'gluster-1.example'),
        message: /spec\.nodes: Invalid value: .*node addresses must be unique/,
      },
      {
        name: 'the same host name with and without a trailing dot',
        spec: withAddresses('gluster-1.example.', 'gluster-1.example'),
        message: /spec\.nodes: Invalid value: .*node addresses must be unique/,
      },
      {
        name: 'the same IPv6 address written two ways',
        spec: withAddresses('fd42::11', 'FD42:0:0::11'),
        message: /spec\.nodes: Invalid value: .*node addresses must be unique/,
      },
      {
        name: 'the same name twice',
        spec: withNodes(
          aNode('gluster-1.example', { name: 'g1' }),
          aNode('gluster-2.example', { name: 'g1' }),
        ),
        message: /spec\.nodes: Invalid value: .*node names must be unique/,
      },
      {
        name: "a name that is another node's address",
        spec: withNodes(aNode('10.250.0.11', { name: 'g2' }), aNode('g2')),
        message: /spec\.nodes: Invalid value: .*node names must be unique/,
      },
      {
        name: 'address 10.11.a',
        spec: withAddresses('10.11.a'),
        message:
          /spec\.nodes\[0\]\.address: Invalid value: "10\.11\.a": is not a valid IPv4 address/,
      },
      {
        name: 'address 256.256.256.256',
        spec: withAddresses('256.256.256.256'),
        message:
          /spec\.nodes\[0\]\.address: Invalid value: "256\.256\.256\.256": is not a valid IPv4/,
      },
      ...hostile.map((address) => ({
        name: `address ${JSON.stringify(address)}`,
        spec: withAddresses(address),
        message:
          /spec\.nodes\[0\]\.address: Invalid value: .*only letters, digits, '\.', '-' and ':'/,
      })),
      {
        name: 'an empty address',
        spec: withAddresses(''),
        message: /spec\.nodes\[0\]\.address: Invalid value: "": .*at least 1 chars long/,
      },
      {
        name: 'a 254-character address',
        spec: withAddresses(
          `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`,
        ),
        message: /spec\.nodes\[0\]\.address: Too long: may not be more than 253 bytes/,
      },
      {
        name: 'a host name label of 64 characters',
        spec: withAddresses(`${'a'.repeat(64)}.example`),
        message: /spec\.nodes\[0\]\.address: Invalid value: .*is not a valid host name/,
      },
      {
        name: 'an IPv6 address in brackets',
        spec: withAddresses('[fd42::11]'),
        message: /spec\.nodes\[0\]\.address: Invalid value: "\[fd42::11\]": .*only letters/,
      },
      {
        name: 'an invalid IPv6 address',
        spec: withAddresses('fd42:::11'),
        message: /spec\.nodes\[0\]\.address: Invalid value: "fd42:::11": is not a valid IPv6/,
      },
      {
        name: 'a node name that is not a DNS label',
        spec: withNodes(aNode('gluster-1.example', { name: 'Gluster_1' })),
        message: /spec\.nodes\[0\]\.name: Invalid value: "Gluster_1": .*should match/,
      },
      {
        name: 'a node name of 64 characters',
        spec: withNodes(aNode('gluster-1.example', { name: 'n'.repeat(64) })),
        message: /spec\.nodes\[0\]\.name: Too long: may not be more than 63 bytes/,
      },
      {
        name: 'a zone with a shell metacharacter',
        spec: withNodes(aNode('gluster-1.example', { zone: 'rack-a;reboot' })),
        message: /spec\.nodes\[0\]\.zone: Invalid value: "rack-a;reboot": .*should match/,
      },
      {
        name: 'a zone of 64 characters',
        spec: withNodes(aNode('gluster-1.example', { zone: 'z'.repeat(64) })),
        message: /spec\.nodes\[0\]\.zone: Too long: may not be more than 63 bytes/,
      },
      {
        name: 'allowForceDetach as a string',
        spec: withNodes(aNode('gluster-1.example', { allowForceDetach: 'yes' })),
        message:
          /spec\.nodes\[0\]\.allowForceDetach: Invalid value: "string": .*must be of type boolean/,
      },
      { name: 'no ssh', spec: { ssh: undefined }, message: /spec\.ssh: Required value/ },
      {
        name: 'no ssh.secretRef',
        spec: { ssh: { user: 'root' } },
        message: /spec\.ssh\.secretRef: Required value/,
      },
      {
        name: 'a secretRef without a name',
        spec: { ssh: { secretRef: {} } },
        message: /spec\.ssh\.secretRef\.name: Required value/,
      },
      {
        name: 'a secret name that is not a DNS subdomain',
        spec: { ssh: { secretRef: { name: 'Gluster_SSH' } } },
        message: /spec\.ssh\.secretRef\.name: Invalid value: "Gluster_SSH": .*should match/,
      },
      {
        name: 'ssh.port 0',
        spec: withSsh({ port: 0 }),
        message: /spec\.ssh\.port: Invalid value: 0: .*should be greater than or equal to 1/,
      },
      {
        name: 'ssh.port 70000',
        spec: withSsh({ port: 70000 }),
        message: /spec\.ssh\.port: Invalid value: 70000: .*should be less than or equal to 65535/,
      },
      {
        name: 'ssh.port as a string',
        spec: withSsh({ port: '22' }),
        message: /spec\.ssh\.port: Invalid value: "string": .*must be of type integer/,
      },
      {
        name: 'ssh.user with a shell metacharacter',
        spec: withSsh({ user: 'root;id' }),
        message: /spec\.ssh\.user: Invalid value: "root;id": .*should match/,
      },
      {
        name: 'ssh.user that would read as an ssh option',
        spec: withSsh({ user: '-oProxyCommand=id' }),
        message: /spec\.ssh\.user: Invalid value: "-oProxyCommand=id": .*should match/,
      },
      {
        name: 'ssh.sudo as a string',
        spec: withSsh({ sudo: 'true' }),
        message: /spec\.ssh\.sudo: Invalid value: "string": .*must be of type boolean/,
      },
      {
        name: 'removalPolicy Delete',
        spec: { removalPolicy: 'Delete' },
        message:
          /spec\.removalPolicy: Unsupported value: "Delete": supported values: "Detach", "Retain"/,
      },
      {
        name: 'deletionPolicy Detach',
        spec: { deletionPolicy: 'Detach' },
        message:
          /spec\.deletionPolicy: Unsupported value: "Detach": supported values: "Retain", "Dissolve"/,
      },
      {
        name: 'paused as a string',
        spec: { paused: 'no' },
        message: /spec\.paused: Invalid value: "string": .*must be of type boolean/,
      },
      ...['5 minutes', '5d', '5', 'm5', '-5m', '1h-30m', ''].map((resyncInterval) => ({
        name: `resyncInterval ${JSON.stringify(resyncInterval)}`,
        spec: { resyncInterval },
        message: /spec\.resyncInterval: Invalid value: .*should match/,
      })),
      ...['9s', '9999ms', '24h1s', '25h', '2000m'].map((resyncInterval) => ({
        name: `resyncInterval ${resyncInterval}, out of range`,
        spec: { resyncInterval },
        message: /spec\.resyncInterval: Invalid value: .*must be from 10s to 24h/,
      })),
      {
        name: 'events without enabled',
        spec: { events: { receiverUrl: 'http://192.0.2.10:30890' } },
        message: /spec\.events\.enabled: Required value/,
      },
      ...[
        'ftp://192.0.2.10',
        'http://user:secret@192.0.2.10',
        'http://192.0.2.10/?a=1',
        'http://192.0.2.10/#x',
        'gluster-events.example.com',
      ].map((receiverUrl) => ({
        name: `events.receiverUrl ${receiverUrl}`,
        spec: { events: { enabled: true, receiverUrl } },
        message:
          /spec\.events\.receiverUrl: Invalid value: .*must be an http:\/\/ or https:\/\/ URL without user information, query or fragment/,
      })),
      {
        name: 'events.tokenSecretRef without a name',
        spec: { events: { enabled: true, tokenSecretRef: {} } },
        message: /spec\.events\.tokenSecretRef\.name: Required value/,
      },
      {
        name: 'events.tokenSecretRef.key with a slash',
        spec: { events: { enabled: true, tokenSecretRef: { name: 'tok', key: 'a/b' } } },
        message: /spec\.events\.tokenSecretRef\.key: Invalid value: .*should match/,
      },
    ];

    itRefusesEach(cases, (spec) => dryRunCreate(aCluster('invalid', spec)));

    // Each string field, with how to set it: every hostile string is refused there.
    const stringFields: { path: string; spec: (value: string) => Record<string, unknown> }[] = [
      { path: 'spec.nodes[0].address', spec: (address) => withAddresses(address) },
      {
        path: 'spec.nodes[0].name',
        spec: (name) => withNodes(aNode('gluster-1.example', { name })),
      },
      {
        path: 'spec.nodes[0].zone',
        spec: (zone) => withNodes(aNode('gluster-1.example', { zone })),
      },
      { path: 'spec.ssh.user', spec: (user) => withSsh({ user }) },
      { path: 'spec.ssh.secretRef.name', spec: (name) => ({ ssh: { secretRef: { name } } }) },
      { path: 'spec.resyncInterval', spec: (resyncInterval) => ({ resyncInterval }) },
      {
        path: 'spec.events.tokenSecretRef.name',
        spec: (name) => ({ events: { enabled: true, tokenSecretRef: { name } } }),
      },
    ];
    itRefusesHostileStrings(stringFields, (spec) => dryRunCreate(aCluster('hostile', spec)));

    it('accepts the boundaries of what the cases above refuse', async function () {
      const created = await dryRunCreate(
        aCluster('boundaries', {
          nodes: [
            aNode(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`, {
              name: 'n'.repeat(63),
              zone: 'z'.repeat(63),
            }),
            ...Array.from({ length: 63 }, (_, i) => aNode(`10.250.1.${String(i + 1)}`)),
          ],
          ssh: { user: '_gluster.admin-1', port: 65535, secretRef: { name: 'a.b-c' } },
          resyncInterval: '24h',
        }),
      );
      expect(created.spec.nodes!).to.have.length(64);
      for (const resyncInterval of ['10s', '10000ms', '1.5h', '1h30m', '23h59m60s']) {
        await dryRunCreate(aCluster('intervals', { resyncInterval }));
      }
      await dryRunCreate(aCluster('port-1', withSsh({ port: 1 })));
      // The worst case for the CEL rules' runtime cost: 64 nodes, every address 253 characters.
      const longest = (i: number) =>
        `n${String(i).padStart(2, '0')}${'a'.repeat(60)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
      await dryRunCreate(
        aCluster('longest', {
          nodes: Array.from({ length: 64 }, (_, i) => aNode(longest(i), { name: `n${String(i)}` })),
        }),
      );
    });
  });

  describe('node addresses: the API server accepts exactly what checkHostAddress accepts', function () {
    const addresses = [
      // IPv4
      '10.250.1.11',
      '0.0.0.0',
      '255.255.255.255',
      '256.256.256.256',
      '10.11.a',
      '10.0.0',
      '10.1',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '1.2.3.4:22',
      // IPv6
      'fd42::11',
      '::1',
      '::',
      '2001:db8:0:0:0:0:0:1',
      'FD42:676F:70:1::11',
      '1:2:3:4:5:6:7::',
      '::ffff:192.0.2.1',
      '::FFFF:192.0.2.1',
      '::ffff:c000:201',
      '0:0:0:0:0:ffff:192.0.2.1',
      '64:ff9b::192.0.2.1',
      '[fd42::1]',
      'fd42:::11',
      '1:2:3:4:5:6:7:8:9',
      '1::2:3:4:5:6:7:8',
      'fd42::g',
      '00001::1',
      '::ffff:300.1.1.1',
      '::ffff:01.2.3.4',
      'fe80::1%eth0',
      // host names
      'n1',
      'gluster-1.storage.example.com',
      'GLUSTER-1.Example.COM',
      'node.example.',
      'node.example..',
      '.example',
      '1password.example',
      '10.example',
      'a.1',
      '1.a.2',
      '1.2.example',
      'xn--bcher-kva.example',
      `${'a'.repeat(63)}.example`,
      `${'a'.repeat(64)}.example`,
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`,
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`,
      '-n1',
      'n1-',
      'n_1',
      'ünïcødé.example',
      '',
    ];

    for (const address of addresses) {
      const check = checkHostAddress(address);
      const verdict = check.valid ? `accepts (${check.kind})` : 'rejects';
      const shown =
        address.length > 40 ? `${address.slice(0, 20)}… (${String(address.length)})` : address;
      it(`${verdict} ${JSON.stringify(shown)}`, async function () {
        const body = aCluster('address', withAddresses(address));
        if (check.valid) {
          const created = await dryRunCreate(body);
          expect(created.spec.nodes![0]?.address).to.equal(address);
        } else {
          expect((await refused(dryRunCreate(body))).message).to.match(
            /spec\.nodes\[0\]\.address: (Invalid value|Too long)/,
          );
        }
      });
    }

    it('agrees on 4096 generated strings, 64 addresses per request', async function () {
      this.timeout(60_000);
      const random = seededRandom(20261122);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const some = <T>(items: readonly T[], max: number): T[] =>
        Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(items));
      const generators = [
        // Anything the characters of addresses make.
        () => some(['0', '1', '25', '255', '256', '01', 'a', 'F', 'x1', '-', '.', ':', '::'], 9),
        // IPv6-like: groups, perhaps a '::', perhaps an IPv4 tail.
        () => {
          const groups = some(
            ['0', '1', 'ffff', 'FFFF', 'fffe', 'db8', 'c000', '0000', '00000'],
            9,
          );
          if (random() < 0.3) groups[groups.length - 1] = pick(['192.0.2.1', '01.2.3.4', '1.2.3']);
          const text = groups.join(':');
          const at = Math.floor(random() * (text.length + 1));
          return random() < 0.6 ? [text.slice(0, at), '::', text.slice(at)] : [text];
        },
        // Host-name-like and IPv4-like: labels, perhaps a trailing dot.
        () => {
          const labels = some(
            ['0', '1', '10', '255', '256', '01', 'a', 'x1', '-a', 'a-', 'a-b', ''],
            5,
          );
          labels.push(...(random() < 0.1 ? ['a'.repeat(pick([63, 64]))] : []));
          return [labels.join('.'), random() < 0.2 ? '.' : ''];
        },
      ];
      const generated = new Set<string>();
      for (let i = 0; generated.size < 4096 && i < 100_000; i++) {
        generated.add(generators[i % generators.length]!().join(''));
      }
      const all = [...generated];
      // Both answers must be common, or the comparison proves little.
      const valid = all.filter((address) => checkHostAddress(address).valid).length;
      expect(valid).to.be.within(all.length * 0.1, all.length * 0.9);
      const disagreements: string[] = [];
      for (let start = 0; start < all.length; start += 64) {
        const batch = all.slice(start, start + 64);
        const refusedIndexes = await refusedAddressIndexes(
          dryRunCreate(aCluster('generated', withAddresses(...batch))),
        );
        batch.forEach((address, index) => {
          const expected = checkHostAddress(address).valid;
          if (expected === refusedIndexes.has(index)) {
            disagreements.push(
              `${JSON.stringify(address)}: checkHostAddress says ${String(expected)}`,
            );
          }
        });
      }
      expect(disagreements.join('\n')).to.equal('');
    });
  });

  describe('the schema matches src/api/gluster-cluster.ts', function () {
    it('keeps every spec field of the TypeScript type (nothing pruned)', async function () {
      const cluster: GlusterCluster = {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: KIND,
        metadata: { name: 'complete', namespace },
        spec: COMPLETE_SPEC,
      };
      await create(cluster);
      expect((await get('complete')).spec).to.deep.equal(COMPLETE_SPEC);
      for (const [name, inventory] of [
        ['complete-url-inventory', COMPLETE_URL_INVENTORY],
        ['complete-configmap-inventory', COMPLETE_CONFIG_MAP_INVENTORY],
      ] as const) {
        await create({
          ...cluster,
          metadata: { name, namespace },
          spec: completeInventorySpec(inventory),
        });
        expect((await get(name)).spec).to.deep.equal(completeInventorySpec(inventory));
      }
    });

    it('keeps every status field of the TypeScript type, written through /status', async function () {
      const created = await create(
        aCluster('complete-status', withAddresses('gluster-1.storage.example.com')),
      );
      const written = await replaceStatus(created, COMPLETE_STATUS);
      expect(written.status).to.deep.equal(COMPLETE_STATUS);
      expect((await get('complete-status')).status).to.deep.equal(COMPLETE_STATUS);
    });

    it('has no field the TypeScript types lack, and their enums', async function () {
      // As the API server holds it (client-node's loadYaml would turn `enum` into `_enum`).
      const got = await cp.kubectl(['get', 'crd', CRD_NAME, '--output=json']);
      expect(got.exitCode, got.stderr).to.equal(0);
      const crd = JSON.parse(got.stdout) as Crd;
      const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
      const spec = schema.properties!['spec']!;
      const status = schema.properties!['status']!;
      const everySpecPath = new Set([
        ...valuePaths(COMPLETE_SPEC),
        ...valuePaths(completeInventorySpec(COMPLETE_URL_INVENTORY)),
        ...valuePaths(completeInventorySpec(COMPLETE_CONFIG_MAP_INVENTORY)),
      ]);
      expect(schemaPaths(spec)).to.deep.equal([...everySpecPath].sort());
      expect(schemaPaths(status)).to.deep.equal(valuePaths(COMPLETE_STATUS));

      expect(spec.properties!['removalPolicy']!.enum).to.have.members([...REMOVAL_POLICIES]);
      expect(spec.properties!['deletionPolicy']!.enum).to.have.members([...DELETION_POLICIES]);
      expect(spec.properties!['inventory']!.properties!['addressFrom']!.enum).to.have.members([
        ...INVENTORY_ADDRESS_FIELDS,
      ]);
      const nodeStatus = status.properties!['nodes']!.items!;
      expect(nodeStatus.properties!['state']!.enum).to.have.members([...NODE_STATES]);
    });
  });

  describe('kubectl', function () {
    it('lists clusters by short name with Ready, Members and Connected columns', async function () {
      const created = await create(
        aCluster('shown', withAddresses('10.250.0.11', '10.250.0.12', '10.250.0.13')),
      );
      await replaceStatus(created, {
        observedGeneration: 1,
        members: 3,
        connected: 2,
        commandNode: '10.250.0.11',
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'NodesUnreachable',
            message: '10.250.0.13 is Unreachable: SSH connection refused',
            lastTransitionTime: '2026-11-22T03:00:00Z',
          },
        ],
      });

      const table = await cp.kubectl(['get', 'glc', 'shown', '--namespace', namespace]);
      expect(table.exitCode, table.stderr).to.equal(0);
      const [header, row] = table.stdout.trim().split('\n').map(columns);
      expect(header).to.deep.equal(['NAME', 'READY', 'MEMBERS', 'CONNECTED', 'AGE']);
      expect(row?.slice(0, 4)).to.deep.equal(['shown', 'False', '3', '2']);

      const wide = await cp.kubectl([
        'get',
        'glc',
        'shown',
        '-o',
        'wide',
        '--namespace',
        namespace,
      ]);
      expect(wide.exitCode, wide.stderr).to.equal(0);
      const [wideHeader, wideRow] = wide.stdout.trim().split('\n').map(columns);
      expect(wideHeader).to.deep.equal([
        'NAME',
        'READY',
        'MEMBERS',
        'CONNECTED',
        'AGE',
        'REASON',
        'COMMAND-NODE',
      ]);
      expect(wideRow?.slice(5)).to.deep.equal(['NodesUnreachable', '10.250.0.11']);

      const byCategory = await cp.kubectl([
        'get',
        'gluster',
        '--namespace',
        namespace,
        '-o',
        'name',
      ]);
      expect(byCategory.exitCode, byCategory.stderr).to.equal(0);
      expect(byCategory.stdout).to.include('glustercluster.glusteroperator.io/shown');
    });

    it('explains spec.nodes.address with its description', async function () {
      this.timeout(30_000);
      // The API server publishes a new CRD's OpenAPI a moment after it is Established.
      const deadline = Date.now() + 20_000;
      let explained = await cp.kubectl(['explain', 'glustercluster.spec.nodes.address']);
      while (explained.exitCode !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        explained = await cp.kubectl(['explain', 'glustercluster.spec.nodes.address']);
      }
      expect(explained.exitCode, explained.stderr).to.equal(0);
      const text = explained.stdout.replace(/\s+/g, ' ');
      expect(text).to.include('GROUP: glusteroperator.io');
      expect(text).to.include('FIELD: address <string>');
      expect(text).to.include(
        "The node's host name, IPv4 or IPv6 address, at most 253 characters.",
      );
      expect(text).to.include('IPv6 is written without brackets or zone.');
    });
  });
});

interface SchemaNode {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

interface Crd {
  spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
}

/** Every field path a schema declares, arrays as `[]`: `nodes[].address`. */
function schemaPaths(schema: SchemaNode, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${key}`;
    paths.push(path);
    const element = child.type === 'array' ? child.items : child;
    const suffix = child.type === 'array' ? '[].' : '.';
    if (element) paths.push(...schemaPaths(element, `${path}${suffix}`));
  }
  return paths.sort();
}

/** Every field path a value has, in the same notation; every element of an array is visited. */
function valuePaths(value: unknown, prefix = ''): string[] {
  const paths = new Set<string>();
  if (typeof value !== 'object' || value === null) return [];
  for (const [key, child] of Object.entries(value)) {
    const path = `${prefix}${key}`;
    paths.add(path);
    const elements: unknown[] = Array.isArray(child) ? child : [child];
    const suffix = Array.isArray(child) ? '[].' : '.';
    for (const element of elements) {
      for (const sub of valuePaths(element, `${path}${suffix}`)) paths.add(sub);
    }
  }
  return [...paths].sort();
}

/** Which of spec.nodes[i].address the API server refused (an accepted create refuses none). */
async function refusedAddressIndexes(call: Promise<unknown>): Promise<Set<number>> {
  const indexes = new Set<number>();
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body: unknown = err.body;
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as {
      details?: { causes?: { field?: string }[] };
    };
    for (const cause of status.details?.causes ?? []) {
      const match = /^spec\.nodes\[(\d+)\]\.address$/.exec(cause.field ?? '');
      if (match) indexes.add(Number(match[1]));
    }
  }
  return indexes;
}

/** mulberry32: the same sequence on every run, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
