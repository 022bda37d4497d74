/**
 * What a node address may be: a DNS name, an IPv4 address or an IPv6 address. Checked before any
 * address reaches a command, so a malformed or hostile value is refused with a clear reason
 * instead of being handed to gluster or a shell. Pure: the same rules back the CRD's validation.
 */
export type HostAddressKind = 'ipv4' | 'ipv6' | 'hostname';

export type HostAddressCheck =
  | { readonly valid: true; readonly kind: HostAddressKind }
  | { readonly valid: false; readonly reason: string };

const MAX_HOSTNAME_LENGTH = 253;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9a-f:.]+$/i;

export function checkHostAddress(value: string): HostAddressCheck {
  if (value === '') return { valid: false, reason: 'an address must not be empty' };
  if (value.length > MAX_HOSTNAME_LENGTH) {
    return { valid: false, reason: `an address must be at most ${MAX_HOSTNAME_LENGTH} characters` };
  }
  if (IPV4.test(value)) return { valid: true, kind: 'ipv4' };
  if (value.includes(':')) {
    return isIpv6(value)
      ? { valid: true, kind: 'ipv6' }
      : { valid: false, reason: `"${printable(value)}" is not a valid IPv6 address` };
  }
  const labels = value.replace(/\.$/, '').split('.');
  if (!labels.every((label) => LABEL.test(label))) {
    return {
      valid: false,
      reason: `"${printable(value)}" is not a valid host name: use letters, digits, "-" and "."`,
    };
  }
  // "256.256.256.256" or "10.11.a" are well-formed DNS names but are certainly mistyped IPv4
  // addresses: no real top-level domain is numeric, and dotted numbers are not a naming scheme.
  const numericLabels = labels.filter((label) => /^\d+$/.test(label)).length;
  if (/^\d+$/.test(labels.at(-1) ?? '') || numericLabels >= 2) {
    return { valid: false, reason: `"${printable(value)}" is not a valid IPv4 address` };
  }
  return { valid: true, kind: 'hostname' };
}

function isIpv6(value: string): boolean {
  if (!IPV6_CHARS.test(value)) return false;
  let text = value;
  // An embedded IPv4 tail ("::ffff:192.0.2.1") stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

// Error messages echo the offending value; control characters would break logs and events.
function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
