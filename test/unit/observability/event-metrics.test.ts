import { expect } from 'chai';
import { Registry } from 'prom-client';
import { registerEventMetrics } from '../../../src/observability/event-metrics.js';

describe('event metrics', () => {
  it('counts posts and events by a bounded event label, and observes the latency in seconds', async () => {
    const registry = new Registry();
    const metrics = registerEventMetrics(registry);
    metrics.countEventPost('PEER_DISCONNECT', 'accepted');
    metrics.countEventPost('MADE_UP_BY_SOMEONE', 'accepted');
    metrics.countEventPost(undefined, 'unauthorized');
    metrics.countGlusterdEvent('PEER_DISCONNECT', 'duplicate');
    metrics.observeEventToStatus('BRICK_DISCONNECTED', 40);
    const text = await registry.metrics();
    expect(text).to.contain(
      'gluster_operator_event_posts_total{event="PEER_DISCONNECT",result="accepted"} 1',
    );
    // An unknown name is "other": a flood of made-up names adds no series.
    expect(text).to.contain(
      'gluster_operator_event_posts_total{event="other",result="accepted"} 1',
    );
    expect(text).not.to.contain('MADE_UP_BY_SOMEONE');
    expect(text).to.contain(
      'gluster_operator_event_posts_total{event="none",result="unauthorized"} 1',
    );
    expect(text).to.contain(
      'gluster_operator_events_received_total{event="PEER_DISCONNECT",result="duplicate"} 1',
    );
    expect(text).to.contain(
      'gluster_operator_event_to_status_seconds_bucket{le="0.05",event="BRICK_DISCONNECTED"} 1',
    );
    expect(text).to.contain(
      'gluster_operator_event_to_status_seconds_bucket{le="0.025",event="BRICK_DISCONNECTED"} 0',
    );
  });
});
