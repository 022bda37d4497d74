import { expect } from 'chai';
import type { GlusterClusterSpec, InventoryStatus } from '../../../src/api/gluster-cluster.js';
import type { InventoryRead, InventoryReplica } from '../../../src/core/desired-nodes.js';
import { nodesFromInventory, resolveDesiredNodes } from '../../../src/core/desired-nodes.js';

const SOURCE = 'ConfigMap peers/peers.json';
const T0 = '2026-11-22T05:00:00Z';
const T1 = '2026-11-22T05:05:00Z';
const ssh = { secretRef: { name: 'gluster-ssh' } };
const inventorySpec: GlusterClusterSpec = {
  inventory: { configMapRef: { name: 'peers' } },
  ssh,
};
const replica = (
  name: string,
  ip: string,
  extra: Partial<InventoryReplica> = {},
): InventoryReplica => ({
  name,
  ip_address: ip,
  ...extra,
});
const read = (...replicas: InventoryReplica[]): InventoryRead => ({
  kind: 'read',
  replicas,
  at: T1,
});
const failed: InventoryRead = {
  kind: 'failed',
  reason: 'InventoryUnavailable',
  message: 'ConfigMap peers/peers.json: not found',
  at: T1,
};
const lastGood: InventoryStatus = {
  source: SOURCE,
  lastSyncTime: T0,
  lastSuccessfulSyncTime: T0,
  nodes: [
    { address: '10.250.0.11', name: 'n1' },
    { address: '10.250.0.12', name: 'n2' },
    { address: '10.250.0.13', name: 'n3' },
  ],
};

describe('resolveDesiredNodes', () => {
  it('takes inline nodes as they are, with no inventory status', () => {
    const spec: GlusterClusterSpec = { nodes: [{ address: '10.250.0.11' }], ssh };
    expect(resolveDesiredNodes({ spec })).to.deep.equal({ nodes: [{ address: '10.250.0.11' }] });
  });

  it('puts a good read in force and says Synced', () => {
    const desired = resolveDesiredNodes({
      spec: inventorySpec,
      source: SOURCE,
      read: read(replica('n1', '10.250.0.11'), replica('n2', '10.250.0.12')),
      previous: lastGood,
    });
    expect(desired.nodes).to.deep.equal([
      { address: '10.250.0.11', name: 'n1' },
      { address: '10.250.0.12', name: 'n2' },
    ]);
    expect(desired.inventory?.condition).to.deep.equal({
      type: 'InventorySynced',
      status: 'True',
      reason: 'Synced',
      message: `Read 2 nodes from ${SOURCE}`,
    });
    expect(desired.inventory?.status).to.deep.equal({
      source: SOURCE,
      lastSyncTime: T1,
      lastSuccessfulSyncTime: T1,
      nodes: desired.nodes,
    });
  });

  // Never shrink on a broken inventory: every kind of bad read keeps the last good list.
  const badReads: {
    name: string;
    read: InventoryRead | undefined;
    reason: string;
    says: RegExp;
  }[] = [
    { name: 'a failed read', read: failed, reason: 'InventoryUnavailable', says: /not found/ },
    { name: 'an empty list', read: read(), reason: 'InventoryEmpty', says: /lists no replicas/ },
    {
      name: 'a hostile address',
      read: read(replica('n1', '10.250.0.11'), replica('evil', '10.0.0.1;reboot')),
      reason: 'InventoryInvalid',
      says: /replicas\[1\] \(evil\): .*not a valid/,
    },
    {
      name: 'a replica without the address field',
      read: read(replica('n1', '')),
      reason: 'InventoryInvalid',
      says: /replicas\[0\] \(n1\) has no ip_address/,
    },
    {
      name: 'an address listed twice',
      read: read(replica('a', '10.250.0.11'), replica('b', '10.250.0.11')),
      reason: 'InventoryInvalid',
      says: /listed twice/,
    },
    {
      name: '65 replicas',
      read: read(
        ...Array.from({ length: 65 }, (_, i) => replica(`n${String(i)}`, `10.250.1.${String(i)}`)),
      ),
      reason: 'InventoryInvalid',
      says: /at most 64/,
    },
    {
      name: 'no read yet',
      read: undefined,
      reason: 'InventoryNotRead',
      says: /has not been read yet/,
    },
  ];
  for (const tc of badReads) {
    it(`keeps the last good list after ${tc.name}`, () => {
      const desired = resolveDesiredNodes({
        spec: inventorySpec,
        source: SOURCE,
        ...(tc.read ? { read: tc.read } : {}),
        previous: lastGood,
      });
      expect(desired.nodes.map((node) => node.address)).to.deep.equal([
        '10.250.0.11',
        '10.250.0.12',
        '10.250.0.13',
      ]);
      expect(desired.inventory?.condition.status).to.equal('False');
      expect(desired.inventory?.condition.reason).to.equal(tc.reason);
      expect(desired.inventory?.condition.message).to.match(tc.says);
      expect(desired.inventory?.condition.message).to.match(
        /Keeping the last good list of 3 nodes/,
      );
      expect(desired.inventory?.status.nodes).to.deep.equal(lastGood.nodes);
      expect(desired.inventory?.status.lastSuccessfulSyncTime).to.equal(T0);
    });

    it(`has no nodes, and says nothing changes, after ${tc.name} with no good list yet`, () => {
      const desired = resolveDesiredNodes({
        spec: inventorySpec,
        source: SOURCE,
        ...(tc.read ? { read: tc.read } : {}),
      });
      expect(desired.nodes).to.deep.equal([]);
      expect(desired.inventory?.condition.message).to.match(/No good list .* nothing is changed/);
    });
  }

  it('does not take the last good list of another source', () => {
    const desired = resolveDesiredNodes({
      spec: inventorySpec,
      source: 'ConfigMap other/peers.json',
      read: failed,
      previous: lastGood,
    });
    expect(desired.nodes).to.deep.equal([]);
  });
});

describe('nodesFromInventory', () => {
  it('takes the address from the field asked for, a DNS-label name and an AWS zone', () => {
    const replicas = [
      replica('alpha', '10.250.0.11', {
        hostname: 'alpha.storage.example',
        domain: 'alpha.example.com',
        aws_instance: { availability_zone: 'eu-west-1a' },
      }),
      replica('Not A Label', '10.250.0.12', { hostname: 'beta', domain: 'beta.example.com' }),
    ];
    expect(nodesFromInventory(replicas, 'IPAddress')).to.deep.equal({
      nodes: [
        { address: '10.250.0.11', name: 'alpha', zone: 'eu-west-1a' },
        { address: '10.250.0.12' },
      ],
    });
    expect(nodesFromInventory(replicas, 'Hostname')).to.deep.equal({
      nodes: [
        { address: 'alpha.storage.example', name: 'alpha', zone: 'eu-west-1a' },
        { address: 'beta' },
      ],
    });
    expect(nodesFromInventory(replicas, 'Domain')).to.deep.include({
      nodes: [
        { address: 'alpha.example.com', name: 'alpha', zone: 'eu-west-1a' },
        { address: 'beta.example.com' },
      ],
    });
  });

  it('refuses a list with a hostname field missing when Hostname is asked for', () => {
    expect(nodesFromInventory([replica('a', '10.250.0.11')], 'Hostname')).to.deep.equal({
      problem: 'replicas[0] (a) has no hostname',
    });
  });

  it('refuses a name used twice', () => {
    expect(
      nodesFromInventory([replica('a', '10.250.0.11'), replica('a', '10.250.0.12')], 'IPAddress'),
    ).to.deep.equal({ problem: 'replicas[1] (a): name a is listed twice' });
  });
});
