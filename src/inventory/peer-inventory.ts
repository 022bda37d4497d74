import { InventoryFormatError } from './inventory-errors.js';
import { redactSecrets, validateInventoryDocument } from './inventory-validation.js';

/** One peer (Go's `Peer`): a replica process or host that can be reached on the network. */
export interface InventoryPeer {
  /** Precedence id (uint32); 0 means none. Picks one of several peers on the same host. */
  readonly pid: number;
  /** Unique within the inventory. */
  readonly name: string;
  readonly description?: string;
  /** Host name, possibly fully qualified; its first label says which machine the peer is on. */
  readonly hostname?: string;
  /** An IPv4 or IPv6 literal, or "" for a peer reached only through its domain. */
  readonly ip_address: string;
  /** DNS name used for endpoints when DNS is asked for. */
  readonly domain?: string;
  /** uint16 */
  readonly port: number;
  readonly aws_instance?: Readonly<Record<string, string>>;
}

/** A peers.json document (Go's `Peers`): metadata and the peers, called replicas on disk. */
export interface PeerInventory {
  readonly info: Readonly<Record<string, unknown>>;
  readonly replicas: readonly InventoryPeer[];
}

/** The largest peers.json read from a file or a sync service: a bound on memory, not on peers. */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;

/** The inventory of "no peers", what loading finds when there is no file. */
export function emptyPeerInventory(): PeerInventory {
  return Object.freeze({ info: Object.freeze({}), replicas: Object.freeze([]) });
}

/**
 * Parses and validates peers.json text. The result is frozen. A leading byte order mark is
 * ignored (editors on Windows write one).
 *
 * @param source the file path or URL, named in errors
 * @throws InventoryFormatError naming `source` and the JSON path of every bad field
 */
export function parsePeerInventory(text: string, source: string): PeerInventory {
  return parseInventoryText(text, source, []);
}

/**
 * parsePeerInventory, with `secrets` redacted from every message (and so from every stack) of
 * the errors it throws. For sync, where the text comes from a server that holds the API key.
 */
export function parseInventoryText(
  text: string,
  source: string,
  secrets: readonly string[],
): PeerInventory {
  const byteLength = Buffer.byteLength(text, 'utf8');
  if (byteLength > MAX_INVENTORY_BYTES) {
    throw new InventoryFormatError(source, [{ path: '', message: tooLargeMessage(byteLength) }]);
  }
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new InventoryFormatError(source, [
      { path: '', message: 'is empty; an inventory without peers is {"replicas": []}' },
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    // V8 may quote up to about 10 characters of the text ('Unexpected token ' ', "{"k": tru
    // "right-ke"... is not valid JSON'), which can be part of a secret too short to redact: with
    // secrets, the quote goes, and the cause is rebuilt without it, since a cause's message and
    // stack are shown wherever the error is.
    const safe =
      secrets.length === 0 ? detail : redactSecrets(detail.replace(/, ".*$/s, ''), secrets);
    const cause = safe === detail ? error : new SyntaxError(safe);
    throw new InventoryFormatError(source, [{ path: '', message: `is not valid JSON: ${safe}` }], {
      cause,
    });
  }
  const { inventory, problems, omitted } = validateInventoryDocument(document, secrets);
  if (problems.length > 0) throw new InventoryFormatError(source, problems, { omitted });
  return inventory;
}

/**
 * Decodes the bytes of a peers.json file or HTTP body: UTF-8, and invalid UTF-8 is an error
 * rather than silently turned into U+FFFD.
 */
export function decodeInventoryBytes(bytes: Uint8Array, source: string): string {
  if (bytes.byteLength > MAX_INVENTORY_BYTES) {
    throw new InventoryFormatError(source, [
      { path: '', message: tooLargeMessage(bytes.byteLength) },
    ]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new InventoryFormatError(source, [{ path: '', message: 'is not valid UTF-8 text' }], {
      cause: error,
    });
  }
}

function tooLargeMessage(byteLength: number): string {
  return `is ${byteLength} bytes, more than the limit of ${MAX_INVENTORY_BYTES} bytes (4 MiB)`;
}

const SERIALIZED_SOURCE = '(inventory being serialized)';

/**
 * peers.json text: two-space indented JSON with a final newline, fields in the Go struct's order,
 * empty optional fields left out (Go's omitempty). Only the known fields are written, and the text
 * is parsed back before it is returned, so nothing is ever written that loading would refuse.
 *
 * @throws InventoryFormatError when the inventory is invalid (duplicate names, a bad port ...)
 */
export function serializePeerInventory(inventory: PeerInventory): string {
  let text: string;
  try {
    text = `${JSON.stringify({ info: inventory.info, replicas: inventory.replicas.map(toJson) }, null, 2)}\n`;
  } catch (error) {
    // A cycle or a BigInt in `info` built in code; parsed inventories cannot have either.
    throw new InventoryFormatError(
      SERIALIZED_SOURCE,
      [{ path: 'info', message: 'cannot be written as JSON' }],
      { cause: error },
    );
  }
  parseInventoryText(text, SERIALIZED_SOURCE, []);
  return text;
}

function toJson(peer: InventoryPeer): Record<string, unknown> {
  const { aws_instance: awsInstance } = peer;
  return {
    pid: peer.pid,
    name: peer.name,
    ...(peer.description ? { description: peer.description } : {}),
    ...(peer.hostname ? { hostname: peer.hostname } : {}),
    ip_address: peer.ip_address,
    ...(peer.domain ? { domain: peer.domain } : {}),
    port: peer.port,
    ...(awsInstance !== undefined && Object.keys(awsInstance).length > 0
      ? { aws_instance: awsInstance }
      : {}),
  };
}
