import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, realpath, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { InventoryReadError, InventoryWriteError } from './inventory-errors.js';
import type { PeerInventory } from './peer-inventory.js';
import {
  MAX_INVENTORY_BYTES,
  decodeInventoryBytes,
  emptyPeerInventory,
  parseInventoryText,
  serializePeerInventory,
} from './peer-inventory.js';

/** An inventory and the file it came from. */
export interface LoadedInventory {
  readonly inventory: PeerInventory;
  /** Absolute path of the file read; undefined when no file was found (the inventory is empty). */
  readonly path: string | undefined;
}

/** Inputs of the lookup, injectable for tests; default to the process's own. */
export interface InventoryLookupOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly home?: string;
  /** The system-wide file, last on the lookup; default SYSTEM_INVENTORY_PATH. */
  readonly systemPath?: string;
}

export const PEERS_PATH_VARIABLE = 'PEERS_PATH';
export const INVENTORY_FILE_NAME = 'peers.json';
export const SYSTEM_INVENTORY_PATH = '/etc/fluidfs/peers.json';

/**
 * Where loadInventory looks, first to last, as in the Go package: $PEERS_PATH (relative to the
 * working directory), ./peers.json, ~/.fluidfs/peers.json, /etc/fluidfs/peers.json. Absolute,
 * without duplicates.
 */
export function inventoryLookupPaths(options: InventoryLookupOptions = {}): string[] {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const home = options.home ?? (env['HOME'] || systemHome());
  const paths: string[] = [];
  const explicit = env[PEERS_PATH_VARIABLE];
  if (explicit) paths.push(resolve(cwd, explicit));
  paths.push(join(cwd, INVENTORY_FILE_NAME));
  if (home) paths.push(join(resolve(cwd, home), '.fluidfs', INVENTORY_FILE_NAME));
  paths.push(options.systemPath ?? SYSTEM_INVENTORY_PATH);
  return [...new Set(paths)];
}

function systemHome(): string {
  try {
    return homedir();
  } catch {
    // No HOME and no passwd entry (a container running as an arbitrary uid): no user file then.
    return '';
  }
}

/**
 * Loads the first inventory file found on the lookup paths. Finding none is not an error: the
 * inventory is then empty and `path` undefined, as in Go.
 *
 * Unlike Go, a file that exists but cannot be used (unreadable, not a file, invalid JSON, a
 * dangling symlink) is an error and the lookup stops there: falling through to the next file
 * would silently swap a broken inventory for another, older one. For the same reason a
 * $PEERS_PATH that names no file is an error: it was asked for explicitly.
 *
 * @throws InventoryReadError, InventoryFormatError
 */
export async function loadInventory(
  options: InventoryLookupOptions = {},
): Promise<LoadedInventory> {
  const env = options.env ?? process.env;
  const explicit = env[PEERS_PATH_VARIABLE];
  const explicitPath = explicit
    ? resolve(resolve(options.cwd ?? process.cwd()), explicit)
    : undefined;
  for (const path of inventoryLookupPaths(options)) {
    const loaded =
      path === explicitPath
        ? await readInventoryFile(path, 'fail', PEERS_PATH_VARIABLE)
        : await readInventoryFile(path, 'skip');
    if (loaded !== undefined) return loaded;
  }
  return { inventory: emptyPeerInventory(), path: undefined };
}

/**
 * Loads one given file; its absence is an error too.
 *
 * @throws InventoryReadError, InventoryFormatError
 */
export async function loadInventoryFrom(path: string): Promise<LoadedInventory> {
  return readInventoryFile(resolve(path), 'fail');
}

/** With 'skip', undefined when nothing is at `path`; anything else wrong is an error either way. */
async function readInventoryFile(
  path: string,
  missing: 'skip',
): Promise<LoadedInventory | undefined>;
async function readInventoryFile(
  path: string,
  missing: 'fail',
  namedBy?: string,
): Promise<LoadedInventory>;
async function readInventoryFile(
  path: string,
  missing: 'skip' | 'fail',
  namedBy?: string,
): Promise<LoadedInventory | undefined> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO put in the way must not hang the operator until a writer comes.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (await isDanglingSymlink(path)) {
        throw new InventoryReadError(
          `${path} is a symbolic link to a file that does not exist`,
          path,
          code,
          { cause: error },
        );
      }
      if (missing === 'skip') return undefined;
      const why = namedBy === undefined ? '' : ` (named by ${namedBy})`;
      throw new InventoryReadError(`${path}${why} does not exist`, path, code, { cause: error });
    }
    throw new InventoryReadError(`${path} cannot be opened: ${describeErrno(error)}`, path, code, {
      cause: error,
    });
  }
  try {
    const bytes = await readCapped(handle, path);
    return { inventory: parseInventoryText(decodeInventoryBytes(bytes, path), path, []), path };
  } finally {
    await handle.close();
  }
}

async function readCapped(handle: FileHandle, path: string): Promise<Uint8Array> {
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const what = stats.isDirectory() ? 'a directory' : 'not a regular file';
      throw new InventoryReadError(`${path} is ${what}`, path, undefined);
    }
    if (stats.size > MAX_INVENTORY_BYTES) throw tooLarge(path, stats.size);
    // The size is only a hint (the file can grow while we read, /proc files say 0): read until
    // end of file, but never more than one byte past the limit.
    const buffer = Buffer.alloc(Math.min(Math.max(stats.size, 64 * 1024), MAX_INVENTORY_BYTES + 1));
    let length = 0;
    let chunk = buffer;
    for (;;) {
      if (length === chunk.byteLength) {
        if (length > MAX_INVENTORY_BYTES) throw tooLarge(path, length);
        const grown = Buffer.alloc(Math.min(length * 2, MAX_INVENTORY_BYTES + 1));
        chunk.copy(grown, 0, 0, length);
        chunk = grown;
      }
      const { bytesRead } = await handle.read(chunk, length, chunk.byteLength - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_INVENTORY_BYTES) throw tooLarge(path, length);
    return chunk.subarray(0, length);
  } catch (error) {
    if (error instanceof InventoryReadError) throw error;
    throw new InventoryReadError(
      `${path} cannot be read: ${describeErrno(error)}`,
      path,
      errnoCode(error),
      { cause: error },
    );
  }
}

function tooLarge(path: string, size: number): InventoryReadError {
  return new InventoryReadError(
    `${path} is larger than the limit of ${MAX_INVENTORY_BYTES} bytes (4 MiB)${
      size > MAX_INVENTORY_BYTES ? ` (${size} bytes or more)` : ''
    }`,
    path,
    undefined,
  );
}

async function isDanglingSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    // lstat failing too means there is nothing at the path: simply missing.
    return false;
  }
}

/**
 * Writes the inventory to `path`, or back to the file it was loaded from. Atomic: the text goes
 * to a temporary file in the same directory, is flushed to disk, and is renamed over the target,
 * so a reader sees the old file or the new one, never a part, and a failure leaves the old file.
 * Mode 0644 whatever the umask (other services read it). A symlink is kept: the file it points to
 * is replaced. Parent directories are not created: a missing /etc/fluidfs is a deployment mistake
 * to report, not to paper over.
 *
 * @returns the absolute path of the file written (a symlink's target)
 * @throws InventoryWriteError, InventoryFormatError (the inventory itself is invalid)
 */
export async function dumpInventory(loaded: LoadedInventory, path?: string): Promise<string> {
  const target = path === undefined || path === '' ? loaded.path : path;
  if (target === undefined) {
    throw new InventoryWriteError(
      'Cannot dump the inventory: no path was given and it was not loaded from a file',
      undefined,
      undefined,
    );
  }
  const text = serializePeerInventory(loaded.inventory);
  const destination = await resolveSymlink(resolve(target));
  const directory = dirname(destination);
  const temporary = join(
    directory,
    `.${basename(destination)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', 0o644);
    await handle.chmod(0o644);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, destination);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw new InventoryWriteError(
      `Could not write ${destination}: ${describeWriteFailure(error, directory, destination)}`,
      destination,
      errnoCode(error),
      { cause: error },
    );
  }
  await syncDirectory(directory, destination);
  return destination;
}

async function resolveSymlink(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Nothing there yet (or a dangling link, replaced by a file): write at the path as given.
    return path;
  }
}

/** Makes the rename itself durable, so after a crash the directory does not still list the old file. */
async function syncDirectory(directory: string, destination: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, constants.O_RDONLY);
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    // Some file systems cannot fsync a directory; the rename is done, and as durable as they allow.
    if (code === 'EINVAL' || code === 'ENOTSUP' || code === 'EISDIR') return;
    throw new InventoryWriteError(
      `${destination} was replaced, but its directory could not be flushed to disk: ${describeErrno(error)}`,
      destination,
      code,
      { cause: error },
    );
  } finally {
    await handle?.close();
  }
}

function describeWriteFailure(error: unknown, directory: string, destination: string): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `directory ${directory} does not exist (dumping does not create directories)`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied in ${directory}`;
    case 'EISDIR':
      return `${destination} is a directory`;
    case undefined:
    default:
      return describeErrno(error);
  }
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function describeErrno(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
