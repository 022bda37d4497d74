import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { GlusterdEvent } from '../../../src/core/events/glusterd-event.js';
import { TerminalError } from '../../../src/errors.js';
import {
  startWebhookReceiver,
  type EventSinkPort,
  type RunningWebhookReceiver,
} from '../../../src/events/webhook-receiver.js';
import { rejection } from '../../support/rejection.js';
import { recordingLogger, type LoggedLine } from '../../support/recording-logger.js';
import { runCommandOrThrow } from '../../support/run-command.js';

const POOL = 'storage/pool-a';
const POOL_PATH = '/v1/events/storage/pool-a';
const TOKEN = 'pool-a-token-5f1e9c2d7b';
const EVENT_BODY = JSON.stringify({
  nodeid: '4f6a0e7c-1b2d-4c3e-9f80-a1b2c3d4e5f6',
  ts: 1_765_000_000,
  event: 'PEER_DISCONNECT',
  message: { peer: 'node-2.storage.example', state: 'Peer in Cluster' },
});

class RecordingSink implements EventSinkPort {
  readonly accepted: string[] = [];
  tokenOf(clusterKey: string): string | undefined {
    return clusterKey === POOL ? TOKEN : undefined;
  }
  accept(clusterKey: string, event: GlusterdEvent) {
    this.accepted.push(`${clusterKey} ${event.type}`);
    return 'accepted' as const;
  }
}

/** A self-signed certificate for 127.0.0.1 and its key, as PEM files `<name>.crt`/`<name>.key`. */
async function selfSigned(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  // prettier-ignore
  await runCommandOrThrow('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

const fingerprintOf = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** Posts the event over HTTPS on a new connection; the certificate shown is taken as glustereventsd takes it. */
function postOverTls(
  url: string,
): Promise<{ status: number; body: string; certificateFingerprint: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: POOL_PATH,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        rejectUnauthorized: false,
        agent: false,
      },
      (response) => {
        const certificateFingerprint = (response.socket as TLSSocket).getPeerCertificate()
          .fingerprint256;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            certificateFingerprint,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(EVENT_BODY);
  });
}

/** A plain-HTTP post to the TLS port: the error it ends with (the server never answers it). */
function postInPlainText(url: string): Promise<Error> {
  const target = new URL(url);
  return rejection(
    new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: POOL_PATH,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          agent: false,
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            resolve(response.statusCode);
          });
        },
      );
      request.on('error', reject);
      request.end(EVENT_BODY);
    }),
  );
}

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 3_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('startWebhookReceiver over TLS', function () {
  this.timeout(20_000);
  let dir: string;
  let first: { cert: string; key: string };
  let second: { cert: string; key: string };
  let certFile: string;
  let keyFile: string;
  let receiver: RunningWebhookReceiver | undefined;
  let lines: LoggedLine[];
  let sink: RecordingSink;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gop-events-tls-'));
    [first, second] = await Promise.all([selfSigned(dir, 'first'), selfSigned(dir, 'second')]);
    certFile = path.join(dir, 'tls.crt');
    keyFile = path.join(dir, 'tls.key');
  });

  beforeEach(async () => {
    await writeFile(certFile, first.cert);
    await writeFile(keyFile, first.key);
    lines = [];
    sink = new RecordingSink();
    receiver = undefined;
  });

  afterEach(async () => {
    await receiver?.close();
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const start = (reloadIntervalMs = 50) =>
    startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      logger: recordingLogger(lines),
      sink: () => sink,
      tls: { certFile, keyFile, reloadIntervalMs },
    });

  it('serves HTTPS with the certificate given, and takes a valid post', async () => {
    receiver = await start();
    expect(receiver.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await postOverTls(receiver.url);
    expect(answer.status).to.equal(200);
    expect(JSON.parse(answer.body)).to.deep.equal({ result: 'accepted' });
    expect(answer.certificateFingerprint).to.equal(fingerprintOf(first.cert));
    expect(sink.accepted).to.deep.equal([`${POOL} PEER_DISCONNECT`]);
  });

  it('never answers plain HTTP on the TLS port, and takes nothing from it', async () => {
    receiver = await start();
    const error = await postInPlainText(receiver.url);
    expect(error.message).to.match(/socket hang up|ECONNRESET|Parse Error/);
    expect(sink.accepted).to.deep.equal([]);
  });

  it('serves a renewed certificate to new connections, and keeps it when the next renewal is broken', async () => {
    receiver = await start();
    const url = receiver.url;
    await writeFile(keyFile, second.key);
    await writeFile(certFile, second.cert);
    await until('the renewed certificate is served', async () => {
      return (await postOverTls(url)).certificateFingerprint === fingerprintOf(second.cert);
    });
    expect(lines.some((line) => line.message === 'Loaded a new events TLS certificate')).to.equal(
      true,
    );

    await writeFile(certFile, 'not a certificate\n');
    await until('the broken renewal is logged', () =>
      Promise.resolve(
        lines.some((line) => line.message === 'Kept the events TLS certificate in force'),
      ),
    );
    const answer = await postOverTls(url);
    expect(answer.status).to.equal(200);
    expect(answer.certificateFingerprint).to.equal(fingerprintOf(second.cert));
    // Neither the key nor the certificate reaches a log line.
    const logged = JSON.stringify(lines);
    for (const secret of [first.key, second.key]) {
      expect(logged).not.to.contain(secret.split('\n')[1]);
    }
  });

  it('does not start with a file it cannot read, naming the file', async () => {
    const missing = path.join(dir, 'missing.key');
    const error = await rejection(
      startWebhookReceiver({
        port: 0,
        host: '127.0.0.1',
        logger: recordingLogger(lines),
        sink: () => sink,
        tls: { certFile, keyFile: missing },
      }),
    );
    expect(error).to.be.instanceOf(TerminalError);
    expect(error.message).to.equal(`Cannot read the events TLS key ${missing}: ENOENT`);
  });

  it('does not start with a key that is not the certificate’s, and never prints the key', async () => {
    await writeFile(keyFile, second.key);
    const error = await rejection(start());
    expect(error).to.be.instanceOf(TerminalError);
    expect(error.message).to.match(
      /^The events TLS certificate .*tls\.crt and key .*tls\.key do not make a TLS context: /,
    );
    expect(error.message).not.to.contain(second.key.split('\n')[1]);
  });
});
