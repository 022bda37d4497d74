import type { DownReport, PoolContext } from '../../../../src/core/events/event-ledger.js';
import type { GlusterdEvent, EventValue } from '../../../../src/core/events/glusterd-event.js';

/** A glusterd UUID per short node name: `uuidOf('n1')` → `00000000-0000-4000-8000-0000000000n1`. */
export function uuidOf(node: string): string {
  const hex = Buffer.from(node).toString('hex').padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

/** Seconds a typical event carries (2025-12-06T05:46:40Z). */
export const TS = 1_765_000_000;
/** Milliseconds at the start of TS's second. */
export const TS_MS = TS * 1000;

/** Members `n1..nN`, by UUID → address. */
export function membersOf(...addresses: string[]): Map<string, string> {
  return new Map(addresses.map((address) => [uuidOf(address), address]));
}

export function aPool(
  members: ReadonlyMap<string, string>,
  lastLookStartedMs?: number,
): PoolContext {
  return { members, lastLookStartedMs };
}

/** An event from `from` (an address whose UUID is uuidOf(from)). */
export function anEvent(
  from: string,
  type: string,
  message: Record<string, EventValue> = {},
  tsSeconds = TS,
): GlusterdEvent {
  return { nodeId: uuidOf(from), tsSeconds, type, message };
}

/** PEER_DISCONNECT, as `from` reports `peer` down. */
export function aPeerDisconnect(from: string, peer: string, tsSeconds = TS): GlusterdEvent {
  return anEvent(
    from,
    'PEER_DISCONNECT',
    { peer, uuid: uuidOf(peer), state: 'Peer in Cluster' },
    tsSeconds,
  );
}

/** BRICK_DISCONNECTED, as `from` reports the brick `peer:brick` of `volume` down. */
export function aBrickDisconnect(
  from: string,
  peer: string,
  brick: string,
  volume: string,
  tsSeconds = TS,
): GlusterdEvent {
  return anEvent(from, 'BRICK_DISCONNECTED', { peer, brick, volume }, tsSeconds);
}

/** A digest unique to the event's content (the receiver hashes the body; any unique string will do). */
export function digestOf(event: GlusterdEvent): string {
  return JSON.stringify(event);
}

export function aPeerReport(peer: string, overrides: Partial<DownReport> = {}): DownReport {
  return {
    event: 'PEER_DISCONNECT',
    subject: uuidOf(peer),
    reporters: ['n1'],
    tsSeconds: TS,
    receivedMs: TS_MS + 200,
    ...overrides,
  };
}

export function aBrickReport(
  brick: string,
  volume: string,
  overrides: Partial<DownReport> = {},
): DownReport {
  return {
    event: 'BRICK_DISCONNECTED',
    subject: brick,
    volume,
    reporters: ['n1'],
    tsSeconds: TS,
    receivedMs: TS_MS + 200,
    ...overrides,
  };
}
