/**
 * JSON values as Lua 5.1 source: the way a test hands a Kubernetes object to a real Lua
 * interpreter as the table Argo CD would build from it.
 */

/** A value as it comes out of JSON.parse. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A Lua string literal for `text`, byte for byte: printable ASCII stays readable, every other
 * byte of its UTF-8 form is a three-digit decimal escape. Always three digits, because Lua reads
 * up to three after a backslash and "\0" followed by "12" would otherwise become "\012".
 */
export function toLuaString(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, 'utf8')) {
    const isPlain = byte >= 0x20 && byte <= 0x7e && byte !== QUOTE && byte !== BACKSLASH;
    out += isPlain ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/**
 * A Lua expression that builds `value`: objects become tables keyed by string, arrays become
 * sequences from 1, null becomes nil (an absent key, as in Argo CD's decoder).
 */
export function toLuaLiteral(value: JsonValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${String(value)} has no JSON form`);
    return String(value);
  }
  if (typeof value === 'string') return toLuaString(value);
  if (Array.isArray(value)) return `{${value.map(toLuaLiteral).join(', ')}}`;
  const fields = Object.entries(value).map(
    ([key, item]) => `[${toLuaString(key)}] = ${toLuaLiteral(item)}`,
  );
  return `{${fields.join(', ')}}`;
}
