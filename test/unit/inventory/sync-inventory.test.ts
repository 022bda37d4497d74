import { inspect } from 'node:util';
import { expect } from 'chai';
import { InventorySyncError } from '../../../src/inventory/inventory-errors.js';
import { syncInventory, syncInventoryFromEnv } from '../../../src/inventory/sync-inventory.js';
import { rejection } from '../../support/rejection.js';

// Requests that are refused before anything is sent; the ones that reach a real HTTP server are
// in test/integration/inventory. The address is never contacted: each case fails first.
const URL_ = 'http://127.0.0.1:9/peers.json';

async function syncError(promise: Promise<unknown>): Promise<InventorySyncError> {
  const error = await rejection(promise);
  expect(error).to.be.instanceOf(InventorySyncError);
  return error as InventorySyncError;
}

describe('syncInventory before any request', () => {
  const badUrls: { name: string; url: string; message: string }[] = [
    {
      name: 'a relative URL',
      url: '/peers.json?token=s3cr3t',
      message: 'is not a valid absolute URL',
    },
    {
      name: 'an ftp URL',
      url: 'ftp://127.0.0.1/peers.json',
      message: 'must be http or https, not ftp',
    },
    {
      name: 'credentials in the URL',
      url: 'http://op:s3cr3t@127.0.0.1/peers.json',
      message: 'must not hold credentials (user:password@); give the API key instead',
    },
  ];
  for (const tc of badUrls) {
    it(`refuses ${tc.name} without quoting it`, async () => {
      const error = await syncError(syncInventory(tc.url, undefined));
      expect(error.failure).to.equal('invalid-request');
      expect(error.message).to.equal(
        `Could not sync the peer inventory: the sync URL ${tc.message}`,
      );
      expect(inspect(error)).not.to.contain('s3cr3t');
    });
  }

  for (const key of ['line\nbreak-key-1234', 'non-ascii-kéy-1234', ' padded-key-1234']) {
    it(`refuses an API key fetch could not send (${JSON.stringify(key)}) without quoting it`, async () => {
      const error = await syncError(syncInventory(URL_, key));
      expect(error.failure).to.equal('invalid-request');
      expect(error.message).to.contain('the API key cannot be sent in an HTTP header');
      expect(inspect(error, { depth: 10 })).not.to.contain(key.trim());
    });
  }

  it('refuses a timeout that is not positive', async () => {
    const error = await syncError(syncInventory(URL_, undefined, { timeoutMs: 0 }));
    expect(error.message).to.contain('timeoutMs must be a positive number');
  });

  it('does not start when the signal is already aborted, and keeps its reason', async () => {
    const reason = new Error('shutting down');
    const error = await syncError(syncInventory(URL_, 'k', { signal: AbortSignal.abort(reason) }));
    expect(error.failure).to.equal('aborted');
    expect(error.cause).to.equal(reason);
  });

  it('syncInventoryFromEnv requires PEERS_SYNC_URL', async () => {
    const error = await syncError(syncInventoryFromEnv({ PEERS_SYNC_APIKEY: 'key-abcdef' }));
    expect(error.failure).to.equal('invalid-request');
    expect(error.message).to.equal('Could not sync the peer inventory: PEERS_SYNC_URL is not set');
    expect(inspect(error)).not.to.contain('key-abcdef');
  });
});
