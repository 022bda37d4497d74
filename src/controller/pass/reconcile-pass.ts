import { ChangeFence } from './change-fence.js';
import type { Leadership } from './leadership.js';

/** How a pass ended, for the work queue. */
export interface PassResult {
  /** Look again after this long even without an event: peers drift without Kubernetes noticing. */
  readonly requeueAfterMs?: number;
  /**
   * A change was made and has not been seen to land yet: look again soon, with a delay that
   * grows while it stays so (the queue owns that delay).
   */
  readonly followUp?: boolean;
  /** A change failed in a way retrying may fix: look again after a backoff that grows per failure. */
  readonly retry?: boolean;
}

/** The resource's generation, as every custom resource has it. */
export interface VersionedObject {
  readonly metadata: { readonly generation?: number };
}

/** The parts of a pass that belong to one kind of resource. */
export interface PassResource<TObject extends VersionedObject, TStatus> {
  /** The object as it is now; undefined when it is gone. */
  read(): Promise<TObject | undefined>;
  /** The object is gone: release everything kept for it (connections, caches). */
  forget(): Promise<void>;
  /**
   * Policy applied before anything else (finalizers): the object to work from, or undefined
   * when there is nothing left to do for it.
   */
  prepare(object: TObject): Promise<TObject | undefined>;
  /**
   * Desired → gather → plan → fenced act, from the object read at the start of the pass. The
   * status it returns is computed from that object and what this pass observed, nothing else.
   */
  run(object: TObject, fence: ChangeFence): Promise<PassOutcome<TStatus>>;
  /** Writes the status for `snapshot`'s generation; `superseded` when a newer spec is in force. */
  writeStatus(snapshot: TObject, status: TStatus): Promise<'written' | 'unchanged' | 'superseded'>;
}

export interface PassOutcome<TStatus> {
  /** Undefined: nothing to write (the object is being let go). */
  readonly status: TStatus | undefined;
  readonly result: PassResult;
}

export interface PassOptions {
  readonly leadership: Leadership;
  readonly signal: AbortSignal;
  /** The longest any one change may run. */
  readonly maxChangeMs: number;
}

/**
 * One level-based pass over one resource, the same for every kind: read the object → run its
 * pass (desired, gather, plan, act behind the fence) → write the status that pass computed,
 * stamped with the generation it was computed from. A pass that was stopped (shutdown, lost
 * leadership, the resource changed under a destructive change) writes nothing: the fence throws
 * a PassAbortedError. A status that a newer spec has superseded is dropped and the pass is run
 * again at once.
 */
export async function runReconcilePass<TObject extends VersionedObject, TStatus>(
  resource: PassResource<TObject, TStatus>,
  options: PassOptions,
): Promise<PassResult> {
  const read = await resource.read();
  if (read === undefined) {
    await resource.forget();
    return {};
  }
  const object = await resource.prepare(read);
  if (object === undefined) return {};
  const generation = object.metadata.generation ?? 0;
  const fence = new ChangeFence({
    leadership: options.leadership,
    signal: options.signal,
    generation,
    readGeneration: async () => (await resource.read())?.metadata.generation ?? undefined,
    maxChangeMs: options.maxChangeMs,
  });
  const outcome = await resource.run(object, fence);
  if (outcome.status === undefined) return outcome.result;
  // Nothing is written by a pass that was stopped, nor by a replica that no longer leads.
  fence.assertLeading('write the status');
  const written = await resource.writeStatus(object, outcome.status);
  if (written === 'superseded') return { requeueAfterMs: 0 };
  return outcome.result;
}
