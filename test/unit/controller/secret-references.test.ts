import { expect } from 'chai';
import type { GlusterCluster, InventorySpec } from '../../../src/api/gluster-cluster.js';
import {
  SecretReferences,
  secretsNamedBy,
  type SecretNaming,
} from '../../../src/controller/secret-references.js';

/** A GlusterCluster `namespace/name` whose SSH Secret is `ssh`, with an optional inventory. */
function aCluster(
  key: string,
  options: { ssh?: string; inventory?: InventorySpec } = {},
): GlusterCluster {
  const [namespace = '', name = ''] = key.split('/');
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { namespace, name },
    spec: {
      ...(options.inventory ? { inventory: options.inventory } : { nodes: [{ address: 'n1' }] }),
      ssh: { secretRef: { name: options.ssh ?? 'gluster-ssh' } },
    },
  };
}

const byUrl = (apiKeySecret?: string): InventorySpec => ({
  url: 'https://inventory.example.com/peers.json',
  ...(apiKeySecret === undefined ? {} : { apiKeySecretRef: { name: apiKeySecret } }),
});

describe('secretsNamedBy', () => {
  const cases: readonly { name: string; cluster: GlusterCluster; named: readonly string[] }[] = [
    {
      name: 'the SSH Secret, in the resource namespace',
      cluster: aCluster('storage/pool-a', { ssh: 'keys' }),
      named: ['storage/keys ssh'],
    },
    {
      name: 'and the inventory API-key Secret when there is one',
      cluster: aCluster('storage/pool-a', { inventory: byUrl('inventory-key') }),
      named: ['storage/gluster-ssh ssh', 'storage/inventory-key inventoryApiKey'],
    },
    {
      name: 'an inventory without an API key names no other Secret',
      cluster: aCluster('storage/pool-a', { inventory: byUrl() }),
      named: ['storage/gluster-ssh ssh'],
    },
    {
      name: 'a ConfigMap inventory names no other Secret',
      cluster: aCluster('storage/pool-a', { inventory: { configMapRef: { name: 'peers' } } }),
      named: ['storage/gluster-ssh ssh'],
    },
    {
      name: 'one Secret for both uses: named twice, once per use',
      cluster: aCluster('storage/pool-a', { ssh: 'all', inventory: byUrl('all') }),
      named: ['storage/all ssh', 'storage/all inventoryApiKey'],
    },
    {
      name: 'a stored object without spec.ssh (older than the validation): none, and no throw',
      cluster: { ...aCluster('storage/pool-a'), spec: {} as GlusterCluster['spec'] },
      named: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(
        secretsNamedBy(tc.cluster).map(({ secretKey, use }) => `${secretKey} ${use}`),
      ).to.deep.equal(tc.named);
    });
  }
});

describe('SecretReferences', () => {
  /** Each case applies `updates` in order, then asks which clusters name each Secret. */
  const cases: readonly {
    name: string;
    updates: readonly [string, GlusterCluster | undefined][];
    naming: Readonly<Record<string, readonly SecretNaming[]>>;
    namedSecrets: number;
  }[] = [
    {
      name: 'nothing known: no Secret is named',
      updates: [],
      naming: { 'ns/gluster-ssh': [] },
      namedSecrets: 0,
    },
    {
      name: 'two resources sharing one Secret: both, in key order',
      updates: [
        ['ns/b', aCluster('ns/b')],
        ['ns/a', aCluster('ns/a')],
      ],
      naming: {
        'ns/gluster-ssh': [
          { clusterKey: 'ns/a', uses: ['ssh'] },
          { clusterKey: 'ns/b', uses: ['ssh'] },
        ],
      },
      namedSecrets: 1,
    },
    {
      name: 'a Secret of the same name in another namespace is another Secret',
      updates: [['ns/a', aCluster('ns/a')]],
      naming: {
        'other/gluster-ssh': [],
        'ns/gluster-ssh': [{ clusterKey: 'ns/a', uses: ['ssh'] }],
      },
      namedSecrets: 1,
    },
    {
      name: 'a spec that switches to another Secret: only the new one is named',
      updates: [
        ['ns/a', aCluster('ns/a', { ssh: 'old' })],
        ['ns/a', aCluster('ns/a', { ssh: 'new' })],
      ],
      naming: { 'ns/old': [], 'ns/new': [{ clusterKey: 'ns/a', uses: ['ssh'] }] },
      namedSecrets: 1,
    },
    {
      name: 'a resource gone: its Secrets are no longer named by it',
      updates: [
        ['ns/a', aCluster('ns/a', { inventory: byUrl('key') })],
        ['ns/b', aCluster('ns/b')],
        ['ns/a', undefined],
      ],
      naming: {
        'ns/key': [],
        'ns/gluster-ssh': [{ clusterKey: 'ns/b', uses: ['ssh'] }],
      },
      namedSecrets: 1,
    },
    {
      name: 'the inventory API key, and one Secret used for both',
      updates: [
        ['ns/a', aCluster('ns/a', { inventory: byUrl('key') })],
        ['ns/b', aCluster('ns/b', { ssh: 'key', inventory: byUrl('key') })],
      ],
      naming: {
        'ns/key': [
          { clusterKey: 'ns/a', uses: ['inventoryApiKey'] },
          { clusterKey: 'ns/b', uses: ['inventoryApiKey', 'ssh'] },
        ],
        'ns/gluster-ssh': [{ clusterKey: 'ns/a', uses: ['ssh'] }],
      },
      namedSecrets: 2,
    },
    {
      name: 'the API key dropped from the spec: that use is forgotten',
      updates: [
        ['ns/a', aCluster('ns/a', { inventory: byUrl('key') })],
        ['ns/a', aCluster('ns/a', { inventory: byUrl() })],
      ],
      naming: { 'ns/key': [], 'ns/gluster-ssh': [{ clusterKey: 'ns/a', uses: ['ssh'] }] },
      namedSecrets: 1,
    },
    {
      name: 'a resource never seen, reported gone: nothing changes',
      updates: [
        ['ns/a', aCluster('ns/a')],
        ['ns/x', undefined],
      ],
      naming: { 'ns/gluster-ssh': [{ clusterKey: 'ns/a', uses: ['ssh'] }] },
      namedSecrets: 1,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const references = new SecretReferences();
      for (const [key, cluster] of tc.updates) references.update(key, cluster);
      for (const [secretKey, naming] of Object.entries(tc.naming)) {
        expect(references.clustersNaming(secretKey), secretKey).to.deep.equal(naming);
      }
      expect(references.namedSecrets()).to.equal(tc.namedSecrets);
    });
  }
});
