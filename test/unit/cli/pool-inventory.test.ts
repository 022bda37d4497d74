import { expect } from 'chai';
import { namesToResolve, poolInventory } from '../../../src/cli/pool-inventory.js';
import type { PoolMember } from '../../../src/gluster/peer.js';
import { parsePeerInventory, serializePeerInventory } from '../../../src/inventory/index.js';

const member = (hostnames: string[], uuid: string, isLocal = false): PoolMember => ({
  uuid,
  hostname: hostnames[0] ?? '',
  hostnames,
  isConnected: true,
  state: isLocal ? undefined : 3,
  stateStr: isLocal ? undefined : 'Peer in Cluster',
  isLocal,
});

describe('poolInventory (dump)', () => {
  const members = [
    member(['gluster-2.example', '10.0.0.2'], 'uuid-2'),
    member(['gluster-3.example'], 'uuid-3'),
    member(['10.0.0.1'], 'uuid-1', true),
  ];
  const inventory = poolInventory(members, {
    askedNode: '10.0.0.1',
    addresses: new Map([['gluster-3.example', '10.0.0.3']]),
    now: new Date('2025-01-02T03:04:05Z'),
  });

  it('lists the node asked first, then the others, pid from 1, glusterd port', () => {
    expect(inventory.replicas).to.deep.equal([
      {
        pid: 1,
        name: '10.0.0.1',
        description: 'glusterd uuid-1 (the node asked, 10.0.0.1)',
        ip_address: '10.0.0.1',
        port: 24007,
      },
      {
        pid: 2,
        name: 'gluster-2.example',
        description: 'glusterd uuid-2',
        hostname: 'gluster-2.example',
        ip_address: '10.0.0.2',
        port: 24007,
      },
      {
        pid: 3,
        name: 'gluster-3.example',
        description: 'glusterd uuid-3',
        hostname: 'gluster-3.example',
        ip_address: '10.0.0.3',
        port: 24007,
      },
    ]);
    expect(inventory.info).to.include({ node: '10.0.0.1', generated: '2025-01-02T03:04:05.000Z' });
  });

  it('resolves only members gluster knows by name alone', () => {
    expect(namesToResolve(members)).to.deep.equal(['gluster-3.example']);
  });

  it('is a peers.json that loads back as it was', () => {
    const text = serializePeerInventory(inventory);
    expect(parsePeerInventory(text, 'dump')).to.deep.equal(inventory);
  });
});
