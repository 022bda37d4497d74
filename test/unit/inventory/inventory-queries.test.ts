import { hostname } from 'node:os';
import { expect } from 'chai';
import { PeerEndpointError, PeerNotFoundError } from '../../../src/inventory/inventory-errors.js';
import {
  getPeer,
  isEmptyInventory,
  localPeers,
  localhostPeer,
  peerEndpoint,
} from '../../../src/inventory/inventory-queries.js';
import type { InventoryPeer } from '../../../src/inventory/peer-inventory.js';
import { aPeer, anInventory } from './inventory-builders.js';

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}

const inventory = anInventory([
  aPeer('a1', { pid: 1, hostname: 'alpha.storage.example' }),
  aPeer('b1', { pid: 1, hostname: 'bravo' }),
  aPeer('a2', { pid: 2, hostname: 'ALPHA' }),
  aPeer('a3', { pid: 3, hostname: 'alpha.other.example' }),
  aPeer('x', { pid: 1 }),
  aPeer('ip1', { pid: 1, hostname: '10.0.0.1' }),
]);

describe('inventory queries', () => {
  describe('getPeer', () => {
    it('finds a peer by its exact name', () => {
      expect(getPeer(inventory, 'b1').hostname).to.equal('bravo');
    });

    it('throws PeerNotFoundError naming the peer and the inventory size', () => {
      const error = thrown(() => getPeer(inventory, 'A1'));
      expect(error).to.be.instanceOf(PeerNotFoundError);
      expect(error.message).to.equal('No peer named "A1" in the inventory (6 peers)');
    });
  });

  describe('localPeers', () => {
    const names = (peers: InventoryPeer[]): string[] => peers.map((p) => p.name);
    const cases: { name: string; host: string; expected: string[] }[] = [
      {
        name: 'a short host name matches FQDN and short entries, any case, in order',
        host: 'alpha',
        expected: ['a1', 'a2', 'a3'],
      },
      {
        name: 'a fully qualified host name matches by its first label',
        host: 'Alpha.Example.',
        expected: ['a1', 'a2', 'a3'],
      },
      {
        name: 'another host matches only its own peers',
        host: 'bravo.storage.example',
        expected: ['b1'],
      },
      { name: 'a prefix is not a match', host: 'alp', expected: [] },
      { name: 'an unknown host has no local peers', host: 'charlie', expected: [] },
      {
        name: 'an IP address is compared whole, not by its first "label"',
        host: '10.9.9.9',
        expected: [],
      },
      { name: 'an equal IP address matches', host: '10.0.0.1', expected: ['ip1'] },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(names(localPeers(inventory, tc.host))).to.deep.equal(tc.expected);
      });
    }

    it("uses this machine's host name by default (and for an empty one, as Go does)", () => {
      const here = anInventory([
        aPeer('here', { hostname: `${hostname()}.example` }),
        aPeer('other', { hostname: 'elsewhere-host' }),
      ]);
      expect(names(localPeers(here))).to.deep.equal(['here']);
      expect(names(localPeers(here, ''))).to.deep.equal(['here']);
    });
  });

  describe('localhostPeer', () => {
    it('returns the first local peer when no pid (or 0) is given', () => {
      expect(localhostPeer(inventory, 'alpha').name).to.equal('a1');
      expect(localhostPeer(inventory, 'alpha', 0).name).to.equal('a1');
    });

    it('picks the local peer with the precedence id asked for', () => {
      expect(localhostPeer(inventory, 'alpha', 2).name).to.equal('a2');
      expect(localhostPeer(inventory, 'alpha', 3).name).to.equal('a3');
    });

    it('does not take a peer with that pid from another host', () => {
      const error = thrown(() => localhostPeer(inventory, 'bravo', 2));
      expect(error).to.be.instanceOf(PeerNotFoundError);
      expect(error.message).to.equal('No peer on host "bravo" has pid 2 (its peers have pid 1)');
    });

    it('throws PeerNotFoundError when no peer is on the host', () => {
      const error = thrown(() => localhostPeer(inventory, 'charlie'));
      expect(error).to.be.instanceOf(PeerNotFoundError);
      expect(error.message).to.equal('No peer in the inventory is on host "charlie" (6 peers)');
    });
  });

  describe('peerEndpoint', () => {
    const cases: { name: string; peer: InventoryPeer; useDns?: boolean; expected: string }[] = [
      {
        name: 'IPv4',
        peer: aPeer('n', { ip_address: '10.250.0.11', port: 24007 }),
        expected: '10.250.0.11:24007',
      },
      {
        name: 'IPv6 in brackets',
        peer: aPeer('n', { ip_address: 'fd42:676f:70::11', port: 24007 }),
        expected: '[fd42:676f:70::11]:24007',
      },
      {
        name: 'IPv4-mapped IPv6 in brackets',
        peer: aPeer('n', { ip_address: '::ffff:10.0.0.1', port: 80 }),
        expected: '[::ffff:10.0.0.1]:80',
      },
      {
        name: 'the domain with DNS',
        peer: aPeer('n', { ip_address: '10.0.0.1', domain: 'n.storage.example', port: 24007 }),
        useDns: true,
        expected: 'n.storage.example:24007',
      },
      {
        name: 'the address without DNS even when there is a domain',
        peer: aPeer('n', { ip_address: '10.0.0.1', domain: 'n.storage.example', port: 24007 }),
        useDns: false,
        expected: '10.0.0.1:24007',
      },
    ];
    for (const tc of cases) {
      it(`gives ${tc.name}`, () => {
        expect(peerEndpoint(tc.peer, tc.useDns)).to.equal(tc.expected);
      });
    }

    const refused: { name: string; peer: InventoryPeer; useDns: boolean; message: string }[] = [
      {
        name: 'no address',
        peer: aPeer('n', { ip_address: '', domain: 'n.example' }),
        useDns: false,
        message: 'Peer "n" has no ip_address; use its domain (DNS)',
      },
      {
        name: 'DNS without a domain',
        peer: aPeer('n'),
        useDns: true,
        message: 'Peer "n" has no domain, so it has no DNS endpoint',
      },
      {
        name: 'port 0',
        peer: aPeer('n', { port: 0 }),
        useDns: false,
        message: 'Peer "n" has port 0, which cannot be reached',
      },
    ];
    for (const tc of refused) {
      it(`refuses a peer with ${tc.name}`, () => {
        const error = thrown(() => peerEndpoint(tc.peer, tc.useDns));
        expect(error).to.be.instanceOf(PeerEndpointError);
        expect(error.message).to.equal(tc.message);
        expect((error as PeerEndpointError).peerName).to.equal('n');
      });
    }
  });

  it('isEmptyInventory tells an inventory without peers', () => {
    expect(isEmptyInventory(anInventory([]))).to.equal(true);
    expect(isEmptyInventory(inventory)).to.equal(false);
  });
});
