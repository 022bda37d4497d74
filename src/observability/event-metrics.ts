import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metric-names.js';

/**
 * glusterd's events as the webhook receiver and the router see them. Labels are bounded: the
 * event name only when it is one gluster defines (an upper-case word, else "other"), the result
 * one of a fixed set; no pool labels (a flood must not grow the series).
 */
export interface EventMetrics {
  /** Every request the receiver answered, with its result (accepted, or why not). */
  countEventPost(event: string | undefined, result: string): void;
  /** Every event handed to the router, with what became of it. */
  countGlusterdEvent(event: string, result: string): void;
  /** A down report reached the status: ms from its receipt to the status written. */
  observeEventToStatus(event: string, latencyMs: number): void;
}

/** Names of events the operator acts on or that gluster often sends; anything else is "other". */
const KNOWN_EVENTS = new Set([
  'PEER_CONNECT',
  'PEER_DISCONNECT',
  'PEER_ATTACH',
  'PEER_DETACH',
  'PEER_REJECT',
  'BRICK_CONNECTED',
  'BRICK_DISCONNECTED',
  'QUORUM_LOST',
  'QUORUM_REGAINED',
  'VOLUME_CREATE',
  'VOLUME_START',
  'VOLUME_STOP',
  'VOLUME_DELETE',
  'VOLUME_SET',
  'VOLUME_RESET',
  'VOLUME_ADD_BRICK',
  'VOLUME_REMOVE_BRICK_START',
  'VOLUME_REMOVE_BRICK_COMMIT',
  'VOLUME_REBALANCE_START',
  'VOLUME_REBALANCE_COMPLETE',
  'AFR_SPLIT_BRAIN',
  'SVC_CONNECTED',
  'SVC_DISCONNECTED',
  'OPERATOR_PROBE',
]);

function eventLabel(event: string | undefined): string {
  if (event === undefined) return 'none';
  return KNOWN_EVENTS.has(event) ? event : 'other';
}

export function registerEventMetrics(registry: Registry): EventMetrics {
  const posts = new Counter({
    name: `${METRIC_PREFIX}event_posts_total`,
    help: 'Posts to the events webhook, by event and result: accepted, or why not (unauthorized, unknown-cluster, malformed, too-large, rate-limited, standby, not-found, method, media-type, unknown-node, stale, duplicate, replayed, internal-error).',
    labelNames: ['event', 'result'] as const,
    registers: [registry],
  });
  const received = new Counter({
    name: `${METRIC_PREFIX}events_received_total`,
    help: 'glusterd events that were authenticated and well formed, by event and what became of them (accepted, unknown-node, stale, duplicate, replayed).',
    labelNames: ['event', 'result'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}event_to_status_seconds`,
    help: 'From the receipt of a down event (PEER_DISCONNECT, BRICK_DISCONNECTED) to the status that shows it written.',
    labelNames: ['event'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    countEventPost(event, result) {
      posts.inc({ event: eventLabel(event), result });
    },
    countGlusterdEvent(event, result) {
      received.inc({ event: eventLabel(event), result });
    },
    observeEventToStatus(event, latencyMs) {
      latency.observe({ event: eventLabel(event) }, latencyMs / 1000);
    },
  };
}
