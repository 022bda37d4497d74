import { isIP } from 'node:net';

/** An IPv4 or IPv6 address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block, its network address masked to the prefix. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
  /** As it was written. */
  readonly text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

/**
 * Parses an IPv4 or IPv6 address (no brackets, no zone). An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`) is the IPv4 address it carries: on the wire that traffic is IPv4.
 * @throws Error for anything else
 */
export function parseIp(text: string): IpAddress {
  const family = isIP(text);
  if (family === 4) return { family: 4, value: parseIpv4(text) };
  if (family !== 6 || text.includes('%')) throw new Error(`Not an IP address: ${text}`);
  const value = parseIpv6(text);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

/** Dotted quad, or IPv6 in its canonical compressed form (RFC 5952). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, index) =>
    Number((ip.value >> BigInt(112 - index * 16)) & 0xffffn),
  );
  // WHATWG URL serialises an IPv6 host canonically: the longest run of zero groups as `::`.
  const host = new URL(`http://[${groups.map((group) => group.toString(16)).join(':')}]/`).hostname;
  return host.slice(1, -1);
}

/**
 * Parses `address/prefix`, as Kubernetes accepts it in an ipBlock (host bits may be set; they
 * are masked away).
 * @throws Error for anything else
 */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  const prefixText = text.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(prefixText)) throw new Error(`Not a CIDR: ${text}`);
  const address = text.slice(0, slash);
  const family = isIP(address);
  if (family !== 4 && family !== 6) throw new Error(`Not a CIDR: ${text}`);
  const prefixLength = Number(prefixText);
  if (prefixLength > BITS[family]) throw new Error(`Not a CIDR (prefix too long): ${text}`);
  // Parsed without unmapping: ::ffff:0:0/96 is an IPv6 block.
  const value = family === 4 ? parseIpv4(address) : parseIpv6(address);
  return { family, network: value & mask(family, prefixLength), prefixLength, text };
}

export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return (
    cidr.family === ip.family && (ip.value & mask(ip.family, cidr.prefixLength)) === cidr.network
  );
}

function mask(family: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixLength))) & all;
}

function parseIpv4(text: string): bigint {
  return text.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** A valid IPv6 address (isIP said so) to its 128 bits. */
function parseIpv6(text: string): bigint {
  let groupsText = text;
  // A dotted IPv4 tail (`::ffff:10.0.0.1`, `64:ff9b::192.0.2.1`) is the last two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (tail !== undefined) {
    const v4 = parseIpv4(tail);
    groupsText = `${text.slice(0, -tail.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = groupsText.split('::');
  const head = left === '' ? [] : left.split(':');
  const rest = right === undefined || right === '' ? [] : right.split(':');
  const zeros = right === undefined ? [] : Array<string>(8 - head.length - rest.length).fill('0');
  return [...head, ...zeros, ...rest].reduce(
    (value, group) => (value << 16n) | BigInt(parseInt(group, 16)),
    0n,
  );
}
