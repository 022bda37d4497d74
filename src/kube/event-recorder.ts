import { randomBytes } from 'node:crypto';
import os from 'node:os';
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { Logger } from '../observability/logger.js';
import { NotFoundError, toKubeError } from './kube-errors.js';
import { formatKubeTime } from './kube-time.js';

/** `reportingComponent` of every Event the operator creates (a qualified name, as the API asks). */
export const REPORTING_CONTROLLER = 'glusteroperator.io/gluster-operator';
/** `source.component` of every Event (what `kubectl describe` shows under "From"). */
export const EVENT_SOURCE_COMPONENT = 'gluster-operator';

/** The API server's limits (core/v1 Event validation): longer values are cut to fit. */
const MESSAGE_LIMIT_BYTES = 1024;
const REASON_LIMIT = 128;
const ACTION_LIMIT = 128;
const INSTANCE_LIMIT = 128;
const NAME_LIMIT = 253;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface EventInput {
  readonly type: 'Normal' | 'Warning';
  /** CamelCase, machine-readable (`ProbedPeer`, `DetachRefused`, `ReconcileFailed`). */
  readonly reason: string;
  /** A sentence a person can act on; cut to 1024 bytes. */
  readonly message: string;
  /** What the operator did or tried (`Probe`, `Detach`, `Reconcile`). */
  readonly action: string;
}

/** The object an Event is about: any namespaced Kubernetes object (a GlusterCluster). */
export interface EventSubject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
}

export interface EventRecorder {
  /**
   * Records a core/v1 Event about `object`. A repeat (same object, type, reason, action and
   * message) within the aggregation window bumps the earlier Event's `count` and
   * `lastTimestamp` instead of creating another. Never rejects: an Event that cannot be written
   * is logged, because it must not fail a reconcile.
   */
  record(object: EventSubject, event: EventInput): Promise<void>;
  /** The object is gone: drop what is kept to aggregate its Events. */
  forget(namespace: string, name: string): void;
}

export interface EventRecorderOptions {
  readonly logger: Logger;
  /** `reportingInstance` and `source.host`: the pod's name. Default: the host name. */
  readonly instance?: string;
  /** Repeats closer together than this aggregate into one Event. Default 10 minutes. */
  readonly aggregationWindowMs?: number;
  /** Event series remembered for aggregation (the least recent forgotten). Default 4096. */
  readonly maxSeries?: number;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
}

export function createEventRecorder(
  kubeConfig: KubeConfig,
  options: EventRecorderOptions,
): EventRecorder {
  return new KubeEventRecorder(kubeConfig.makeApiClient(CoreV1Api), options);
}

/** The core/v1 Event as sent: plain data. */
interface EventBody {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly involvedObject: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly action: string;
  readonly count: number;
  readonly firstTimestamp: Date;
  readonly lastTimestamp: Date;
  readonly source: { readonly component: string; readonly host: string };
  readonly reportingComponent: string;
  readonly reportingInstance: string;
}

interface Series {
  readonly namespace: string;
  readonly eventName: string;
  count: number;
  lastMs: number;
}

class KubeEventRecorder implements EventRecorder {
  private readonly logger: Logger;
  private readonly instance: string;
  private readonly windowMs: number;
  private readonly maxSeries: number;
  private readonly now: () => Date;
  /** Series by aggregation key, least recently used first (Map keeps insertion order). */
  private readonly series = new Map<string, Series>();
  /** Per aggregation key, the last write in progress: repeats are written one after another. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly core: CoreV1Api,
    options: EventRecorderOptions,
  ) {
    this.logger = options.logger;
    this.instance = truncate(options.instance ?? os.hostname(), INSTANCE_LIMIT);
    this.windowMs = options.aggregationWindowMs ?? 10 * 60_000;
    this.maxSeries = options.maxSeries ?? 4096;
    this.now = options.now ?? (() => new Date());
  }

  record(object: EventSubject, event: EventInput): Promise<void> {
    const input: EventInput = {
      type: event.type,
      reason: truncate(event.reason, REASON_LIMIT),
      action: truncate(event.action, ACTION_LIMIT),
      message: truncateUtf8(event.message, MESSAGE_LIMIT_BYTES),
    };
    const { metadata } = object;
    const key = JSON.stringify([
      metadata.namespace,
      metadata.name,
      metadata.uid ?? '',
      input.type,
      input.reason,
      input.action,
      input.message,
    ]);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.write(key, object, input));
    this.tails.set(key, run);
    return run.finally(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    });
  }

  /** Never rejects. */
  private async write(key: string, object: EventSubject, input: EventInput): Promise<void> {
    const { namespace, name } = object.metadata;
    try {
      const now = this.now();
      const series = this.series.get(key);
      if (series !== undefined && now.getTime() - series.lastMs <= this.windowMs) {
        if (await this.bump(series, now)) {
          this.touch(key, series);
          return;
        }
      }
      const created = await this.create(object, input, now);
      this.touch(key, { namespace, eventName: created, count: 1, lastMs: now.getTime() });
    } catch (error) {
      this.logger.warn('Failed to record event', {
        namespace,
        name,
        type: input.type,
        reason: input.reason,
        error: toKubeError(error, `record event ${input.reason} on ${namespace}/${name}`).message,
      });
    }
  }

  /** Counts one more occurrence on the series' Event; false when that Event is gone (expired). */
  private async bump(series: Series, now: Date): Promise<boolean> {
    const count = series.count + 1;
    try {
      await this.core.patchNamespacedEvent(
        {
          namespace: series.namespace,
          name: series.eventName,
          body: { count, lastTimestamp: formatKubeTime(now) },
        },
        MERGE_PATCH,
      );
    } catch (error) {
      const kubeError = toKubeError(error, `update event ${series.namespace}/${series.eventName}`);
      // Events live an hour (the API server's --event-ttl): start a new one.
      if (kubeError instanceof NotFoundError) return false;
      throw kubeError;
    }
    series.count = count;
    series.lastMs = now.getTime();
    return true;
  }

  /** Creates a new Event; returns its name. */
  private async create(object: EventSubject, input: EventInput, now: Date): Promise<string> {
    const { metadata } = object;
    const suffix = `${now.getTime().toString(16)}${randomBytes(4).toString('hex')}`;
    const eventName = `${metadata.name.slice(0, NAME_LIMIT - suffix.length - 1)}.${suffix}`;
    const body: EventBody = {
      metadata: { name: eventName, namespace: metadata.namespace },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: metadata.name,
        namespace: metadata.namespace,
        ...(metadata.uid === undefined ? {} : { uid: metadata.uid }),
        ...(metadata.resourceVersion === undefined
          ? {}
          : { resourceVersion: metadata.resourceVersion }),
      },
      type: input.type,
      reason: input.reason,
      message: input.message,
      action: input.action,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: EVENT_SOURCE_COMPONENT, host: this.instance },
      reportingComponent: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
    };
    try {
      await this.core.createNamespacedEvent({
        namespace: metadata.namespace,
        // client-node types bodies as its model classes, which are data only; it sends plain
        // objects all the same.
        // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
        body,
      });
    } catch (error) {
      throw toKubeError(error, `create event ${metadata.namespace}/${eventName}`);
    }
    return eventName;
  }

  forget(namespace: string, name: string): void {
    // Keys are JSON arrays that start with the namespace and the name.
    const prefix = `${JSON.stringify([namespace, name]).slice(0, -1)},`;
    for (const key of this.series.keys()) {
      if (key.startsWith(prefix)) this.series.delete(key);
    }
  }

  private touch(key: string, series: Series): void {
    this.series.delete(key);
    this.series.set(key, series);
    for (const oldest of this.series.keys()) {
      if (this.series.size <= this.maxSeries) break;
      this.series.delete(oldest);
    }
  }
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : text.slice(0, limit);
}

/** Cuts `text` to at most `limitBytes` of UTF-8, whole code points, marking the cut with "...". */
function truncateUtf8(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limitBytes) return text;
  const marker = '...';
  const budget = limitBytes - Buffer.byteLength(marker, 'utf8');
  let used = 0;
  let kept = '';
  for (const codePoint of text) {
    const size = Buffer.byteLength(codePoint, 'utf8');
    if (used + size > budget) break;
    used += size;
    kept += codePoint;
  }
  return kept + marker;
}
