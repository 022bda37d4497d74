/**
 * Names inside a support bundle. Node names, pod names and file names come from outside (a spec,
 * the API server, the command line), so each becomes one safe path segment: no separators, no
 * `..`, nothing a Windows or macOS unpacker would trip on.
 */

const UNSAFE_CHARACTERS = /[^A-Za-z0-9._-]+/g;
const MAX_SEGMENT_LENGTH = 100;

/** `fd42:676f:70::11` → `fd42_676f_70_11`; never empty, never `.` or `..`. */
export function safePathSegment(name: string): string {
  const cleaned = name
    .replace(UNSAFE_CHARACTERS, '_')
    .replace(/_+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, MAX_SEGMENT_LENGTH);
  return cleaned === '' ? 'unnamed' : cleaned;
}

/**
 * Hands out distinct segments: a second `n1` becomes `n1-2`, so two nodes (or two log files)
 * whose names clean up to the same segment never overwrite each other.
 */
export class UniqueNames {
  private readonly taken = new Set<string>();

  claim(name: string, extension = ''): string {
    const base = safePathSegment(name);
    let candidate = `${base}${extension}`;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${base}-${n}${extension}`;
    this.taken.add(candidate);
    return candidate;
  }
}

/** `gluster-support-pool-a-20250102T030405Z`: the one top-level directory of the archive. */
export function bundleRootName(name: string | undefined, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return name === undefined
    ? `gluster-support-${stamp}`
    : `gluster-support-${safePathSegment(name)}-${stamp}`;
}
