import { expect } from 'chai';
import type { GlusterCluster, InventorySpec } from '../../../src/api/gluster-cluster.js';
import { SecretChangeSink } from '../../../src/controller/secret-change-sink.js';
import { SecretReferences } from '../../../src/controller/secret-references.js';
import { recordingLogger, type LoggedLine } from '../../support/recording-logger.js';

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

const withApiKey = (name: string): InventorySpec => ({
  url: 'https://inventory.example.com/peers.json',
  apiKeySecretRef: { name },
});

/**
 * The sink's collaborators, recording every call in one ordered log. What a case does not
 * expect throws: a queue add that is not urgent, an inventory forget of a cluster that does not
 * use the Secret as its API key.
 */
function aSink(clusters: readonly GlusterCluster[], forgettable: readonly string[]) {
  const calls: string[] = [];
  const lines: LoggedLine[] = [];
  const references = new SecretReferences();
  for (const cluster of clusters) {
    references.update(`${cluster.metadata.namespace}/${cluster.metadata.name}`, cluster);
  }
  const sink = new SecretChangeSink({
    references,
    credentials: {
      invalidate: (namespace, name) => calls.push(`invalidate ${namespace}/${name}`),
    },
    inventory: {
      forget: (clusterKey) => {
        if (!forgettable.includes(clusterKey)) {
          throw new Error(`unexpected: inventory.forget(${clusterKey})`);
        }
        calls.push(`forget inventory ${clusterKey}`);
      },
    },
    queue: {
      add: (key, options) => {
        if (options?.urgent !== true) throw new Error(`unexpected: a non-urgent add of ${key}`);
        calls.push(`queue ${key}`);
      },
    },
    logger: recordingLogger(lines),
  });
  return { sink, calls, lines };
}

describe('SecretChangeSink', () => {
  const clusters = [
    aCluster('ns/a'),
    aCluster('ns/b'),
    aCluster('ns/c', { ssh: 'own-key' }),
    aCluster('ns/d', { inventory: withApiKey('inventory-key') }),
    aCluster('ns/e', { ssh: 'both', inventory: withApiKey('both') }),
    aCluster('other/f'),
  ];
  const cases: readonly {
    name: string;
    changed: string;
    forgettable?: readonly string[];
    calls: readonly string[];
    logged?: readonly string[];
  }[] = [
    {
      name: 'an SSH Secret two resources share: read again, both queued',
      changed: 'ns/gluster-ssh',
      calls: ['invalidate ns/gluster-ssh', 'queue ns/a', 'queue ns/b', 'queue ns/d'],
      logged: ['ns/a', 'ns/b', 'ns/d'],
    },
    {
      name: 'the same name in another namespace: only the resource of that namespace',
      changed: 'other/gluster-ssh',
      calls: ['invalidate other/gluster-ssh', 'queue other/f'],
      logged: ['other/f'],
    },
    {
      name: "one resource's own SSH Secret: that resource",
      changed: 'ns/own-key',
      calls: ['invalidate ns/own-key', 'queue ns/c'],
      logged: ['ns/c'],
    },
    {
      name: 'an inventory API-key Secret: the inventory is read again, and the resource queued',
      changed: 'ns/inventory-key',
      forgettable: ['ns/d'],
      calls: ['invalidate ns/inventory-key', 'forget inventory ns/d', 'queue ns/d'],
      logged: ['ns/d'],
    },
    {
      name: 'one Secret used for both: the inventory is read again, and the resource queued once',
      changed: 'ns/both',
      forgettable: ['ns/e'],
      calls: ['invalidate ns/both', 'forget inventory ns/e', 'queue ns/e'],
      logged: ['ns/e'],
    },
    {
      name: 'a Secret no resource names: dropped from the cache only, nothing queued or logged',
      changed: 'ns/unrelated',
      calls: ['invalidate ns/unrelated'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const s = aSink(clusters, tc.forgettable ?? []);
      s.sink.add(tc.changed);
      expect(s.calls).to.deep.equal(tc.calls);
      expect(s.lines).to.deep.equal(
        tc.logged === undefined
          ? []
          : [
              {
                level: 'info',
                message: 'Secret changed, reconciling the GlusterClusters that name it',
                meta: { secret: tc.changed, clusters: tc.logged },
              },
            ],
      );
    });
  }

  it('refuses a key that is not namespace/name', () => {
    const s = aSink(clusters, []);
    expect(() => {
      s.sink.add('no-namespace');
    }).to.throw(RangeError);
    expect(s.calls).to.deep.equal([]);
  });
});
