import { expect } from 'chai';
import type { HaStatus } from '../../../src/ha/ha-role.js';
import { startHttpServer, type RunningHttpServer } from '../../../src/observability/http-server.js';
import { createOperatorMetrics } from '../../../src/observability/metrics.js';
import { recordingLogger } from '../../support/recording-logger.js';
import type { LoggedLine } from '../../support/recording-logger.js';

describe('startHttpServer', () => {
  let server: RunningHttpServer;
  let live: boolean;
  let ready: boolean | 'throw';
  let status: HaStatus;
  let lines: LoggedLine[];

  beforeEach(async () => {
    live = true;
    ready = false;
    lines = [];
    status = {
      role: 'slave',
      identity: 'gluster-operator-5c2b_bbbb',
      leader: 'gluster-operator-7d9f_aaaa',
      replicasSeen: ['gluster-operator-5c2b_bbbb', 'gluster-operator-7d9f_aaaa'],
    };
    const metrics = createOperatorMetrics();
    metrics.observeReconcile('success', 250);
    metrics.setClusterHealth('storage/pool-a', { ready: true, nodeStates: ['Connected'] });
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: recordingLogger(lines),
      checks: {
        isLive: () => live,
        isReady: () => {
          if (ready === 'throw') throw new Error('watch state unknown');
          return ready;
        },
      },
      haStatus: () => status,
      metrics: metrics.registry,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  it('listens on the port it was given (0: a free one) and says where', () => {
    expect(server.port).to.be.above(0);
    expect(server.url).to.equal(`http://127.0.0.1:${server.port}`);
    expect(lines.map((line) => line.message)).to.include('Serving health, metrics and status');
  });

  it('/healthz answers 200 while the process is live, 503 when not', async () => {
    let response = await fetch(`${server.url}/healthz`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('ok\n');
    live = false;
    response = await fetch(`${server.url}/healthz`);
    expect(response.status).to.equal(503);
    await response.body?.cancel();
  });

  it('/readyz flips with the readiness check, and says the role when not ready', async () => {
    let response = await fetch(`${server.url}/readyz`);
    expect(response.status).to.equal(503);
    expect(await response.text()).to.equal('not ready (role slave)\n');
    ready = true;
    response = await fetch(`${server.url}/readyz?verbose`);
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('ok\n');
    ready = false;
    response = await fetch(`${server.url}/readyz`);
    expect(response.status).to.equal(503);
    await response.body?.cancel();
  });

  it('counts a readiness check that throws as not ready, and logs it', async () => {
    ready = 'throw';
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).to.equal(503);
    await response.body?.cancel();
    expect(lines).to.deep.include({
      level: 'error',
      message: 'Health check failed',
      meta: { check: 'ready', error: 'watch state unknown' },
    });
  });

  it('/metrics serves the registry in Prometheus text format', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal(
      'text/plain; version=0.0.4; charset=utf-8',
    );
    const text = await response.text();
    for (const name of [
      'controller_runtime_reconcile_total{controller="glustercluster",result="success"} 1',
      'controller_runtime_reconcile_time_seconds_bucket',
      'gluster_operator_remote_command_duration_seconds',
      'gluster_operator_cluster_ready{namespace="storage",name="pool-a"} 1',
      'gluster_operator_cluster_nodes{namespace="storage",name="pool-a",state="Connected"} 1',
      'workqueue_depth{name="glustercluster"} 0',
      'gluster_operator_leader 0',
      'process_resident_memory_bytes',
    ]) {
      expect(text).to.contain(name);
    }
  });

  it('/status is JSON: role, leader, replicas seen, and the checks', async () => {
    let response = await fetch(`${server.url}/status`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(await response.json()).to.deep.equal({
      role: 'slave',
      identity: 'gluster-operator-5c2b_bbbb',
      leader: 'gluster-operator-7d9f_aaaa',
      replicasSeen: ['gluster-operator-5c2b_bbbb', 'gluster-operator-7d9f_aaaa'],
      live: true,
      ready: false,
    });
    status = {
      role: 'none',
      identity: 'gluster-operator-5c2b_bbbb',
      leader: undefined,
      replicasSeen: [],
    };
    response = await fetch(`${server.url}/status`);
    expect(await response.json()).to.include({ role: 'none', leader: null });
  });

  it('answers HEAD without a body, 404 for other paths and 405 for other methods', async () => {
    let response = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-length')).to.equal('3');
    expect(await response.text()).to.equal('');
    response = await fetch(`${server.url}/`);
    expect(response.status).to.equal(404);
    await response.body?.cancel();
    response = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.equal('GET, HEAD');
    await response.body?.cancel();
  });

  it('closes promptly with keep-alive connections open, and then refuses connections', async () => {
    const response = await fetch(`${server.url}/healthz`, {
      headers: { connection: 'keep-alive' },
    });
    await response.text();
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).to.be.below(1_000);
    let error: unknown;
    try {
      await fetch(`${server.url}/healthz`);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TypeError);
  });
});

describe('startHttpServer with an authorizer', () => {
  let server: RunningHttpServer;
  let lines: LoggedLine[];
  const asked: string[] = [];
  let failing = false;

  beforeEach(async () => {
    lines = [];
    asked.length = 0;
    failing = false;
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger: recordingLogger(lines),
      checks: { isLive: () => true, isReady: () => true },
      haStatus: () => ({ role: 'master', identity: 'me', leader: 'me', replicasSeen: ['me'] }),
      metrics: createOperatorMetrics({ processMetrics: false }).registry,
      authorizer: {
        authorize(token, path) {
          asked.push(`${token ?? '-'} ${path}`);
          if (failing) return Promise.reject(new Error('TokenReview failed: 500'));
          if (token === 'reader') return Promise.resolve('allowed');
          if (token === 'someone') return Promise.resolve('forbidden');
          return Promise.resolve('unauthenticated');
        },
      },
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const get = (path: string, token?: string) =>
    fetch(`${server.url}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('answers /metrics and /status only to a token the authorizer allows', async () => {
    for (const path of ['/metrics', '/status']) {
      expect((await get(path, 'reader')).status).to.equal(200);
      const forbidden = await get(path, 'someone');
      expect(forbidden.status).to.equal(403);
      expect(await forbidden.text()).to.equal(`forbidden: get ${path} is not allowed\n`);
      const anonymous = await get(path);
      expect(anonymous.status).to.equal(401);
      expect(anonymous.headers.get('www-authenticate')).to.equal('Bearer');
      expect((await get(path, 'forged')).status).to.equal(401);
    }
    expect(asked).to.include.members(['reader /metrics', 'someone /status', '- /metrics']);
  });

  it('leaves /healthz and /readyz open (the kubelet has no token) and never asks about them', async () => {
    expect((await get('/healthz')).status).to.equal(200);
    expect((await get('/readyz')).status).to.equal(200);
    expect(asked).to.deep.equal([]);
  });

  it('answers 503 when the token cannot be checked, and logs why without the token', async () => {
    failing = true;
    const response = await get('/metrics', 'reader');
    expect(response.status).to.equal(503);
    const logged = lines.find((line) => line.message === 'Could not check a request token');
    expect(logged?.meta?.['error']).to.contain('TokenReview failed');
    expect(JSON.stringify(lines)).to.not.contain('reader');
  });
});
