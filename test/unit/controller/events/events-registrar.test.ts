import { expect } from 'chai';
import type { GlusterCluster, GlusterClusterSpec } from '../../../../src/api/gluster-cluster.js';
import type { PoolEvents } from '../../../../src/controller/events/event-router.js';
import { EventTokenError } from '../../../../src/controller/events/event-tokens.js';
import { EventsRegistrar } from '../../../../src/controller/events/events-registrar.js';
import type { Observation } from '../../../../src/core/observation.js';
import { EVENTS_REGISTRATION_ARGV } from '../../../../src/gluster/events-registration.js';
import { GlusterCli } from '../../../../src/gluster/gluster-cli.js';
import { createSilentLogger } from '../../../../src/observability/logger.js';
import { FakeExecutor, type FakeAnswer } from '../../../support/fake-executor.js';
import {
  aHealthyPool,
  anObservation,
  anUnreachableNode,
  uuidOf,
} from '../../../support/pool-builders.js';

const KEY = 'storage/pool';
const TOKEN = 't'.repeat(43);
const RESYNC_MS = 300_000;
const OK: FakeAnswer = {
  stdout: '{"ok": true, "changed": false, "started": false, "reloaded": false}\n',
};
const STARTED: FakeAnswer = {
  stdout: '{"ok": true, "changed": true, "started": true, "reloaded": false}\n',
};
const UNREACHABLE: FakeAnswer = {
  stdout:
    '{"ok": false, "problem": "WebhookUnreachable", "message": "a post from the node to http://x failed: timed out"}\n',
};

function aCluster(
  spec: Partial<GlusterClusterSpec> = {},
  withEventsStatus = false,
): GlusterCluster {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { name: 'pool', namespace: 'storage', uid: 'uid-1', generation: 1 },
    spec: {
      nodes: [{ address: 'n1' }, { address: 'n2' }, { address: 'n3' }],
      ssh: { secretRef: { name: 'gluster-ssh' } },
      events: { enabled: true },
      ...spec,
    },
    ...(withEventsStatus ? { status: { events: { registered: 3, nodes: 3 } } } : {}),
  };
}

/** A registrar over a fake executor and router, with a clock the test moves. */
function aRegistrar(options: { tokenError?: boolean; url?: string | undefined } = {}) {
  const executor = new FakeExecutor();
  const cli = new GlusterCli(executor, { timeoutSeconds: 10 });
  const pools: [string, PoolEvents | undefined][] = [];
  let nowMs = Date.parse('2026-12-06T12:00:00Z');
  let refusedMs: number | undefined;
  const registrar = new EventsRegistrar({
    defaultUrl: 'url' in options ? options.url : 'http://192.0.2.10:30890',
    tokens: {
      tokenFor: () =>
        options.tokenError
          ? Promise.reject(new EventTokenError('The Secret storage/tok does not exist'))
          : Promise.resolve(TOKEN),
    },
    router: {
      setPool: (key, pool) => {
        pools.push([key, pool]);
      },
      lastEventMs: () => undefined,
      lastRefusedMs: () => refusedMs,
    },
    logger: createSilentLogger(),
    now: () => new Date(nowMs),
  });
  const check = (cluster: GlusterCluster, observation: Observation) =>
    registrar.check(KEY, cluster, cli, observation, {
      resyncMs: RESYNC_MS,
      signal: new AbortController().signal,
    });
  /** A pass that could not read the SSH Secret: no CLI, every node not asked. */
  const checkWithoutSsh = (cluster: GlusterCluster, why: string) =>
    registrar.check(
      KEY,
      cluster,
      undefined,
      anObservation(['n1', 'n2', 'n3'].map((node) => anUnreachableNode(node, 'not-asked', why))),
      { resyncMs: RESYNC_MS, signal: new AbortController().signal },
    );
  return {
    executor,
    pools,
    check,
    checkWithoutSsh,
    release: () => registrar.release(KEY, new AbortController().signal),
    advance: (ms: number) => {
      nowMs += ms;
    },
    refuse: () => {
      refusedMs = nowMs;
    },
    answer: (node: string, ...answers: FakeAnswer[]) =>
      executor.on(node, EVENTS_REGISTRATION_ARGV, ...answers),
    checkedNodes: () => executor.calls.map((call) => call.node),
  };
}

const healthy = () => anObservation(aHealthyPool(['n1', 'n2', 'n3']));

describe('EventsRegistrar', () => {
  it('registers every node that answers, after giving the router the pool, and says Delivering', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, STARTED);
    const report = await r.check(aCluster(), healthy());
    expect(r.checkedNodes().sort()).to.deep.equal(['n1', 'n2', 'n3']);
    expect(report?.condition).to.include({ status: 'True', reason: 'Delivering' });
    expect(report?.status).to.deep.include({
      url: 'http://192.0.2.10:30890/v1/events/storage/pool',
      registered: 3,
      nodes: 3,
    });
    const [[key, pool]] = r.pools as [[string, PoolEvents]];
    expect(key).to.equal(KEY);
    expect(pool.token).to.equal(TOKEN);
    expect([...pool.members.entries()].sort()).to.deep.equal([
      [uuidOf('n1'), 'n1'],
      [uuidOf('n2'), 'n2'],
      [uuidOf('n3'), 'n3'],
    ]);
    // The token goes on standard input: never in argv.
    for (const call of r.executor.calls) expect(call.argv.join(' ')).not.to.contain(TOKEN);
  });

  it('checks again only once per resync while all is well', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, STARTED, OK);
    await r.check(aCluster(), healthy());
    r.advance(60_000);
    await r.check(aCluster(), healthy());
    expect(r.executor.calls).to.have.length(3);
    r.advance(RESYNC_MS * 0.9);
    const again = await r.check(aCluster(), healthy());
    expect(r.executor.calls).to.have.length(6);
    expect(again?.condition.status).to.equal('True');
  });

  it('does not ask a node SSH fails on, and reports it NodeUnreachable', async () => {
    const r = aRegistrar();
    r.answer('n1', STARTED);
    r.answer('n2', STARTED);
    const report = await r.check(
      aCluster(),
      anObservation([...aHealthyPool(['n1', 'n2']), anUnreachableNode('n3')]),
    );
    expect(r.checkedNodes().sort()).to.deep.equal(['n1', 'n2']);
    expect(report?.condition).to.include({ status: 'False', reason: 'NodeUnreachable' });
    expect(report?.condition.message).to.contain('n3: ');
    expect(report?.status.registered).to.equal(2);
  });

  it('checks a failing node again at every pass, and says why meanwhile', async () => {
    const r = aRegistrar();
    r.answer('n1', STARTED);
    r.answer('n2', STARTED);
    r.answer('n3', UNREACHABLE, OK);
    const first = await r.check(aCluster(), healthy());
    expect(first?.condition).to.include({ status: 'False', reason: 'WebhookUnreachable' });
    r.advance(1_000);
    const second = await r.check(aCluster(), healthy());
    expect(r.checkedNodes().filter((node) => node === 'n3')).to.have.length(2);
    expect(r.checkedNodes().filter((node) => node === 'n1')).to.have.length(1);
    expect(second?.condition.status).to.equal('True');
  });

  it('a daemon found stopped on a node that delivered: EventsDaemonRestarted once, then Delivering', async () => {
    const r = aRegistrar();
    r.answer('n1', STARTED);
    r.answer('n2', STARTED);
    r.answer('n3', STARTED, STARTED, OK);
    expect((await r.check(aCluster(), healthy()))?.condition.status).to.equal('True');
    r.advance(RESYNC_MS);
    const restarted = await r.check(aCluster(), healthy());
    // n1 and n2 answer STARTED again too: each of them had delivered, so each is named.
    expect(restarted?.condition).to.include({ status: 'False', reason: 'EventsDaemonRestarted' });
    expect(restarted?.condition.message).to.contain('n3: glustereventsd was not running');
    r.advance(1_000);
    r.answer('n1', OK);
    r.answer('n2', OK);
    expect((await r.check(aCluster(), healthy()))?.condition.status).to.equal('True');
  });

  it('a post refused for a wrong token: every node checked again at the next pass, and WebhookRejected once', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, STARTED, OK);
    await r.check(aCluster(), healthy());
    r.advance(5_000);
    r.refuse();
    const rejected = await r.check(aCluster(), healthy());
    expect(r.executor.calls).to.have.length(6);
    expect(rejected?.condition).to.include({ status: 'False', reason: 'WebhookRejected' });
    r.advance(1_000);
    const after = await r.check(aCluster(), healthy());
    expect(r.executor.calls).to.have.length(6);
    expect(after?.condition.status).to.equal('True');
  });

  const refusals: {
    name: string;
    cluster: GlusterCluster;
    tokenError?: boolean;
    url?: string | undefined;
    reason: string;
  }[] = [
    {
      name: 'no URL anywhere',
      cluster: aCluster(),
      url: undefined,
      reason: 'NoReceiverUrl',
    },
    {
      name: 'gluster through sudo',
      cluster: aCluster({ ssh: { secretRef: { name: 'gluster-ssh' }, sudo: true } }),
      reason: 'RequiresRoot',
    },
    {
      name: 'an unusable token Secret',
      cluster: aCluster({ events: { enabled: true, tokenSecretRef: { name: 'tok' } } }),
      tokenError: true,
      reason: 'RegistrationFailed',
    },
  ];
  for (const tc of refusals) {
    it(`${tc.name}: ${tc.reason}, and no node is asked`, async () => {
      const r = aRegistrar({
        ...(tc.tokenError ? { tokenError: true } : {}),
        ...('url' in tc ? { url: tc.url } : {}),
      });
      const report = await r.check(tc.cluster, healthy());
      expect(report?.condition).to.include({ status: 'False', reason: tc.reason });
      expect(r.executor.calls).to.deep.equal([]);
    });
  }

  it('receiverUrl in spec wins over EVENTS_URL, without a doubled slash', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, STARTED);
    const report = await r.check(
      aCluster({ events: { enabled: true, receiverUrl: 'https://events.example.com/' } }),
      healthy(),
    );
    expect(report?.status.url).to.equal('https://events.example.com/v1/events/storage/pool');
  });

  it('events off: nothing asked and no pool for the router; turned off after on: the webhook removed from the nodes that answer', async () => {
    const never = aRegistrar();
    expect(await never.check(aCluster({ events: { enabled: false } }), healthy())).to.equal(
      undefined,
    );
    expect(never.executor.calls).to.deep.equal([]);
    expect(never.pools).to.deep.equal([[KEY, undefined]]);

    const r = aRegistrar();
    r.answer('n1', OK);
    r.answer('n2', OK);
    const report = await r.check(
      aCluster({ events: { enabled: false } }, true),
      anObservation([...aHealthyPool(['n1', 'n2']), anUnreachableNode('n3')]),
    );
    expect(report).to.equal(undefined);
    expect(r.checkedNodes().sort()).to.deep.equal(['n1', 'n2']);
  });

  it('the SSH Secret unreadable: no node asked, EventsDelivery False saying why, not missing', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, OK);
    expect((await r.check(aCluster(), healthy()))?.condition.status).to.equal('True');
    const why = 'The Secret storage/gluster-ssh does not exist';
    const report = await r.checkWithoutSsh(aCluster(), why);
    expect(r.checkedNodes()).to.have.length(3);
    expect(report?.condition).to.include({ status: 'False', reason: 'NodeUnreachable' });
    expect(report?.condition.message).to.contain(`n1: not asked this pass`);
    expect(report?.condition.message).to.contain(why);
    expect(report?.status).to.include({ registered: 0, nodes: 3 });
  });

  it('events turned off while the SSH Secret is unreadable: the webhook is removed once the nodes can be asked', async () => {
    const r = aRegistrar();
    for (const node of ['n1', 'n2', 'n3']) r.answer(node, OK, OK);
    await r.check(aCluster(), healthy());
    const off = aCluster({ events: { enabled: false } });
    expect(await r.checkWithoutSsh(off, 'The Secret storage/gluster-ssh does not exist')).to.equal(
      undefined,
    );
    expect(r.checkedNodes()).to.have.length(3);
    // The status written meanwhile has no events section: the registrar remembers on its own.
    await r.check(off, healthy());
    expect(r.checkedNodes()).to.have.length(6);
    const removals = r.executor.calls.slice(3);
    for (const call of removals) expect(call.input ?? '').to.contain('"unregister"');
  });

  it('the resource gone: the webhook removed from every node it was registered on that answers, then forgotten', async () => {
    const r = aRegistrar();
    r.answer('n1', OK, OK);
    r.answer('n2', OK, { error: new Error('connect ETIMEDOUT') });
    r.answer('n3', OK, OK);
    await r.check(aCluster(), healthy());
    await r.release();
    const removals = r.executor.calls.slice(3);
    expect(removals.map((call) => call.node).sort()).to.deep.equal(['n1', 'n2', 'n3']);
    for (const call of removals) {
      const request = JSON.parse(call.input ?? '{}') as Record<string, unknown>;
      expect(request).to.include({
        action: 'unregister',
        url: 'http://192.0.2.10:30890/v1/events/storage/pool',
        path: '/v1/events/storage/pool',
      });
      expect(call.input).not.to.contain(TOKEN);
    }
    // Forgotten: a second release asks nobody, and a pool of the same name starts afresh.
    await r.release();
    expect(r.executor.calls).to.have.length(6);
  });

  it('the resource gone before any node was registered (events off, or no URL): nothing asked', async () => {
    const off = aRegistrar();
    await off.check(aCluster({ events: { enabled: false } }), healthy());
    await off.release();
    const noUrl = aRegistrar({ url: undefined });
    await noUrl.check(aCluster(), healthy());
    await noUrl.release();
    expect([...off.executor.calls, ...noUrl.executor.calls]).to.deep.equal([]);
  });

  it('a node that posts over https without trusting the certificate: Delivering, and says so', async () => {
    const r = aRegistrar({ url: 'https://192.0.2.10:30890' });
    const unverified: FakeAnswer = {
      stdout:
        '{"ok": true, "changed": false, "started": false, "reloaded": false, "verified": false}\n',
    };
    r.answer('n1', OK);
    r.answer('n2', unverified);
    r.answer('n3', OK);
    const report = await r.check(aCluster(), healthy());
    expect(report?.condition).to.include({ status: 'True', reason: 'Delivering' });
    expect(report?.condition.message).to.contain(
      '; n2 does not trust the certificate of https://192.0.2.10:30890/v1/events/storage/pool and posts without verifying it',
    );
  });
});
