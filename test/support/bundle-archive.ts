import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar';

/** A support bundle unpacked for inspection: every file's text by its path inside the root dir. */
export interface UnpackedBundle {
  /** The one top-level directory of the archive. */
  readonly root: string;
  readonly files: ReadonlyMap<string, string>;
  /** Removes the unpacked copy. */
  remove(): Promise<void>;
}

/** Unpacks `archivePath` with the tar package (what a support engineer's `tar -xzf` would do). */
export async function unpackBundle(archivePath: string): Promise<UnpackedBundle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-test-'));
  await extract({ file: archivePath, cwd: dir });
  const top = await readdir(dir);
  if (top.length !== 1 || top[0] === undefined) {
    throw new Error(`Expected one top-level directory in ${archivePath}, found ${top.join(', ')}`);
  }
  const root = top[0];
  const files = new Map<string, string>();
  const entries = await readdir(path.join(dir, root), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(path.join(dir, root), full), await readFile(full, 'utf8'));
  }
  return { root, files, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Every (file, needle) pair where a needle occurs in a file: what the no-secret assertions grep
 * for. Needles are searched as given, so pass the distinctive pieces of a secret (each line of a
 * key), not only the whole value.
 */
export function findNeedles(
  files: ReadonlyMap<string, string>,
  needles: readonly string[],
): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    for (const needle of needles) if (text.includes(needle)) found.push(`${file}: ${needle}`);
  }
  return found;
}

/** The pieces of a private key a leak would show: each base64 line of its body. */
export function keyNeedles(privateKey: string): string[] {
  return privateKey
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
}
