import { expect } from 'chai';
import type { InventorySpec } from '../../../src/api/gluster-cluster.js';
import { InventoryReader } from '../../../src/controller/inventory-reader.js';
import type { PeerInventory } from '../../../src/inventory/peer-inventory.js';
import type { InventoryObjects } from '../../../src/kube/inventory-objects.js';
import { NotFoundError } from '../../../src/kube/kube-errors.js';

const PEERS = JSON.stringify({
  replicas: [{ pid: 1, name: 'n1', ip_address: '10.250.0.11', port: 24007 }],
});

/** ConfigMaps and Secrets by "name/key"; counts reads; anything else is "not found". */
function fakeObjects(configMaps: Record<string, string>, secrets: Record<string, string> = {}) {
  const reads: string[] = [];
  const objects: InventoryObjects = {
    readConfigMapKey(_namespace, name, key) {
      reads.push(`configmap ${name}/${key}`);
      if (!Object.keys(configMaps).some((entry) => entry.startsWith(`${name}/`))) {
        return Promise.reject(
          new NotFoundError(`configmaps "${name}" not found`, { cause: undefined, code: 404 }),
        );
      }
      return Promise.resolve(configMaps[`${name}/${key}`]);
    },
    readSecretKey(_namespace, name, key) {
      reads.push(`secret ${name}/${key}`);
      return Promise.resolve(secrets[`${name}/${key}`]);
    },
  };
  return { objects, reads };
}

describe('InventoryReader', () => {
  let nowMs = Date.parse('2026-11-22T06:00:00Z');
  const now = () => new Date(nowMs);
  const configMap: InventorySpec = { configMapRef: { name: 'peers' }, syncInterval: '1m' };

  it('reads once per syncInterval, and again at once when the source changes', async () => {
    const { objects, reads } = fakeObjects({
      'peers/peers.json': PEERS,
      'other/peers.json': PEERS,
    });
    const reader = new InventoryReader({ objects, now });
    const first = await reader.read('ns/pool', 'ns', configMap);
    expect(first.read.kind).to.equal('read');
    expect(first.source).to.equal('ConfigMap peers/peers.json');
    nowMs += 30_000;
    const cached = await reader.read('ns/pool', 'ns', configMap);
    expect(cached.nextReadInMs).to.equal(30_000);
    expect(reads).to.have.length(1);
    await reader.read('ns/pool', 'ns', { ...configMap, configMapRef: { name: 'other' } });
    expect(reads).to.have.length(2);
    nowMs += 61_000;
    await reader.read('ns/pool', 'ns', { ...configMap, configMapRef: { name: 'other' } });
    expect(reads).to.have.length(3);
    reader.forget('ns/pool');
    await reader.read('ns/pool', 'ns', { ...configMap, configMapRef: { name: 'other' } });
    expect(reads).to.have.length(4);
  });

  it('tries a failed read again after 30 s, not a whole syncInterval', async () => {
    const { objects, reads } = fakeObjects({});
    const reader = new InventoryReader({ objects, now });
    const spec: InventorySpec = { configMapRef: { name: 'peers' }, syncInterval: '5m' };
    const failed = await reader.read('ns/retry', 'ns', spec);
    expect(failed.read.kind).to.equal('failed');
    expect(failed.nextReadInMs).to.equal(30_000);
    nowMs += 29_000;
    await reader.read('ns/retry', 'ns', spec);
    expect(reads).to.have.length(1);
    nowMs += 2_000;
    await reader.read('ns/retry', 'ns', spec);
    expect(reads).to.have.length(2);
  });

  const failures: {
    name: string;
    configMaps: Record<string, string>;
    reason: string;
    says: RegExp;
  }[] = [
    {
      name: 'a missing ConfigMap',
      configMaps: {},
      reason: 'InventoryUnavailable',
      says: /not found/,
    },
    {
      name: 'a missing key',
      configMaps: { 'peers/other.json': PEERS },
      reason: 'InventoryUnavailable',
      says: /no such key/,
    },
    {
      name: 'bad JSON',
      configMaps: { 'peers/peers.json': '{' },
      reason: 'InventoryInvalid',
      says: /ConfigMap peers\/peers.json/,
    },
  ];
  for (const tc of failures) {
    it(`reports ${tc.name} as a failed read, not an exception`, async () => {
      const reader = new InventoryReader({ objects: fakeObjects(tc.configMaps).objects, now });
      const { read } = await reader.read('ns/pool', 'ns', configMap);
      expect(read.kind).to.equal('failed');
      if (read.kind !== 'failed') return;
      expect(read.reason).to.equal(tc.reason);
      expect(read.message).to.match(tc.says);
    });
  }

  it('sends the API key from the Secret, trimmed, and never over http', async () => {
    const { objects } = fakeObjects({}, { 'key/apiKey': 's3cret-api-key\n' });
    const calls: { url: string; apiKey: string | undefined }[] = [];
    const sync = (url: string, apiKey: string | undefined): Promise<PeerInventory> => {
      calls.push({ url, apiKey });
      return Promise.resolve({ info: {}, replicas: [] });
    };
    const reader = new InventoryReader({ objects, now, sync });
    const https = await reader.read('ns/a', 'ns', {
      url: 'https://user:pw@inv.example/peers.json?token=t',
      apiKeySecretRef: { name: 'key' },
    });
    expect(https.source).to.equal('https://inv.example/peers.json');
    expect(calls).to.deep.equal([
      { url: 'https://user:pw@inv.example/peers.json?token=t', apiKey: 's3cret-api-key' },
    ]);
    const http = await reader.read('ns/b', 'ns', {
      url: 'http://inv.example/peers.json',
      apiKeySecretRef: { name: 'key' },
    });
    expect(http.read).to.include({ kind: 'failed', reason: 'InventoryUnavailable' });
    expect(calls).to.have.length(1);
    const noKey = await reader.read('ns/c', 'ns', {
      url: 'https://inv.example/peers.json',
      apiKeySecretRef: { name: 'missing' },
    });
    expect(noKey.read).to.include({ kind: 'failed' });
    expect(JSON.stringify(noKey)).not.to.contain('s3cret');
  });
});
