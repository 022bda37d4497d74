/**
 * One event as glustereventsd posts it to a webhook: `{"nodeid", "ts", "event", "message"}`
 * (gfevents/utils.py `publish`). `nodeid` is the UUID in the posting node's glusterd.info, `ts`
 * whole seconds by that node's clock, `event` the name without EVENT_ ("PEER_DISCONNECT"), and
 * `message` the key=value pairs glusterd sent, as strings (a few, such as "force", made
 * booleans or numbers; VOLUME_SET's options a list of pairs).
 */
export interface GlusterdEvent {
  readonly nodeId: string;
  readonly tsSeconds: number;
  readonly type: string;
  readonly message: Readonly<Record<string, EventValue>>;
}

export type EventValue = string | number | boolean | readonly EventValue[];

/** Why a body is not an event; the receiver answers 400 and counts it as malformed. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EVENT_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_FIELDS = 64;
const MAX_KEY_LENGTH = 64;
const MAX_VALUE_LENGTH = 4096;
const MAX_LIST_LENGTH = 256;
/** 2001-09-09: anything earlier is not a real clock reading. */
const MIN_TS_SECONDS = 1_000_000_000;
/** 2286: a clock that far ahead is broken, and larger numbers lose precision. */
const MAX_TS_SECONDS = 9_999_999_999;

/**
 * Checks a parsed JSON body field by field and returns the event, or throws
 * MalformedEventError saying what is wrong. Nothing of an event is used unchecked: the node ID
 * is matched against known members, the name against an upper-case pattern, every message value
 * is a bounded string, number, boolean or list of them.
 */
export function parseGlusterdEvent(body: unknown): GlusterdEvent {
  if (!isRecord(body)) throw new MalformedEventError('The body is not a JSON object');
  const { nodeid, ts, event, message } = body;
  if (typeof nodeid !== 'string' || !UUID.test(nodeid)) {
    throw new MalformedEventError('nodeid is not a lower-case UUID');
  }
  if (
    typeof ts !== 'number' ||
    !Number.isInteger(ts) ||
    ts < MIN_TS_SECONDS ||
    ts > MAX_TS_SECONDS
  ) {
    throw new MalformedEventError('ts is not a time in whole seconds since 1970');
  }
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) {
    throw new MalformedEventError('event is not an upper-case event name');
  }
  if (!isRecord(message)) throw new MalformedEventError('message is not a JSON object');
  const entries = Object.entries(message);
  if (entries.length > MAX_FIELDS) {
    throw new MalformedEventError(`message has more than ${MAX_FIELDS} fields`);
  }
  const checked = entries.map(([key, value]): [string, EventValue] => {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw new MalformedEventError(`message has a field name of ${key.length} characters`);
    }
    return [key, checkValue(key, value, 0)];
  });
  // fromEntries defines own properties: a "__proto__" key stays a plain field.
  return { nodeId: nodeid, tsSeconds: ts, type: event, message: Object.fromEntries(checked) };
}

/** The message field as a string, when it is one. */
export function textOf(event: GlusterdEvent, key: string): string | undefined {
  const value = Object.hasOwn(event.message, key) ? event.message[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function checkValue(key: string, value: unknown, depth: number): EventValue {
  if (typeof value === 'string') {
    if (value.length > MAX_VALUE_LENGTH) {
      throw new MalformedEventError(`message.${key} is longer than ${MAX_VALUE_LENGTH}`);
    }
    return value;
  }
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (Array.isArray(value) && depth < 2) {
    if (value.length > MAX_LIST_LENGTH) {
      throw new MalformedEventError(`message.${key} has more than ${MAX_LIST_LENGTH} items`);
    }
    return value.map((item: unknown) => checkValue(key, item, depth + 1));
  }
  throw new MalformedEventError(`message.${key} is not a string, number, boolean or short list`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
