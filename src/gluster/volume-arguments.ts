import { checkHostAddress } from '../api/host-address.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Checks of every word a volume operation puts in gluster's argv, made before anything runs.
 * argv never meets a shell, but gluster's CLI has syntax of its own: it takes any word that starts
 * with `--`, wherever it stands, as one of its options (`--remote-host=<h>` sends the command to
 * another glusterd), and it reads keywords (`force`, `all`, `replica`) where a name may stand.
 */

// cli_validate_volname (cli-cmd-parser.c): alphanumerics, '-' and '_', not starting with '-',
// none of these words. The CLI allows 256 characters, but glusterd derives file names of 255
// from the volume name, host and brick path together: 64 leaves room for both.
const VOLUME_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;
const RESERVED_VOLUME_NAMES: ReadonlySet<string> = new Set([
  'volume',
  'type',
  'subvolumes',
  'option',
  'end-volume',
  'all',
  'volume_not_in_ring',
  'description',
  'force',
  'snap-max-hard-limit',
  'snap-max-soft-limit',
  'auto-delete',
  'activate-on-create',
]);

// One path segment: starting with a letter, digit or '_' (so no '.', '..' or '-x'), and no ':'
// (it separates host and path), whitespace or shell syntax.
const PATH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
// glusterd names a file after the volume, host and path together; longer never works.
const MAX_BRICK_PATH_LENGTH = 255;

const OPTION_KEY = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;
const MAX_OPTION_KEY_LENGTH = 256;
const MAX_OPTION_VALUE_LENGTH = 4096;
// Printable ASCII: glusterd stores values one per line in its info files.
const OPTION_VALUE = /^[\x20-\x7e]+$/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `host:/path`, split. */
export interface BrickAddress {
  readonly host: string;
  readonly path: string;
}

export function assertVolumeName(name: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new InvalidArgumentError(
      `Invalid volume name "${printable(name)}": use 1 to 64 letters, digits, "-" and "_", not starting with "-"`,
    );
  }
  if (RESERVED_VOLUME_NAMES.has(name)) {
    throw new InvalidArgumentError(
      `Invalid volume name "${name}": gluster reserves it for its own syntax`,
    );
  }
}

/**
 * A brick as gluster names it, `host:/path`: the host a node address (host-argument rules), the
 * path absolute, of plain segments. Split at the last ':' (an IPv6 host has colons, a path none).
 */
export function parseBrick(what: string, brick: string): BrickAddress {
  const split = brick.lastIndexOf(':');
  if (split === -1) {
    throw new InvalidArgumentError(
      `Invalid ${what} "${printable(brick)}": use host:/path, for example node1:/bricks/vol/brick`,
    );
  }
  const host = brick.slice(0, split);
  const path = brick.slice(split + 1);
  const check = checkHostAddress(host);
  if (!check.valid) {
    throw new InvalidArgumentError(`Invalid ${what} "${printable(brick)}": ${check.reason}`);
  }
  assertBrickPath(what, brick, path);
  return { host, path };
}

function assertBrickPath(what: string, brick: string, path: string): void {
  const segments = path.split('/');
  const isPlain =
    path.startsWith('/') &&
    segments.length > 1 &&
    segments.slice(1).every((segment) => PATH_SEGMENT.test(segment));
  if (!isPlain) {
    throw new InvalidArgumentError(
      `Invalid ${what} "${printable(brick)}": the path must be absolute, of segments of letters, digits, ".", "-" and "_" that start with a letter, a digit or "_" (no "." or ".." segment, no "//", no trailing "/")`,
    );
  }
  if (path.length > MAX_BRICK_PATH_LENGTH) {
    throw new InvalidArgumentError(
      `Invalid ${what} "${printable(brick)}": the path must be at most ${MAX_BRICK_PATH_LENGTH} characters`,
    );
  }
}

/** Every brick valid, none twice. */
export function assertBricks(what: string, bricks: readonly string[]): BrickAddress[] {
  if (bricks.length === 0) throw new InvalidArgumentError(`No ${what} given`);
  const seen = new Set<string>();
  return bricks.map((brick) => {
    const address = parseBrick(what, brick);
    if (seen.has(brick)) throw new InvalidArgumentError(`The ${what} ${brick} is given twice`);
    seen.add(brick);
    return address;
  });
}

export function assertOptionKey(key: string): void {
  if (key.length > MAX_OPTION_KEY_LENGTH || !OPTION_KEY.test(key)) {
    throw new InvalidArgumentError(
      `Invalid volume option "${printable(key)}": use dotted lower-case words such as performance.cache-size`,
    );
  }
}

/**
 * An option value: printable ASCII (spaces and shell characters are literal text here), not
 * empty (the CLI refuses it; reset the option instead), no surrounding spaces, and not starting
 * with `--` (the CLI would take it for one of its own options).
 */
export function assertOptionValue(key: string, value: string): void {
  const problem =
    value === ''
      ? 'it is empty (reset the option instead)'
      : value.length > MAX_OPTION_VALUE_LENGTH
        ? `it is longer than ${MAX_OPTION_VALUE_LENGTH} characters`
        : !OPTION_VALUE.test(value)
          ? 'it has characters other than printable ASCII (a line break, a tab, a control or non-ASCII character)'
          : value.trim() !== value
            ? 'it starts or ends with a space'
            : value.startsWith('--')
              ? 'it starts with "--", which the gluster CLI takes for one of its own options'
              : undefined;
  if (problem !== undefined) {
    throw new InvalidArgumentError(`Invalid value for volume option ${key}: ${problem}`);
  }
}

export function assertVolumeId(id: string): void {
  if (!UUID.test(id)) {
    throw new InvalidArgumentError(
      `Invalid volume ID "${printable(id)}": expected a UUID as volume info reports it`,
    );
  }
}

// Error messages echo the offending value; control characters would break logs and events.
function printable(value: string): string {
  const flat = value.replace(/[^\x20-\x7e]/g, '?');
  return flat.length > 80 ? `${flat.slice(0, 80)}...` : flat;
}
