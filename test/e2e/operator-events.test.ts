import { expect } from 'chai';
import type {
  GlusterCluster,
  GlusterClusterSpec,
  NodeStatus,
} from '../../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION } from '../../src/api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeSpec } from '../../src/api/gluster-volume.js';
import { VOLUME_PLURAL } from '../../src/api/gluster-volume.js';
import { EventTokens } from '../../src/controller/events/event-tokens.js';
import type { ReceivedOutcome, RunningWebhookReceiver } from '../../src/events/webhook-receiver.js';
import { startWebhookReceiver } from '../../src/events/webhook-receiver.js';
import { createLogger } from '../../src/observability/logger.js';
import type { OperatorMetrics } from '../../src/observability/metrics.js';
import { createOperatorMetrics } from '../../src/observability/metrics.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * glusterd's events on real nodes: glustereventsd runs inside each node's namespaces (the
 * operator starts it), posts to the webhook receiver in the root namespace through the pool's
 * bridge, and the operator (in this process) turns the posts into status.
 */
describe('glusterd events: peer and brick faults reach status in under a second', function () {
  this.timeout(240_000);
  const pool = useGlusterTestPool('opev', 4);
  const n = (index: number) => pool().node(index);
  let harness: OperatorHarness;
  let receiver: RunningWebhookReceiver;
  let metrics: OperatorMetrics;
  const outcomes: ReceivedOutcome[] = [];

  const clusterSpec = (
    indexes: number[],
    extra: Partial<GlusterClusterSpec> = {},
  ): GlusterClusterSpec => ({
    nodes: indexes.map((index) => ({ address: n(index).ipv4 })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    // The shipped default: anything seen within seconds here came from an event, or a pass an
    // event started.
    resyncInterval: '5m',
    events: { enabled: true },
    ...extra,
  });
  const eventsPath = () => `/v1/events/${harness.namespace}/pool`;
  const nodeOf = (cluster: GlusterCluster, index: number): NodeStatus | undefined =>
    cluster.status?.nodes?.find((node) => node.address === n(index).ipv4);
  const isDelivering = (cluster: GlusterCluster, nodes: number): boolean =>
    condition(cluster, 'EventsDelivery') === 'True Delivering' &&
    cluster.status?.events?.registered === nodes;

  /** Polls every 20 ms (a fault must show within a second; 250 ms polls would blur that). */
  async function measure<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 10_000,
  ): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    for (;;) {
      const value = await read();
      if (done(value)) return { value, ms: performance.now() - started };
      if (performance.now() - started > timeoutMs) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function webhooksOn(index: number): Promise<{ text: string; mode: string }> {
    const result = await pool().pool.execOnNode(n(index), [
      'sh',
      '-c',
      'stat -c %a /var/lib/glusterd/events/webhooks.json && cat /var/lib/glusterd/events/webhooks.json',
    ]);
    const [mode = '', ...rest] = result.stdout.split('\n');
    return { mode, text: rest.join('\n') };
  }

  /** The pids of glustereventsd (and its worker) in the node's own network namespace. */
  async function eventsDaemonPids(index: number): Promise<number[]> {
    const result = await pool().pool.execOnNode(n(index), [
      'sh',
      '-c',
      'me=$(readlink /proc/self/ns/net); for p in $(pgrep -f /usr/sbin/glustereventsd); do [ "$(readlink /proc/$p/ns/net)" = "$me" ] && echo $p; done; true',
    ]);
    return result.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map(Number);
  }

  /**
   * SIGKILLs glustereventsd (and its worker) on the node, and waits until those processes are
   * gone (the operator may start another meanwhile: that is its job).
   */
  async function killEventsDaemon(index: number): Promise<void> {
    const pids = await eventsDaemonPids(index);
    for (const pid of pids) await pool().pool.execOnNode(n(index), ['kill', '-9', String(pid)]);
    await measure(
      'the killed glustereventsd gone',
      () => eventsDaemonPids(index),
      (left) => !left.some((pid) => pids.includes(pid)),
    );
  }

  /** Waits until no post was accepted for `ms`. */
  async function quiet(ms: number): Promise<void> {
    for (;;) {
      const count = outcomes.filter((o) => o.result === 'accepted').length;
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (outcomes.filter((o) => o.result === 'accepted').length === count) return;
    }
  }

  async function tokenOfPool(): Promise<string> {
    const cluster = await harness.get('pool');
    const tokens = new EventTokens({
      readKey: async () => {
        const secret = await harness.core.readNamespacedSecret({
          namespace: harness.namespace,
          name: 'gluster-operator-events',
        });
        return Buffer.from(secret.data?.['key'] ?? '', 'base64');
      },
      readSecret: () => Promise.resolve(undefined),
    });
    return tokens.tokenFor(cluster);
  }

  async function post(
    body: string,
    token: string,
  ): Promise<{ status: number; result: string | undefined }> {
    const response = await fetch(`http://127.0.0.1:${String(receiver.port)}${eventsPath()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as { result?: string };
    return { status: response.status, result: answer.result };
  }

  async function passesOfPool(): Promise<number> {
    const metric = metrics.registry.getSingleMetric('gluster_operator_cluster_reconciles_total');
    const { values } = (await metric?.get()) ?? { values: [] };
    return values
      .filter(
        (entry) =>
          entry.labels['name'] === 'pool' && entry.labels['namespace'] === harness.namespace,
      )
      .reduce((sum, entry) => sum + entry.value, 0);
  }

  const volumeResource = { group: API_GROUP, version: API_VERSION, plural: VOLUME_PLURAL };
  async function getVolume(name: string): Promise<GlusterVolume> {
    return (await harness.objects.getNamespacedCustomObject({
      ...volumeResource,
      namespace: harness.namespace,
      name,
    })) as GlusterVolume;
  }
  const volumeCondition = (volume: GlusterVolume, type: string): string | undefined => {
    const found = volume.status?.conditions?.find((entry) => entry.type === type);
    return found ? `${found.status} ${found.reason}` : undefined;
  };

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('e2e-events', pool());
    receiver = await startWebhookReceiver({
      port: 0,
      logger: createLogger({ level: 'error' }),
      sink: () => harness.running()?.eventSink,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    metrics = createOperatorMetrics({ processMetrics: false });
    harness.start({
      metrics,
      env: {
        EVENTS_URL: `http://${pool().pool.hostIpv4}:${String(receiver.port)}`,
        POD_NAMESPACE: harness.namespace,
        EVENTS_FALLBACK_RESYNC: '10s',
        GLUSTER_TIMEOUT_SECONDS: '30',
      },
    });
    await harness.apply('pool', clusterSpec([0, 1, 2]));
    await harness.waitFor(
      'pool',
      'be Ready with every node delivering events',
      (cluster) => isReadyAt(cluster, 3) && isDelivering(cluster, 3),
      120_000,
    );
  });
  after(async function () {
    this.timeout(120_000);
    await harness.stop();
    await receiver.close();
  });

  it('registers every node: glustereventsd runs, webhooks.json (0600) has the URL, status has no token', async () => {
    const cluster = await harness.get('pool');
    const url = `http://${pool().pool.hostIpv4}:${String(receiver.port)}${eventsPath()}`;
    expect(cluster.status?.events).to.include({ url, registered: 3, nodes: 3 });
    const token = await tokenOfPool();
    expect(JSON.stringify(cluster.status)).not.to.contain(token);
    for (const index of [0, 1, 2]) {
      const { mode, text } = await webhooksOn(index);
      expect(mode, `webhooks.json mode on n${String(index + 1)}`).to.equal('600');
      expect(JSON.parse(text)).to.deep.equal({ [url]: { token, secret: '' } });
      expect(await eventsDaemonPids(index)).to.have.length.greaterThan(0);
    }
    // Each node's probe post arrived, and started no pass.
    expect(
      outcomes.filter((o) => o.event === 'OPERATOR_PROBE' && o.result === 'accepted'),
    ).to.have.length.of.at.least(3);
  });

  it('glusterd stopped on a member: Disconnected in under a second, reported by the others; the look that follows says GlusterdDown; back: Ready', async () => {
    await pool().pool.stopGlusterd(n(1));
    const { value: reported, ms } = await measure(
      'n2 reported down',
      () => harness.get('pool'),
      (cluster) =>
        nodeOf(cluster, 1)?.reportedDown !== undefined ||
        nodeOf(cluster, 1)?.state === 'GlusterdDown',
    );
    console.log(`      glusterd stopped → status in ${ms.toFixed(0)} ms`);
    expect(ms).to.be.lessThan(1000);
    expect(condition(reported, 'Ready')).to.match(/^False/);
    expect(condition(reported, 'Degraded')).to.match(/^True/);
    // Both survivors report it; the status names them.
    const both = await harness.waitFor(
      'pool',
      'name both reporters, or have looked',
      (cluster) =>
        nodeOf(cluster, 1)?.reportedDown?.reporters.length === 2 ||
        nodeOf(cluster, 1)?.state === 'GlusterdDown',
      10_000,
    );
    const reporters = nodeOf(both, 1)?.reportedDown?.reporters;
    if (reporters) expect([...reporters].sort()).to.deep.equal([n(0).ipv4, n(2).ipv4].sort());
    await harness.waitFor(
      'pool',
      'confirm by a look: GlusterdDown, no report left',
      (cluster) =>
        nodeOf(cluster, 1)?.state === 'GlusterdDown' &&
        nodeOf(cluster, 1)?.reportedDown === undefined,
      20_000,
    );
    await pool().pool.startGlusterd(n(1));
    // PEER_CONNECT starts a pass: Ready long before the 5 min resync.
    await harness.waitFor('pool', 'be Ready again', (cluster) => isReadyAt(cluster, 3), 30_000);
  });

  it('a brick process killed: the GlusterVolume says BrickOffline in under a second, and Ready once it is back', async () => {
    const spec: GlusterVolumeSpec = {
      clusterRef: { name: 'pool' },
      layout: { type: 'Replicate', replica: 3 },
      brickTemplate: { path: '/bricks/{volume}', sets: 1 },
    };
    await harness.objects.createNamespacedCustomObject({
      ...volumeResource,
      namespace: harness.namespace,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterVolume',
        metadata: { name: 'ev' },
        spec,
      },
    });
    await measure(
      'the volume Ready',
      () => getVolume('ev'),
      (volume) =>
        volume.status?.bricksOnline === '3/3' &&
        volumeCondition(volume, 'Ready')?.startsWith('True') === true,
      120_000,
    );
    await pool().pool.killBrick(n(2), 'ev', '/bricks/ev');
    const { value, ms } = await measure(
      'the brick offline',
      () => getVolume('ev'),
      (volume) =>
        volume.status?.bricks?.find((brick) => brick.node === n(2).ipv4)?.online === false,
    );
    console.log(`      brick killed → status in ${ms.toFixed(0)} ms`);
    expect(ms).to.be.lessThan(1000);
    expect(volumeCondition(value, 'Degraded')).to.equal('True BrickOffline');
    expect(value.status?.bricksOnline).to.equal('2/3');
    await pool().pool.startBricks('ev');
    await measure(
      'the volume Ready again',
      () => getVolume('ev'),
      (volume) =>
        volume.status?.bricksOnline === '3/3' &&
        volumeCondition(volume, 'Ready')?.startsWith('True') === true,
      60_000,
    );
  });

  it('forged, oversized, replayed, stale and unknown-node posts are refused or dropped, and start no pass', async () => {
    const token = await tokenOfPool();
    const cluster = await harness.get('pool');
    const uuidOf = (index: number) => nodeOf(cluster, index)?.uuid ?? '';
    const body = (fields: Record<string, unknown>) =>
      JSON.stringify({
        nodeid: uuidOf(0),
        ts: Math.floor(Date.now() / 1000),
        event: 'PEER_CONNECT',
        message: { host: n(1).ipv4, uuid: uuidOf(1) },
        ...fields,
      });
    // A real event first: accepted, and it starts a pass.
    const genuine = body({});
    const before = await passesOfPool();
    expect(await post(genuine, token)).to.deep.equal({ status: 200, result: 'accepted' });
    await measure('the pass it started', passesOfPool, (passes) => passes > before);
    // The nodes post on their own too (clients, heal daemons after the brick test): measured in
    // a window when none of theirs came, so that any pass would be the refused posts' doing.
    for (let attempt = 1; ; attempt++) {
      await quiet(3000);
      const settled = await passesOfPool();
      const accepted = outcomes.filter((o) => o.result === 'accepted').length;
      const now = Math.floor(Date.now() / 1000);
      expect((await post(body({ ts: now + 1 }), 'x'.repeat(43))).status).to.equal(401);
      expect((await post(body({ message: { pad: 'x'.repeat(70_000) } }), token)).status).to.equal(
        413,
      );
      expect(await post(genuine, token)).to.deep.equal({ status: 200, result: 'replayed' });
      expect(await post(body({ ts: now - 3600 }), token)).to.deep.equal({
        status: 200,
        result: 'stale',
      });
      expect(
        await post(body({ nodeid: '00000000-0000-4000-8000-000000000000' }), token),
      ).to.deep.equal({ status: 200, result: 'unknown-node' });
      expect((await post('{"not": "an event"}', token)).status).to.equal(400);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const others = outcomes.filter((o) => o.result === 'accepted').length - accepted;
      if (others > 0 && attempt < 3) continue;
      expect(others, 'events from the nodes during the window').to.equal(0);
      expect(await passesOfPool(), 'passes after the refused posts').to.equal(settled);
      return;
    }
  });

  it('a node posting with an old token: refused, EventsDelivery says WebhookRejected, and the node is registered again', async () => {
    // n1's glustereventsd is given a wrong token and restarted by hand (as after a rotation it missed).
    const url = `http://${pool().pool.hostIpv4}:${String(receiver.port)}${eventsPath()}`;
    const wrong = JSON.stringify({ [url]: { token: 'y'.repeat(43), secret: '' } });
    await killEventsDaemon(0);
    await pool().pool.execOnNode(n(0), [
      'sh',
      '-c',
      `printf '%s' '${wrong}' > /var/lib/glusterd/events/webhooks.json && setsid /usr/sbin/glustereventsd </dev/null >/dev/null 2>&1 & sleep 1`,
    ]);
    const refusedBefore = outcomes.filter((o) => o.result === 'unauthorized').length;
    await pool().pool.stopGlusterd(n(1));
    // n3 still posts with the right token: the fault shows at once all the same.
    await measure(
      'n2 reported down',
      () => harness.get('pool'),
      (cluster) => nodeOf(cluster, 1)?.state !== 'Connected',
    );
    const rejected = await harness.waitFor(
      'pool',
      'say WebhookRejected',
      (cluster) => condition(cluster, 'EventsDelivery') === 'False WebhookRejected',
      20_000,
    );
    expect(outcomes.filter((o) => o.result === 'unauthorized').length).to.be.greaterThan(
      refusedBefore,
    );
    expect(
      rejected.status?.conditions?.find((c) => c.type === 'EventsDelivery')?.message,
    ).to.contain('wrong token');
    // The check that said so wrote the right token back.
    const token = await tokenOfPool();
    expect(JSON.parse((await webhooksOn(0)).text)).to.deep.equal({ [url]: { token, secret: '' } });
    await pool().pool.startGlusterd(n(1));
    await harness.waitFor(
      'pool',
      'be Ready and delivering again',
      (cluster) => isReadyAt(cluster, 3) && isDelivering(cluster, 3),
      60_000,
    );
  });

  it('glustereventsd stopped on a node: EventsDaemonRestarted at its next check, then Delivering', async () => {
    await harness.apply('pool', clusterSpec([0, 1, 2], { resyncInterval: '15s' }));
    await harness.waitFor('pool', 'be Ready', (cluster) => isReadyAt(cluster, 3), 30_000);
    await killEventsDaemon(2);
    const restarted = await harness.waitFor(
      'pool',
      'say EventsDaemonRestarted',
      (cluster) => condition(cluster, 'EventsDelivery') === 'False EventsDaemonRestarted',
      40_000,
    );
    expect(
      restarted.status?.conditions?.find((c) => c.type === 'EventsDelivery')?.message,
    ).to.contain(n(2).ipv4);
    expect(await eventsDaemonPids(2)).to.have.length.greaterThan(0);
    await harness.waitFor('pool', 'deliver again', (cluster) => isDelivering(cluster, 3), 40_000);
  });

  it('the webhook unreachable from the nodes: EventsDelivery WebhookUnreachable, and the resync still corrects the status', async () => {
    for (const index of [0, 1, 2]) await pool().pool.dropOutbound(n(index), receiver.port);
    try {
      const unreachable = await harness.waitFor(
        'pool',
        'say WebhookUnreachable',
        (cluster) => condition(cluster, 'EventsDelivery') === 'False WebhookUnreachable',
        40_000,
      );
      expect(unreachable.status?.events?.registered).to.be.lessThan(3);
      await pool().pool.stopGlusterd(n(1));
      // No event can arrive: the (shortened) resync finds it.
      const found = await harness.waitFor(
        'pool',
        'show n2 GlusterdDown from a look',
        (cluster) => nodeOf(cluster, 1)?.state === 'GlusterdDown',
        40_000,
      );
      expect(nodeOf(found, 1)?.reportedDown).to.equal(undefined);
    } finally {
      for (const index of [0, 1, 2]) await pool().pool.restoreOutbound(n(index));
      await pool().pool.startGlusterd(n(1));
    }
    await harness.waitFor(
      'pool',
      'be Ready and delivering again',
      (cluster) => isReadyAt(cluster, 3) && isDelivering(cluster, 3),
      60_000,
    );
  });

  it('a node that joins later is registered', async () => {
    await harness.apply('pool', clusterSpec([0, 1, 2, 3], { resyncInterval: '15s' }));
    await harness.waitFor(
      'pool',
      'be Ready with 4 nodes delivering',
      (cluster) => isReadyAt(cluster, 4) && isDelivering(cluster, 4),
      60_000,
    );
    const url = `http://${pool().pool.hostIpv4}:${String(receiver.port)}${eventsPath()}`;
    expect(Object.keys(JSON.parse((await webhooksOn(3)).text) as object)).to.deep.equal([url]);
  });

  it('turning events off removes the webhook from every node, and status.events with it', async () => {
    await harness.apply('pool', clusterSpec([0, 1, 2, 3], { events: { enabled: false } }));
    const off = await harness.waitFor(
      'pool',
      'drop status.events',
      (cluster) =>
        cluster.status?.observedGeneration === cluster.metadata.generation &&
        cluster.status?.events === undefined,
      30_000,
    );
    expect(condition(off, 'EventsDelivery')).to.equal(undefined);
    for (const index of [0, 1, 2, 3]) {
      expect(JSON.parse((await webhooksOn(index)).text), `n${String(index + 1)}`).to.deep.equal({});
    }
  });

  it('deleting the GlusterCluster removes the webhook from every node (Retain: the pool stays)', async () => {
    await harness.apply('pool', clusterSpec([0, 1, 2, 3]));
    await harness.waitFor(
      'pool',
      'deliver events from every node again',
      (cluster) => isReadyAt(cluster, 4) && isDelivering(cluster, 4),
      60_000,
    );
    for (const index of [0, 1, 2, 3]) {
      expect(Object.keys(JSON.parse((await webhooksOn(index)).text) as object)).to.have.length(1);
    }
    await harness.deleteAndWait('pool');
    const deadline = Date.now() + 30_000;
    for (const index of [0, 1, 2, 3]) {
      let text = (await webhooksOn(index)).text;
      while (JSON.stringify(JSON.parse(text)) !== '{}' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        text = (await webhooksOn(index)).text;
      }
      expect(JSON.parse(text), `n${String(index + 1)}`).to.deep.equal({});
    }
  });
});
