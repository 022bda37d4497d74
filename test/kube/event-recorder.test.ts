import { expect } from 'chai';
import {
  CoreV1Api,
  CustomObjectsApi,
  type CoreV1Event,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  PLURAL,
  type GlusterCluster,
} from '../../src/api/gluster-cluster.js';
import {
  EVENT_SOURCE_COMPONENT,
  REPORTING_CONTROLLER,
  createEventRecorder,
  type EventInput,
  type EventRecorder,
} from '../../src/kube/event-recorder.js';
import type { Logger } from '../../src/observability/logger.js';
import { createSilentLogger } from '../../src/observability/logger.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';

const PROBE_FAILED: EventInput = {
  type: 'Warning',
  reason: 'ProbeFailed',
  message: 'Failed to probe 10.250.0.12: the node did not answer on port 24007',
  action: 'Probe',
};

describe('EventRecorder on a real API server', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  let nowMs: number;
  let recorder: EventRecorder;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    namespace = await createTestNamespace(kc, 'events');
  });

  beforeEach(function () {
    // Whole seconds: Event timestamps are stored in seconds.
    nowMs = Math.floor(Date.now() / 1000) * 1000;
    recorder = createEventRecorder(kc, {
      logger: createSilentLogger(),
      instance: 'gluster-operator-7d9f-abcde',
      now: () => new Date(nowMs),
    });
  });

  async function aCluster(name: string): Promise<GlusterCluster> {
    return (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: PLURAL,
      namespace,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterCluster',
        metadata: { name },
        spec: { nodes: [{ address: '10.250.0.11' }], ssh: { secretRef: { name: 'ssh' } } },
      },
    })) as GlusterCluster;
  }

  /** The Events about `cluster`, oldest first, the way `kubectl describe` finds them. */
  async function eventsAbout(cluster: GlusterCluster): Promise<CoreV1Event[]> {
    const list = await core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.uid=${cluster.metadata.uid ?? ''}`,
    });
    return list.items.sort(
      (a, b) => (a.firstTimestamp?.getTime() ?? 0) - (b.firstTimestamp?.getTime() ?? 0),
    );
  }

  it('creates a core/v1 Event about the object, naming the operator as its source', async function () {
    const cluster = await aCluster('one-event');
    await recorder.record(cluster, PROBE_FAILED);

    const [event, ...others] = await eventsAbout(cluster);
    expect(others).to.deep.equal([]);
    expect(event).to.not.equal(undefined);
    expect({
      type: event!.type,
      reason: event!.reason,
      message: event!.message,
      action: event!.action,
      count: event!.count,
      involvedObject: event!.involvedObject,
      reportingComponent: event!.reportingComponent,
      reportingInstance: event!.reportingInstance,
      source: event!.source,
    }).to.deep.equal({
      ...PROBE_FAILED,
      count: 1,
      involvedObject: {
        apiVersion: 'glusteroperator.io/v1alpha1',
        kind: 'GlusterCluster',
        name: 'one-event',
        namespace,
        uid: cluster.metadata.uid,
        resourceVersion: cluster.metadata.resourceVersion,
      },
      reportingComponent: REPORTING_CONTROLLER,
      reportingInstance: 'gluster-operator-7d9f-abcde',
      source: { component: EVENT_SOURCE_COMPONENT, host: 'gluster-operator-7d9f-abcde' },
    });
    expect(event!.metadata.name).to.match(/^one-event\.[0-9a-f]+$/);
    expect(event!.firstTimestamp?.getTime()).to.equal(nowMs);
    expect(event!.lastTimestamp?.getTime()).to.equal(nowMs);
  });

  it('counts repeats within ten minutes on one Event, and starts a new one after', async function () {
    const cluster = await aCluster('repeated');
    const firstMs = nowMs;
    await recorder.record(cluster, PROBE_FAILED);
    nowMs += 4 * 60_000;
    await recorder.record(cluster, PROBE_FAILED);
    nowMs += 9 * 60_000; // 13 minutes after the first: within ten of the last
    await recorder.record(cluster, PROBE_FAILED);

    let events = await eventsAbout(cluster);
    expect(events.map((e) => e.count)).to.deep.equal([3]);
    expect(events[0]!.firstTimestamp?.getTime()).to.equal(firstMs);
    expect(events[0]!.lastTimestamp?.getTime()).to.equal(nowMs);

    nowMs += 10 * 60_000 + 1_000;
    await recorder.record(cluster, PROBE_FAILED);
    events = await eventsAbout(cluster);
    expect(events.map((e) => e.count)).to.deep.equal([3, 1]);
  });

  it('keeps Events with another reason, message or type apart', async function () {
    const cluster = await aCluster('distinct');
    await recorder.record(cluster, PROBE_FAILED);
    await recorder.record(cluster, { ...PROBE_FAILED, message: 'Failed to probe 10.250.0.13' });
    await recorder.record(cluster, {
      type: 'Normal',
      reason: 'ProbedPeer',
      message: 'Probed 10.250.0.12 into the pool',
      action: 'Probe',
    });
    await recorder.record(cluster, PROBE_FAILED);
    const events = await eventsAbout(cluster);
    expect(events.map((e) => [e.reason, e.count]).sort()).to.deep.equal([
      ['ProbeFailed', 1],
      ['ProbeFailed', 2],
      ['ProbedPeer', 1],
    ]);
  });

  it('aggregates repeats recorded at the same time into one Event', async function () {
    const cluster = await aCluster('concurrent');
    await Promise.all(Array.from({ length: 5 }, () => recorder.record(cluster, PROBE_FAILED)));
    expect((await eventsAbout(cluster)).map((e) => e.count)).to.deep.equal([5]);
  });

  it('starts a new Event when the one it counted on has gone (expired)', async function () {
    const cluster = await aCluster('expired-event');
    await recorder.record(cluster, PROBE_FAILED);
    const [first] = await eventsAbout(cluster);
    await core.deleteNamespacedEvent({ namespace, name: first!.metadata.name! });
    nowMs += 60_000;
    await recorder.record(cluster, PROBE_FAILED);
    const events = await eventsAbout(cluster);
    expect(events.map((e) => e.count)).to.deep.equal([1]);
    expect(events[0]!.metadata.name).to.not.equal(first!.metadata.name);
  });

  it('cuts a long message to 1024 bytes of UTF-8, on a character boundary', async function () {
    const cluster = await aCluster('long-message');
    const message = `Failed to detach: ${'brique à café ☕ '.repeat(200)}`;
    await recorder.record(cluster, { ...PROBE_FAILED, message });
    const [event] = await eventsAbout(cluster);
    const stored = event!.message!;
    expect(Buffer.byteLength(stored, 'utf8')).to.be.at.most(1024).and.at.least(1020);
    expect(stored.endsWith('...')).to.equal(true);
    expect(message.startsWith(stored.slice(0, -3))).to.equal(true);
  });

  it('never fails the caller: an Event it may not write is logged instead', async function () {
    const cluster = await aCluster('forbidden');
    const warnings: { message: string; meta?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      ...createSilentLogger(),
      warn: (message, meta) => {
        warnings.push({ message, ...(meta === undefined ? {} : { meta }) });
      },
    };
    const nobody = loadKubeConfig(await cp.serviceAccountKubeconfig(namespace, 'nobody'));
    const forbidden = createEventRecorder(nobody, { logger });
    await forbidden.record(cluster, PROBE_FAILED);
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.message).to.equal('Failed to record event');
    expect(warnings[0]!.meta).to.include({ namespace, name: 'forbidden', reason: 'ProbeFailed' });
    expect(String(warnings[0]!.meta?.['error'])).to.match(/403 Forbidden/);
    expect(await eventsAbout(cluster)).to.deep.equal([]);
  });
});
