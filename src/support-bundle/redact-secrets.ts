/**
 * Secret redaction for everything a support bundle holds. A bundle leaves the site (it is mailed,
 * attached to tickets), so every file is passed through here before it is written: it is cheaper
 * to lose a few harmless characters than to ship one key.
 */
import { redactValues } from '../redact-values.js';

/** What a redacted value is replaced with. Contains nothing any rule below matches again. */
export const REDACTED = '[REDACTED]';

// A whole PEM or OpenSSH private key block (RSA, EC, OPENSSH, ENCRYPTED, PKCS#8), also when its
// newlines are JSON-escaped (a log line) or indented (a YAML block scalar).
const PRIVATE_KEY_BLOCK =
  /-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*?PRIVATE KEY-----/g;
// A block whose end was cut off (a truncated file): everything after its first line goes.
const UNTERMINATED_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----[\s\S]*$/;
// The end of a block whose beginning was cut off (a log tail that starts inside a key).
const KEY_BLOCK_END = /-----END ([A-Z0-9 ]*?)PRIVATE KEY-----/;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

// JSON Web Tokens (Kubernetes service account tokens among them) wherever they appear.
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;

// Names whose values are secrets: the keyword must end the name (`client_secret`, `X-Api-Key`,
// `ssh-privatekey`, `password`), so `secretRef` or `tokenTTL` keep their values.
const SECRET_NAME = String.raw`[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|secret|token|api[-_]?key|private[-_]?key|key[-_]?data|authorization)`;
const QUOTED_VALUE = String.raw`"(?:[^"\\]|\\.)*"|'[^']*'`;
// A quoted value inside a JSON string (a log line whose message holds JSON): \"...\".
const ESCAPED_QUOTED_VALUE = String.raw`\\"(?:(?!\\").)*\\"`;
// An unquoted value runs to whitespace or a separator; an auth scheme word goes with its value.
// A value an earlier rule already redacted is left as it is.
const AUTH_SCHEME = String.raw`(?:(?:Bearer|Basic|Digest|Token)\s+)`;
const BARE_VALUE = String.raw`(?!${AUTH_SCHEME}?\[REDACTED)${AUTH_SCHEME}?(?:[^\s,;&"'<>}\]\\]|\\(?![n"]))+`;
// `password=x`, `password: x`, `"password": "x"`, `X-Api-Key: x`, `\"token\":\"x\"`.
const KEY_VALUE = new RegExp(
  String.raw`(?<name>(?<quote>\\?["']?)${SECRET_NAME}\k<quote>)(?<separator>[ \t]*[:=][ \t]*)(?<value>${ESCAPED_QUOTED_VALUE}|${QUOTED_VALUE}|${BARE_VALUE})`,
  'gi',
);
// `<password>x</password>`, and gluster's option pairs `<name>auth.x.password</name><value>x</value>`.
const XML_ELEMENT = new RegExp(String.raw`<(${SECRET_NAME})>[^<]*</\1>`, 'gi');
const XML_OPTION = new RegExp(
  String.raw`(<name>[^<]*?${SECRET_NAME}</name>\s*<value>)[^<]*(</value>)`,
  'gi',
);

/**
 * Removes secrets from `text`:
 * - every string in `secretValues`, wherever it appears: the whole value, its JSON-escaped and
 *   base64 forms, and each of its lines of 8 characters or more (so a key that was re-indented,
 *   escaped or cut by a log tail is still caught);
 * - PEM/OpenSSH private key blocks, also cut at either end;
 * - bearer tokens and JWTs;
 * - values of `password`/`token`/`secret`/`apikey`/`X-Api-Key`/`authorization`-style names, in
 *   `key=value`, `key: value`, JSON and XML form.
 */
export function redactSecrets(text: string, secretValues: readonly string[] = []): string {
  let redacted = redactValues(text, secretValues, REDACTED);
  redacted = redactPrivateKeys(redacted);
  redacted = redacted.replace(JWT, REDACTED);
  redacted = redacted.replace(BEARER, `$1 ${REDACTED}`);
  redacted = redacted.replace(XML_OPTION, `$1${REDACTED}$2`);
  redacted = redacted.replace(XML_ELEMENT, `<$1>${REDACTED}</$1>`);
  redacted = redacted.replace(KEY_VALUE, (...args: unknown[]) => {
    const groups = args.at(-1) as Record<'name' | 'separator' | 'value', string>;
    return `${groups.name}${groups.separator}${quoteLike(groups.value)}`;
  });
  return redacted;
}

function redactPrivateKeys(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let redacted = text.replace(PRIVATE_KEY_BLOCK, (_block, label: string) => keyMarker(label));
  redacted = redacted.replace(UNTERMINATED_KEY_BLOCK, (_block, label: string) => keyMarker(label));
  for (;;) {
    const end = KEY_BLOCK_END.exec(redacted);
    if (!end) return redacted;
    const start = startOfBase64Run(redacted, end.index);
    redacted =
      redacted.slice(0, start) +
      keyMarker(end[1] ?? '') +
      redacted.slice(end.index + end[0].length);
  }
}

/**
 * Where the run of base64 lines that ends at `end` begins: a key block whose BEGIN line was cut
 * off. Lines are separated by real newlines or by JSON's `\n`.
 */
function startOfBase64Run(text: string, end: number): number {
  let start = end;
  let scanTo = end;
  for (;;) {
    const before = text.slice(0, scanTo);
    const newline = before.lastIndexOf('\n');
    const escapedNewline = before.lastIndexOf('\\n');
    const separator = Math.max(newline, escapedNewline);
    const separatorLength = separator === escapedNewline && separator !== -1 ? 2 : 1;
    const lineStart = separator === -1 ? 0 : separator + separatorLength;
    if (!BASE64_LINE.test(before.slice(lineStart).trim())) return start;
    start = lineStart;
    if (separator === -1) return 0;
    scanTo = separator;
  }
}

function keyMarker(label: string): string {
  return `[REDACTED ${label}PRIVATE KEY]`;
}

function quoteLike(value: string): string {
  if (value.startsWith('\\"')) return `\\"${REDACTED}\\"`;
  if (value.startsWith('"')) return `"${REDACTED}"`;
  if (value.startsWith("'")) return `'${REDACTED}'`;
  return REDACTED;
}
