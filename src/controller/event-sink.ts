import type { EventSubject } from '../kube/event-recorder.js';

/** Where a pass records Kubernetes Events about its resource (the event recorder). */
export interface EventSink {
  record(
    object: EventSubject,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string; action: string },
  ): Promise<void>;
  /** The resource is gone: drop what is kept about its Events. */
  forget?(namespace: string, name: string): void;
}
