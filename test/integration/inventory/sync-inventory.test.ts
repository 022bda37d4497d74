import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  InventoryFormatError,
  InventorySyncError,
} from '../../../src/inventory/inventory-errors.js';
import { isEmptyInventory } from '../../../src/inventory/inventory-queries.js';
import { MAX_INVENTORY_BYTES } from '../../../src/inventory/peer-inventory.js';
import {
  MAX_SYNC_REDIRECTS,
  syncInventory,
  syncInventoryFromEnv,
} from '../../../src/inventory/sync-inventory.js';
import { findFreePorts } from '../../support/free-ports.js';
import type { LoggedLine } from '../../support/recording-logger.js';
import { recordingLogger } from '../../support/recording-logger.js';
import { rejection } from '../../support/rejection.js';

const RIGHT_KEY = 'right-key-7f3a9c51';
const WRONG_KEY = 'wrong-key-1b2d4e86';
const PEERS = JSON.stringify({
  info: { source: 'test' },
  replicas: [
    { pid: 1, name: 'gluster-1', ip_address: '10.250.0.11', port: 24007 },
    { pid: 2, name: 'gluster-2', ip_address: 'fd42:676f:70::12', port: 24007 },
  ],
});

interface SeenRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: http.IncomingHttpHeaders;
}

interface TestServer {
  readonly origin: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a port the kernel picks. */
async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, path: req.url, headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

/** Serves PEERS to the right key, 401 (echoing the key it got) to any other. */
function keyed(req: http.IncomingMessage, res: http.ServerResponse): void {
  const key = req.headers['x-api-key'];
  if (key === RIGHT_KEY) json(res, 200, PEERS);
  else json(res, 401, JSON.stringify({ error: `unknown key ${String(key)}` }));
}

async function syncError(promise: Promise<unknown>): Promise<InventorySyncError> {
  const error = await rejection(promise);
  expect(error).to.be.instanceOf(InventorySyncError);
  return error as InventorySyncError;
}

/** Everything a log line or a printed error could show: message, stack, causes, fields. */
function everything(error: unknown): string {
  return inspect(error, { depth: 20, showHidden: true });
}

describe('syncInventory against a real HTTP server', function () {
  this.timeout(30_000);
  const servers: TestServer[] = [];
  const serve = async (
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ): Promise<TestServer> => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('fetches the inventory with the right key, sending X-Api-Key and Accept', async () => {
    const server = await serve(keyed);
    const inventory = await syncInventory(`${server.origin}/peers.json`, RIGHT_KEY);
    expect(inventory.replicas.map((p) => p.name)).to.deep.equal(['gluster-1', 'gluster-2']);
    expect(inventory.info).to.deep.equal({ source: 'test' });
    expect(server.requests).to.have.length(1);
    const [request] = server.requests;
    expect(request?.method).to.equal('GET');
    expect(request?.path).to.equal('/peers.json');
    expect(request?.headers['x-api-key']).to.equal(RIGHT_KEY);
    expect(request?.headers.accept).to.equal('application/json');
  });

  it('sends no X-Api-Key at all without a key (or with an empty one)', async () => {
    const server = await serve((_req, res) => {
      json(res, 200, PEERS);
    });
    await syncInventory(`${server.origin}/peers.json`, undefined);
    await syncInventory(`${server.origin}/peers.json`, '');
    expect(server.requests.map((r) => 'x-api-key' in r.headers)).to.deep.equal([false, false]);
  });

  it('reports a refused key as key-refused, naming neither key, even though the server echoes it', async () => {
    const server = await serve(keyed);
    const lines: LoggedLine[] = [];
    const error = await syncError(
      syncInventory(`${server.origin}/peers.json`, WRONG_KEY, { logger: recordingLogger(lines) }),
    );
    expect(error.failure).to.equal('key-refused');
    expect(error.status).to.equal(401);
    expect(error.message).to.equal(
      `Could not sync the peer inventory from ${server.origin}/peers.json: the server refused the API key (HTTP 401 Unauthorized)`,
    );
    for (const text of [everything(error), JSON.stringify(lines)]) {
      expect(text).not.to.contain(WRONG_KEY);
      expect(text).not.to.contain(RIGHT_KEY);
    }
  });

  it('says when the server wants a key and none was given; 403 is a refusal too', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/forbidden' ? 403 : 401).end();
    });
    const missing = await syncError(syncInventory(`${server.origin}/peers.json`, undefined));
    expect(missing.message).to.contain(
      'the server requires an API key and none was given (HTTP 401',
    );
    const forbidden = await syncError(syncInventory(`${server.origin}/forbidden`, WRONG_KEY));
    expect(forbidden.failure).to.equal('key-refused');
    expect(forbidden.status).to.equal(403);
  });

  it('reports a 500 with the status and the start of the body, the key blanked out', async () => {
    const server = await serve((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`database down\n(request carried key ${String(req.headers['x-api-key'])})`);
    });
    const error = await syncError(syncInventory(`${server.origin}/peers.json`, RIGHT_KEY));
    expect(error.failure).to.equal('http-status');
    expect(error.status).to.equal(500);
    expect(error.message).to.equal(
      `Could not sync the peer inventory from ${server.origin}/peers.json: HTTP 500 Internal Server Error: database down (request carried key [redacted])`,
    );
    expect(everything(error)).not.to.contain(RIGHT_KEY);
  });

  it('hides the query string of the URL, which may carry a token', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(502).end();
    });
    const error = await syncError(
      syncInventory(`${server.origin}/peers.json?token=t0ken-xyz`, undefined),
    );
    expect(error.url).to.equal(`${server.origin}/peers.json?…`);
    expect(error.message).to.contain(`${server.origin}/peers.json?…: HTTP 502`);
    expect(everything(error)).not.to.contain('t0ken-xyz');
    expect(server.requests[0]?.path).to.equal('/peers.json?token=t0ken-xyz');
  });

  it('reports a body that is not JSON as bad-format, with the InventoryFormatError as cause', async () => {
    const server = await serve((_req, res) => {
      json(res, 200, '<html>maintenance</html>');
    });
    const error = await syncError(syncInventory(`${server.origin}/peers.json`, RIGHT_KEY));
    expect(error.failure).to.equal('bad-format');
    expect(error.status).to.equal(200);
    expect(error.cause).to.be.instanceOf(InventoryFormatError);
    expect((error.cause as InventoryFormatError).source).to.equal(`${server.origin}/peers.json`);
    expect(error.message).to.contain(`${server.origin}/peers.json: is not valid JSON`);
  });

  it('keeps the key, and any part of it, out of a bad-format error and its cause', async () => {
    const bodies = [
      `{"replicas": [{"name": "n", "pid": 1, "ip_address": "10.0.0.1", "port": "${RIGHT_KEY}"}]}`,
      `{"replicas": [{"name": "n", "pid": 1, "ip_address": "10.0.0.1", "port": 1, "aws_instance": {"${RIGHT_KEY}": 1}}]}`,
      `{"info": {"pad": "${'x'.repeat(50)}${RIGHT_KEY}"}, "replicas": 1}`,
      RIGHT_KEY,
      `{"k": tru "${RIGHT_KEY}"}`,
    ];
    for (const body of bodies) {
      const server = await serve((_req, res) => {
        json(res, 200, body);
      });
      const error = await syncError(syncInventory(`${server.origin}/peers.json`, RIGHT_KEY));
      expect(error.failure).to.equal('bad-format');
      // V8 quotes ~10 characters of bad JSON; a part of the key is a leak too.
      expect(everything(error), body).not.to.contain(RIGHT_KEY.slice(0, 8));
    }
  });

  it('returns an empty list as it is, easy to detect, and warns in the log', async () => {
    const server = await serve((_req, res) => {
      json(res, 200, '{"info": {}, "replicas": []}');
    });
    const lines: LoggedLine[] = [];
    const inventory = await syncInventory(`${server.origin}/peers.json`, RIGHT_KEY, {
      logger: recordingLogger(lines),
    });
    expect(inventory.replicas).to.deep.equal([]);
    expect(isEmptyInventory(inventory)).to.equal(true);
    expect(lines.map((l) => [l.level, l.message])).to.deep.equal([
      ['warn', 'Fetched a peer inventory with no peers'],
    ]);
    expect(lines[0]?.meta).to.include({ url: `${server.origin}/peers.json`, status: 200 });
    expect(JSON.stringify(lines)).not.to.contain(RIGHT_KEY);
  });

  it('logs a fetched inventory at debug level, without the key', async () => {
    const server = await serve(keyed);
    const lines: LoggedLine[] = [];
    await syncInventory(`${server.origin}/peers.json`, RIGHT_KEY, {
      logger: recordingLogger(lines),
    });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'debug', message: 'Fetched peer inventory' });
    expect(lines[0]?.meta).to.include({ peers: 2, status: 200, bytes: PEERS.length });
    expect(JSON.stringify(lines)).not.to.contain(RIGHT_KEY);
  });

  it('gives up on a server that never answers at about the timeout', async () => {
    const server = await serve(() => {
      // never answers; the connection is closed by afterEach
    });
    const started = performance.now();
    const error = await syncError(
      syncInventory(`${server.origin}/peers.json`, RIGHT_KEY, { timeoutMs: 300 }),
    );
    const elapsedMs = performance.now() - started;
    expect(error.failure).to.equal('timeout');
    expect(error.message).to.contain('no complete answer within 300 ms');
    expect(elapsedMs).to.be.at.least(250).and.below(5_000);
  });

  it('times out a body that stops half way: the timeout covers the whole answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"replicas": [');
    });
    const started = performance.now();
    const error = await syncError(
      syncInventory(`${server.origin}/peers.json`, undefined, { timeoutMs: 300 }),
    );
    expect(error.failure).to.equal('timeout');
    expect(performance.now() - started)
      .to.be.at.least(250)
      .and.below(5_000);
  });

  it("stops when the caller's signal aborts, and says it was aborted, not timed out", async () => {
    const server = await serve(() => {
      // never answers
    });
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort(new Error('lost leadership'));
    }, 100);
    const error = await syncError(
      syncInventory(`${server.origin}/peers.json`, undefined, { signal: controller.signal }),
    );
    expect(error.failure).to.equal('aborted');
    expect((error.cause as Error).message).to.equal('lost leadership');
  });

  it('reports a refused connection (nothing listening) as network', async () => {
    const [port] = await findFreePorts(1);
    const error = await syncError(
      syncInventory(`http://127.0.0.1:${String(port)}/peers.json`, RIGHT_KEY),
    );
    expect(error.failure).to.equal('network');
    expect(error.status).to.equal(undefined);
    expect(error.message).to.contain('could not reach the server').and.contain('ECONNREFUSED');
    expect(everything(error)).not.to.contain(RIGHT_KEY);
  });

  it('refuses a body over maxBytes, announced or not', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/announced') {
        res.writeHead(200, { 'content-length': '5000' });
        res.end(' '.repeat(5000));
        return;
      }
      res.writeHead(200); // chunked: the size is only known by reading
      for (let i = 0; i < 5; i++) res.write(' '.repeat(1000));
      res.end();
    });
    const announced = await syncError(
      syncInventory(`${server.origin}/announced`, undefined, { maxBytes: 1000 }),
    );
    expect(announced.failure).to.equal('too-large');
    expect(announced.message).to.contain(
      'larger than the limit of 1000 bytes (5000 bytes announced)',
    );
    const chunked = await syncError(
      syncInventory(`${server.origin}/chunked`, undefined, { maxBytes: 1000 }),
    );
    expect(chunked.failure).to.equal('too-large');
    expect(chunked.message).to.contain(
      'larger than the limit of 1000 bytes (the body went past it)',
    );
  });

  it('stops reading an endless body at the 4 MiB default', async () => {
    let written = 0;
    const limit = 64 * 1024 * 1024;
    const server = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (written < limit && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const error = await syncError(syncInventory(`${server.origin}/peers.json`, undefined));
    expect(error.failure).to.equal('too-large');
    expect(error.message).to.contain(`limit of ${MAX_INVENTORY_BYTES} bytes`);
    expect(written).to.be.below(limit);
  });

  it('counts the decompressed size: a small gzip that inflates past the cap is refused', async () => {
    const bomb = gzipSync(`{"info": {"pad": "${'x'.repeat(MAX_INVENTORY_BYTES)}"}}`);
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' });
      res.end(req.url === '/small' ? gzipSync(PEERS) : bomb);
    });
    expect(bomb.length).to.be.below(64 * 1024);
    const small = await syncInventory(`${server.origin}/small`, undefined);
    expect(small.replicas).to.have.length(2);
    const error = await syncError(syncInventory(`${server.origin}/bomb`, undefined));
    expect(error.failure).to.equal('too-large');
  });

  it('follows a redirect within the origin, sending the key again', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/old') res.writeHead(301, { location: '/peers.json' }).end();
      else keyed(req, res);
    });
    const inventory = await syncInventory(`${server.origin}/old`, RIGHT_KEY);
    expect(inventory.replicas).to.have.length(2);
    expect(server.requests.map((r) => [r.path, r.headers['x-api-key']])).to.deep.equal([
      ['/old', RIGHT_KEY],
      ['/peers.json', RIGHT_KEY],
    ]);
  });

  it('refuses to take the key to another origin on a redirect', async () => {
    const elsewhere = await serve(keyed);
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.origin}/peers.json` }).end();
    });
    const error = await syncError(syncInventory(`${server.origin}/peers.json`, RIGHT_KEY));
    expect(error.failure).to.equal('redirect');
    expect(error.status).to.equal(302);
    expect(error.message).to.contain(
      `redirects to another origin (${elsewhere.origin}/peers.json), and the API key is only sent to ${server.origin}`,
    );
    expect(elsewhere.requests).to.have.length(0);
  });

  it('follows a redirect to another origin when there is no key to leak', async () => {
    const elsewhere = await serve((_req, res) => {
      json(res, 200, PEERS);
    });
    const server = await serve((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.origin}/peers.json` }).end();
    });
    expect((await syncInventory(`${server.origin}/x`, undefined)).replicas).to.have.length(2);
    expect(elsewhere.requests).to.have.length(1);
  });

  it(`gives up after ${MAX_SYNC_REDIRECTS} redirects`, async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: '/loop' }).end();
    });
    const error = await syncError(syncInventory(`${server.origin}/loop`, RIGHT_KEY));
    expect(error.failure).to.equal('redirect');
    expect(error.message).to.contain(`more than ${MAX_SYNC_REDIRECTS} redirects`);
    expect(server.requests).to.have.length(MAX_SYNC_REDIRECTS + 1);
  });

  it('syncInventoryFromEnv reads PEERS_SYNC_URL and PEERS_SYNC_APIKEY', async () => {
    const server = await serve(keyed);
    const inventory = await syncInventoryFromEnv({
      PEERS_SYNC_URL: `${server.origin}/peers.json`,
      PEERS_SYNC_APIKEY: RIGHT_KEY,
    });
    expect(inventory.replicas.map((p) => p.name)).to.deep.equal(['gluster-1', 'gluster-2']);
    const error = await syncError(
      syncInventoryFromEnv({ PEERS_SYNC_URL: `${server.origin}/peers.json` }),
    );
    expect(error.message).to.contain('none was given');
    expect(server.requests.map((r) => r.headers['x-api-key'])).to.deep.equal([
      RIGHT_KEY,
      undefined,
    ]);
  });
});
