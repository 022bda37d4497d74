import { isIP } from 'node:net';
import type { InventoryProblem } from './inventory-errors.js';
import type { InventoryPeer, PeerInventory } from './peer-inventory.js';
import { redactValues } from '../redact-values.js';

/** How many problems one error lists; a file that is wrong everywhere would give a wall of text. */
const MAX_LISTED_PROBLEMS = 20;
/**
 * How deep `info` may nest. JSON.parse copes with any depth but JSON.stringify recurses, so a
 * deeper `info` would load and then fail to dump with a stack overflow.
 */
export const MAX_INFO_DEPTH = 64;
const MAX_UINT32 = 4_294_967_295;
const MAX_UINT16 = 65_535;

/** What validating a decoded JSON document found. */
export interface ValidationResult {
  readonly inventory: PeerInventory;
  readonly problems: readonly InventoryProblem[];
  /** Problems found beyond MAX_LISTED_PROBLEMS. */
  readonly omitted: number;
}

type JsonObject = Record<string, unknown>;

class Problems {
  readonly listed: InventoryProblem[] = [];
  omitted = 0;

  constructor(private readonly secrets: readonly string[]) {}

  describe(value: unknown): string {
    return describeValue(value, this.secrets);
  }

  add(path: string, message: string): void {
    if (this.listed.length >= MAX_LISTED_PROBLEMS) {
      this.omitted++;
      return;
    }
    this.listed.push({
      path: redactSecrets(path, this.secrets),
      message: redactSecrets(message, this.secrets),
    });
  }
}

/**
 * Checks a decoded peers.json document against the format of the Go `peers` package and builds
 * the frozen inventory. Go's rules where they are safe (a missing or null `replicas` or `info` is
 * empty, unknown fields are dropped, `pid` defaults to 0); stricter where Go would silently load
 * nonsense (wrong types, duplicate names, an `ip_address` that is not an address).
 *
 * `secrets` are replaced by `[redacted]` in every message: a sync service could echo the API key.
 */
export function validateInventoryDocument(
  document: unknown,
  secrets: readonly string[],
): ValidationResult {
  const problems = new Problems(secrets);
  const empty: PeerInventory = Object.freeze({ info: Object.freeze({}), replicas: [] });
  if (!isJsonObject(document)) {
    problems.add(
      '',
      `must be a JSON object such as {"replicas": [...]}, got ${problems.describe(document)}`,
    );
    return { inventory: empty, problems: problems.listed, omitted: problems.omitted };
  }
  const info = validateInfo(document['info'], problems);
  const replicas: InventoryPeer[] = [];
  const rawReplicas = document['replicas'];
  if (Array.isArray(rawReplicas)) {
    const firstIndexByName = new Map<string, number>();
    rawReplicas.forEach((raw, index) => {
      const path = `replicas[${index}]`;
      const peer = validatePeer(raw, path, problems);
      if (peer === undefined) return;
      const first = firstIndexByName.get(peer.name);
      if (first !== undefined) {
        problems.add(
          `${path}.name`,
          `${problems.describe(peer.name)} is already the name of replicas[${first}]; names must be unique`,
        );
        return;
      }
      firstIndexByName.set(peer.name, index);
      replicas.push(peer);
    });
  } else if (rawReplicas !== undefined && rawReplicas !== null) {
    problems.add('replicas', `must be an array of peers, got ${problems.describe(rawReplicas)}`);
  }
  const inventory: PeerInventory = Object.freeze({ info, replicas: Object.freeze(replicas) });
  return { inventory, problems: problems.listed, omitted: problems.omitted };
}

function validateInfo(raw: unknown, problems: Problems): Readonly<Record<string, unknown>> {
  if (raw === undefined || raw === null) return Object.freeze({});
  if (!isJsonObject(raw)) {
    problems.add('info', `must be an object, got ${problems.describe(raw)}`);
    return Object.freeze({});
  }
  const tooDeep = findTooDeep(raw, 'info');
  if (tooDeep !== undefined) {
    problems.add(tooDeep, `nests more than ${MAX_INFO_DEPTH} levels deep`);
  }
  // Object spread defines properties, so a "__proto__" key stays a plain key.
  return Object.freeze({ ...raw });
}

/** The path of the first value nested deeper than MAX_INFO_DEPTH, without recursion. */
function findTooDeep(root: JsonObject, rootPath: string): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: rootPath, depth: 1 },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_INFO_DEPTH) return path;
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i): [string, unknown] => [`[${i}]`, v])
      : Object.entries(value).map(([k, v]): [string, unknown] => [pathKey(k), v]);
    for (const [key, child] of entries) {
      stack.push({ value: child, path: `${path}${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

function validatePeer(raw: unknown, path: string, problems: Problems): InventoryPeer | undefined {
  if (!isJsonObject(raw)) {
    problems.add(path, `must be an object describing a peer, got ${problems.describe(raw)}`);
    return undefined;
  }
  const before = problems.listed.length + problems.omitted;
  const pid = validateInteger(raw['pid'], `${path}.pid`, MAX_UINT32, problems, 0);
  const name = validateName(raw['name'], `${path}.name`, problems);
  const description = validateOptionalString(raw['description'], `${path}.description`, problems);
  const hostname = validateOptionalString(raw['hostname'], `${path}.hostname`, problems);
  const ipAddress = validateIpAddress(raw['ip_address'], `${path}.ip_address`, problems);
  const domain = validateOptionalString(raw['domain'], `${path}.domain`, problems);
  const port = validateInteger(raw['port'], `${path}.port`, MAX_UINT16, problems, undefined);
  const awsInstance = validateAwsInstance(raw['aws_instance'], `${path}.aws_instance`, problems);
  if (problems.listed.length + problems.omitted > before) return undefined;
  if (name === undefined || ipAddress === undefined || port === undefined) return undefined;
  return Object.freeze({
    pid,
    name,
    ...(description === undefined ? {} : { description }),
    ...(hostname === undefined ? {} : { hostname }),
    ip_address: ipAddress,
    ...(domain === undefined ? {} : { domain }),
    port,
    ...(awsInstance === undefined ? {} : { aws_instance: awsInstance }),
  });
}

function validateInteger<T extends number | undefined>(
  raw: unknown,
  path: string,
  max: number,
  problems: Problems,
  fallback: T,
): number | T {
  if (raw === undefined) {
    if (fallback === undefined) problems.add(path, `is required: an integer 0..${max}`);
    return fallback;
  }
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > max) {
    problems.add(path, `must be an integer 0..${max}, got ${problems.describe(raw)}`);
    return fallback;
  }
  return raw;
}

function validateName(raw: unknown, path: string, problems: Problems): string | undefined {
  if (raw === undefined) {
    problems.add(path, 'is required: the unique name of the peer');
    return undefined;
  }
  if (typeof raw !== 'string' || raw.trim() === '') {
    problems.add(path, `must be a non-empty string, got ${problems.describe(raw)}`);
    return undefined;
  }
  return raw;
}

/** Absent, null and "" all mean "not set", as Go's zero value with omitempty does. */
function validateOptionalString(
  raw: unknown,
  path: string,
  problems: Problems,
): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string') {
    problems.add(path, `must be a string, got ${problems.describe(raw)}`);
    return undefined;
  }
  return raw;
}

/**
 * Required, as Go always writes it; "" is allowed (a peer reached by its domain only), anything
 * else must be an IP literal so endpoints are right (IPv6 gets brackets) and a host name put here
 * by mistake is caught at load time rather than at connect time.
 */
function validateIpAddress(raw: unknown, path: string, problems: Problems): string | undefined {
  if (raw === undefined) {
    problems.add(path, 'is required: an IPv4 or IPv6 address, or "" for a peer reached by domain');
    return undefined;
  }
  if (typeof raw !== 'string' || (raw !== '' && isIP(raw) === 0)) {
    problems.add(path, `must be an IPv4 or IPv6 address, got ${problems.describe(raw)}`);
    return undefined;
  }
  return raw;
}

function validateAwsInstance(
  raw: unknown,
  path: string,
  problems: Problems,
): Readonly<Record<string, string>> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) {
    problems.add(path, `must be an object of strings, got ${problems.describe(raw)}`);
    return undefined;
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) return undefined;
  const strings: [string, string][] = [];
  for (const [key, value] of entries) {
    if (typeof value === 'string') strings.push([key, value]);
    else
      problems.add(`${path}${pathKey(key)}`, `must be a string, got ${problems.describe(value)}`);
  }
  // fromEntries defines properties, so a "__proto__" key cannot change the prototype.
  return Object.freeze(Object.fromEntries(strings));
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `.key` for plain identifiers, `["odd key"]` otherwise, so the path can be pasted into jq. */
function pathKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

const MAX_SHOWN_STRING = 60;

/** A short, single-line rendering of a bad value for an error message. */
function describeValue(value: unknown, secrets: readonly string[] = []): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    // Redact before cutting: a cut through a secret would leave part of it to be seen.
    const shown = redactSecrets(value, secrets);
    return JSON.stringify(
      shown.length > MAX_SHOWN_STRING ? `${shown.slice(0, MAX_SHOWN_STRING)}…` : shown,
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'nothing';
  return typeof value;
}

/** Replaces every secret in `text`, in every form it may take there (see redactValues). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return redactValues(text, secrets, '[redacted]');
}
