import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { GlusterdEvent } from '../../../src/core/events/glusterd-event.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  eventsPathOf,
  startWebhookReceiver,
  type EventSinkPort,
  type ReceivedOutcome,
  type RunningWebhookReceiver,
  type SinkVerdict,
  type WebhookReceiverOptions,
} from '../../../src/events/webhook-receiver.js';
import { recordingLogger, type LoggedLine } from '../../support/recording-logger.js';

const POOL = 'storage/pool-a';
const POOL_PATH = '/v1/events/storage/pool-a';
const TOKEN = 'pool-a-token-5f1e9c2d7b';
const OTHER_TOKEN = 'pool-b-token-0a3c8e6f4d';
const FORGED_TOKEN = 'forged-token-9d8c7b6a';
const SECRETS = [TOKEN, OTHER_TOKEN, FORGED_TOKEN];

const EVENT_BODY = JSON.stringify({
  nodeid: '4f6a0e7c-1b2d-4c3e-9f80-a1b2c3d4e5f6',
  ts: 1_765_000_000,
  event: 'PEER_DISCONNECT',
  message: { peer: 'node-2.storage.example', state: 'Peer in Cluster' },
});

interface AcceptCall {
  readonly clusterKey: string;
  readonly event: GlusterdEvent;
  readonly digest: string;
  readonly receivedMs: number;
}

/** A sink with tokens for pool-a and pool-b that records what it takes. */
class FakeSink implements EventSinkPort {
  readonly accepted: AcceptCall[] = [];
  verdict: SinkVerdict | 'throw' = 'accepted';
  readonly tokens = new Map([
    [POOL, TOKEN],
    ['storage/pool-b', OTHER_TOKEN],
  ]);

  tokenOf(clusterKey: string): string | undefined {
    return this.tokens.get(clusterKey);
  }

  accept(clusterKey: string, event: GlusterdEvent, digest: string, receivedMs: number) {
    this.accepted.push({ clusterKey, event, digest, receivedMs });
    if (this.verdict === 'throw') throw new Error('ledger exploded');
    return this.verdict;
  }
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the server closed the connection after answering. */
  readonly closed: boolean;
}

interface Post {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
}

/**
 * A request with every header under the test's control (fetch adds and normalises some), on a
 * connection the client offers to keep: whether it closes is then the server's choice.
 */
function send(url: string, post: Post): Promise<Answer> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: post.method ?? 'POST',
        path: post.path ?? POOL_PATH,
        headers: post.headers ?? {},
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let closed = false;
        let finish: (() => void) | undefined;
        response.socket.once('close', () => {
          closed = true;
          finish?.();
        });
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          // A server that closes does so right after the body; one that keeps the connection
          // is given a while to show it does.
          finish = () => {
            clearTimeout(timer);
            agent.destroy();
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              closed,
            });
          };
          const timer = setTimeout(finish, 200);
          if (closed) finish();
        });
      },
    );
    request.on('error', (error) => {
      agent.destroy();
      reject(error);
    });
    request.end(post.body);
  });
}

const validHeaders = (token = TOKEN): OutgoingHttpHeaders => ({
  'content-type': 'application/json',
  authorization: `Bearer ${token}`,
});

describe('startWebhookReceiver', () => {
  let receiver: RunningWebhookReceiver;
  let sink: FakeSink;
  let leading: boolean;
  let lines: LoggedLine[];
  let outcomes: ReceivedOutcome[];
  let nowMs: number;

  const start = async (overrides: Partial<WebhookReceiverOptions> = {}): Promise<void> => {
    receiver = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      logger: recordingLogger(lines),
      sink: () => (leading ? sink : undefined),
      onOutcome: (outcome) => outcomes.push(outcome),
      now: () => nowMs,
      ...overrides,
    });
  };

  beforeEach(() => {
    sink = new FakeSink();
    leading = true;
    lines = [];
    outcomes = [];
    nowMs = 1_765_000_000_123;
  });

  afterEach(async () => {
    await receiver.close();
  });

  describe('with the default limits', () => {
    beforeEach(async () => {
      await start();
    });

    it('takes a valid post: the parsed event, a digest of the bytes, 200 and "accepted"', async () => {
      const answer = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
      expect(answer.status).to.equal(200);
      expect(JSON.parse(answer.body)).to.deep.equal({ result: 'accepted' });
      expect(answer.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(answer.closed, 'a good post may keep its connection').to.equal(false);
      expect(sink.accepted).to.deep.equal([
        {
          clusterKey: POOL,
          event: {
            nodeId: '4f6a0e7c-1b2d-4c3e-9f80-a1b2c3d4e5f6',
            tsSeconds: 1_765_000_000,
            type: 'PEER_DISCONNECT',
            message: { peer: 'node-2.storage.example', state: 'Peer in Cluster' },
          },
          digest: createHash('sha256').update(EVENT_BODY).digest('hex'),
          receivedMs: 1_765_000_000_123,
        },
      ]);
      expect(outcomes).to.deep.equal([
        { clusterKey: POOL, event: 'PEER_DISCONNECT', result: 'accepted' },
      ]);
    });

    it('accepts a Content-Type with parameters and a chunked body within the limit', async () => {
      const answer = await send(receiver.url, {
        headers: {
          ...validHeaders(),
          'content-type': 'Application/JSON; charset=utf-8',
          'transfer-encoding': 'chunked',
        },
        body: EVENT_BODY,
      });
      expect(answer.status).to.equal(200);
      expect(sink.accepted).to.have.length(1);
      expect(sink.accepted[0]?.digest).to.equal(
        createHash('sha256').update(EVENT_BODY).digest('hex'),
      );
    });

    for (const verdict of ['duplicate', 'stale', 'unknown-node', 'replayed'] as const) {
      it(`passes the sink's "${verdict}" through to the answer and the outcome`, async () => {
        sink.verdict = verdict;
        const answer = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
        expect(answer.status).to.equal(200);
        expect(JSON.parse(answer.body)).to.deep.equal({ result: verdict });
        expect(outcomes).to.deep.equal([
          { clusterKey: POOL, event: 'PEER_DISCONNECT', result: verdict },
        ]);
      });
    }

    interface RejectionCase {
      readonly name: string;
      readonly post: Post;
      readonly status: number;
      readonly outcome: ReceivedOutcome;
      /** Whether the body had been read (then the connection may be kept). */
      readonly bodyRead?: boolean;
      readonly standby?: boolean;
    }
    const unauthorized = (name: string, headers: OutgoingHttpHeaders): RejectionCase => ({
      name,
      post: { headers: { 'content-type': 'application/json', ...headers }, body: EVENT_BODY },
      status: 401,
      outcome: { clusterKey: POOL, result: 'unauthorized' },
    });
    const notFound = (path: string): RejectionCase => ({
      name: `an unknown path ${path}`,
      post: { path, headers: validHeaders(), body: EVENT_BODY },
      status: 404,
      outcome: { result: 'not-found' },
    });
    const rejections: RejectionCase[] = [
      unauthorized('a forged token', { authorization: `Bearer ${FORGED_TOKEN}` }),
      unauthorized('no Authorization header', {}),
      unauthorized("another pool's token", { authorization: `Bearer ${OTHER_TOKEN}` }),
      unauthorized('the token under another scheme', { authorization: `Basic ${TOKEN}` }),
      unauthorized('the token with something after it', {
        authorization: `Bearer ${TOKEN} ${TOKEN}`,
      }),
      unauthorized('a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }),
      {
        name: 'an unknown pool',
        post: {
          path: '/v1/events/storage/pool-z',
          headers: validHeaders(FORGED_TOKEN),
          body: EVENT_BODY,
        },
        status: 401,
        outcome: { clusterKey: 'storage/pool-z', result: 'unknown-cluster' },
      },
      {
        name: 'a body over the limit by Content-Length',
        post: { headers: { ...validHeaders(), 'content-length': '65537' } },
        status: 413,
        outcome: { clusterKey: POOL, result: 'too-large' },
      },
      {
        name: 'a body that is not JSON',
        post: { headers: validHeaders(), body: `{"token": "${TOKEN}", oops` },
        status: 400,
        outcome: { clusterKey: POOL, result: 'malformed' },
        bodyRead: true,
      },
      {
        name: 'JSON that is not an event',
        post: {
          headers: validHeaders(),
          body: JSON.stringify({ ...JSON.parse(EVENT_BODY), nodeid: TOKEN }),
        },
        status: 400,
        outcome: { clusterKey: POOL, result: 'malformed' },
        bodyRead: true,
      },
      {
        name: 'GET',
        post: { method: 'GET', headers: validHeaders() },
        status: 405,
        outcome: { result: 'method' },
      },
      {
        name: 'PUT',
        post: { method: 'PUT', headers: validHeaders(), body: EVENT_BODY },
        status: 405,
        outcome: { result: 'method' },
      },
      notFound('/v1/events/storage/pool-a/extra'),
      notFound('/v1/events/Storage/pool-a'),
      notFound('/v1/events/storage/pool-a?x=1'),
      notFound('/v1/events/storage/pool-a/'),
      notFound('/v1/events/storage'),
      notFound('/v1/events/%73torage/pool-a'),
      notFound('/v1/events/storage/-pool-a'),
      notFound('/v1/events/stor.age/pool-a'),
      notFound('/v1/events//pool-a'),
      notFound('/v2/events/storage/pool-a'),
      notFound('/'),
      {
        name: 'a text/plain body',
        post: { headers: { ...validHeaders(), 'content-type': 'text/plain' }, body: EVENT_BODY },
        status: 415,
        outcome: { clusterKey: POOL, result: 'media-type' },
      },
      {
        name: 'no Content-Type',
        post: { headers: { authorization: `Bearer ${TOKEN}` }, body: EVENT_BODY },
        status: 415,
        outcome: { clusterKey: POOL, result: 'media-type' },
      },
      {
        name: 'a look-alike media type',
        post: {
          headers: { ...validHeaders(), 'content-type': 'application/jsonp' },
          body: EVENT_BODY,
        },
        status: 415,
        outcome: { clusterKey: POOL, result: 'media-type' },
      },
      {
        name: 'a post to a standby replica',
        post: { headers: validHeaders(), body: EVENT_BODY },
        status: 503,
        outcome: { clusterKey: POOL, result: 'standby' },
        standby: true,
      },
    ];

    for (const tc of rejections) {
      it(`rejects ${tc.name} with ${tc.status}, never reaching the sink`, async () => {
        if (tc.standby) leading = false;
        const answer = await send(receiver.url, tc.post);
        expect(answer.status).to.equal(tc.status);
        expect(answer.headers['content-type']).to.equal('application/json; charset=utf-8');
        expect(JSON.parse(answer.body)).to.have.all.keys('error');
        expect(sink.accepted).to.deep.equal([]);
        expect(outcomes).to.deep.equal([tc.outcome]);
        if (tc.bodyRead) {
          expect(answer.closed, 'the body was read: the connection may stay').to.equal(false);
        } else {
          expect(answer.headers.connection).to.equal('close');
          expect(answer.closed, 'an unread body must not be drained').to.equal(true);
        }
        for (const secret of SECRETS) expect(answer.body).to.not.contain(secret);
        const rejection = lines.find((line) => line.message === 'Rejected an event post');
        expect(rejection?.level).to.equal('debug');
        expect(rejection?.meta).to.include({
          reason: tc.outcome.result,
          remoteAddress: '127.0.0.1',
        });
      });
    }

    it('answers an unknown pool exactly as a wrong token, so pools cannot be enumerated', async () => {
      const unknown = await send(receiver.url, {
        path: '/v1/events/storage/pool-z',
        headers: validHeaders(),
        body: EVENT_BODY,
      });
      const wrong = await send(receiver.url, {
        headers: validHeaders(FORGED_TOKEN),
        body: EVENT_BODY,
      });
      expect(unknown.status).to.equal(401);
      expect(unknown.body).to.equal(wrong.body);
      expect(unknown.headers['www-authenticate']).to.equal(wrong.headers['www-authenticate']);
      expect(outcomes.map((outcome) => outcome.result)).to.deep.equal([
        'unknown-cluster',
        'unauthorized',
      ]);
    });

    it('answers 413 to a chunked body as soon as it passes the limit, without its end', async () => {
      await receiver.close();
      await start({ maxBodyBytes: 1_000 });
      const target = new URL(receiver.url);
      const answer = await new Promise<{ status: number; connection: string | undefined }>(
        (resolve, reject) => {
          const request = httpRequest({
            host: target.hostname,
            port: target.port,
            method: 'POST',
            path: POOL_PATH,
            headers: { ...validHeaders(), 'transfer-encoding': 'chunked' },
            agent: false,
          });
          request.on('response', (response) => {
            response.resume();
            resolve({ status: response.statusCode ?? 0, connection: response.headers.connection });
          });
          request.on('error', reject);
          request.write('x'.repeat(600));
          // The second chunk passes the limit; the request is never ended.
          setTimeout(() => request.write('x'.repeat(600)), 50);
        },
      );
      expect(answer).to.deep.equal({ status: 413, connection: 'close' });
      expect(sink.accepted).to.deep.equal([]);
      expect(outcomes).to.deep.equal([{ clusterKey: POOL, result: 'too-large' }]);
    });

    it('never logs or answers the token, the Authorization header or the body', async () => {
      sink.verdict = 'throw';
      const posts: Post[] = [
        { headers: validHeaders(), body: EVENT_BODY },
        { headers: validHeaders(FORGED_TOKEN), body: EVENT_BODY },
        { headers: validHeaders(OTHER_TOKEN), body: EVENT_BODY },
        { headers: validHeaders(), body: `{"secret": "${FORGED_TOKEN}"` },
        { headers: validHeaders(), body: JSON.stringify({ nodeid: FORGED_TOKEN }) },
        { path: '/v1/events/storage/pool-z', headers: validHeaders(), body: EVENT_BODY },
      ];
      const bodies: string[] = [];
      for (const post of posts) bodies.push((await send(receiver.url, post)).body);
      expect(lines.length).to.be.above(posts.length - 1);
      const logged = JSON.stringify(lines);
      for (const secret of [...SECRETS, 'Bearer', 'node-2.storage.example']) {
        expect(logged).to.not.contain(secret);
        for (const body of bodies) expect(body).to.not.contain(secret);
      }
    });

    it('answers 500 when the sink throws, logs it, and keeps serving', async () => {
      sink.verdict = 'throw';
      const failed = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
      expect(failed.status).to.equal(500);
      expect(JSON.parse(failed.body)).to.deep.equal({ error: 'internal error' });
      expect(lines).to.deep.include({
        level: 'error',
        message: 'Failed to take an event',
        meta: { cluster: POOL, event: 'PEER_DISCONNECT', error: 'ledger exploded' },
      });
      sink.verdict = 'accepted';
      const next = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
      expect(next.status).to.equal(200);
      expect(outcomes.map((outcome) => outcome.result)).to.deep.equal([
        'internal-error',
        'accepted',
      ]);
    });

    it('keeps a connection alive across good posts', async () => {
      const agentUrl = `${receiver.url}${POOL_PATH}`;
      for (let index = 0; index < 3; index += 1) {
        const response = await fetch(agentUrl, {
          method: 'POST',
          headers: validHeaders() as Record<string, string>,
          body: EVENT_BODY,
        });
        expect(response.status).to.equal(200);
        expect(response.headers.get('connection')).to.not.equal('close');
        await response.text();
      }
      expect(sink.accepted).to.have.length(3);
    });

    it('closes promptly with keep-alive connections open, then refuses connections', async () => {
      const response = await fetch(`${receiver.url}${POOL_PATH}`, {
        method: 'POST',
        headers: validHeaders() as Record<string, string>,
        body: EVENT_BODY,
      });
      await response.text();
      const started = performance.now();
      await receiver.close();
      expect(performance.now() - started).to.be.below(1_000);
      let error: unknown;
      try {
        await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
    });
  });

  it('rate-limits each pool to its burst, then answers 429 until it refills', async () => {
    await start({ perPoolRate: { ratePerSecond: 1, burst: 2 } });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      statuses.push(
        (await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY })).status,
      );
    }
    expect(statuses).to.deep.equal([200, 200, 429]);
    // Another pool has its own bucket.
    const other = await send(receiver.url, {
      path: '/v1/events/storage/pool-b',
      headers: validHeaders(OTHER_TOKEN),
      body: EVENT_BODY,
    });
    expect(other.status).to.equal(200);
    nowMs += 1_000;
    const refilled = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
    expect(refilled.status).to.equal(200);
    expect(sink.accepted).to.have.length(4);
    expect(outcomes.map((outcome) => outcome.result)).to.deep.equal([
      'accepted',
      'accepted',
      'rate-limited',
      'accepted',
      'accepted',
    ]);
  });

  it('rate-limits all pools together with the global bucket', async () => {
    await start({ globalRate: { ratePerSecond: 1, burst: 1 } });
    const first = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
    const second = await send(receiver.url, {
      path: '/v1/events/storage/pool-b',
      headers: validHeaders(OTHER_TOKEN),
      body: EVENT_BODY,
    });
    expect([first.status, second.status]).to.deep.equal([200, 429]);
    expect(second.headers['retry-after']).to.equal('1');
    expect(outcomes[1]).to.deep.equal({ clusterKey: 'storage/pool-b', result: 'rate-limited' });
  });

  it('survives an onOutcome that throws, and logs it', async () => {
    await start({
      onOutcome: () => {
        throw new Error('metrics broke');
      },
    });
    for (let index = 0; index < 2; index += 1) {
      const answer = await send(receiver.url, { headers: validHeaders(), body: EVENT_BODY });
      expect(answer.status).to.equal(200);
    }
    expect(sink.accepted).to.have.length(2);
    expect(
      lines.filter((line) => line.message === 'Failed to record an event post outcome'),
    ).to.have.length(2);
  });

  it('says where it listens', async () => {
    await start();
    expect(receiver.port).to.be.above(0);
    expect(receiver.url).to.equal(`http://127.0.0.1:${receiver.port}`);
    expect(lines.map((line) => line.message)).to.include('Receiving glusterd events');
  });
});

describe('eventsPathOf', () => {
  it('builds the path the receiver serves', () => {
    expect(eventsPathOf('storage', 'pool-a.v2')).to.equal('/v1/events/storage/pool-a.v2');
  });

  const invalid: [string, string][] = [
    ['Storage', 'pool-a'],
    ['storage', 'Pool-a'],
    ['stor.age', 'pool-a'],
    ['storage', 'pool/a'],
    ['storage', '../x'],
    ['', 'pool-a'],
    ['storage', ''],
    ['storage', 'pool-a?x=1'],
    ['a'.repeat(64), 'pool-a'],
    ['storage', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`],
  ];
  for (const [namespace, name] of invalid) {
    it(`refuses ${JSON.stringify(namespace.slice(0, 20))}/${JSON.stringify(name.slice(0, 20))}`, () => {
      expect(() => eventsPathOf(namespace, name)).to.throw(InvalidArgumentError);
    });
  }
});
