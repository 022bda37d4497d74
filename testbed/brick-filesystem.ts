import { open } from 'node:fs/promises';
import { runChecked, runCommandSync } from './run-command.js';
import { TestbedError } from './testbed-error.js';

/**
 * Each node's brick filesystem: an XFS image in the node's directory, loop-mounted at /bricks in
 * the node's mount namespace only. glusterd refuses, without `force`, a brick on the root
 * filesystem and a brick that is itself a mount point, so bricks go in sub-directories of it:
 * `/bricks/<volume>/brick`.
 */
export const BRICKS_MOUNT = '/bricks';

/** XFS refuses smaller filesystems (its log alone is 64 MiB). */
export const MIN_BRICK_SIZE_MIB = 300;
export const MAX_BRICK_SIZE_MIB = 1024 * 1024;
export const DEFAULT_BRICK_SIZE_MIB = 1024;

export function validateBrickSize(sizeMiB: number): void {
  if (!Number.isInteger(sizeMiB) || sizeMiB < MIN_BRICK_SIZE_MIB || sizeMiB > MAX_BRICK_SIZE_MIB) {
    throw new TestbedError(
      `Invalid brick filesystem size ${sizeMiB} MiB: use ${MIN_BRICK_SIZE_MIB} to ${MAX_BRICK_SIZE_MIB}`,
    );
  }
}

/**
 * A sparse file of `sizeMiB` with a fresh XFS filesystem on it, inode size 512 as the Gluster
 * documentation recommends (room for Gluster's extended attributes inside the inode). Only what
 * mkfs writes takes disk space: about 65 MiB, almost all of it the log.
 */
export async function createBrickImage(path: string, sizeMiB: number): Promise<void> {
  validateBrickSize(sizeMiB);
  const file = await open(path, 'wx', 0o600);
  try {
    await file.truncate(sizeMiB * 1024 * 1024);
  } finally {
    await file.close();
  }
  // Each image gets its own filesystem UUID: XFS refuses to mount two with the same one.
  await runChecked(['mkfs.xfs', '-q', '-i', 'size=512', path]);
}

/**
 * argv that mounts the image at /bricks. Run inside the node's mount namespace: `mount -o loop`
 * attaches the loop device with autoclear, so the kernel detaches it once the filesystem is
 * unmounted, which happens when the namespace's last process exits. Teardown has nothing to
 * unmount.
 */
export function brickMountArgv(image: string): string[] {
  return ['mount', '-t', 'xfs', '-o', 'loop', image, BRICKS_MOUNT];
}

export interface LoopDevice {
  /** `/dev/loop3` */
  readonly device: string;
  /** As the kernel reports it: with ` (deleted)` appended once the file is removed. */
  readonly backingFile: string;
}

/**
 * Loop devices whose backing file is (or was, if deleted since) under `dir`. Synchronous, for
 * teardown.
 */
export function loopDevicesUnder(dir: string): LoopDevice[] {
  const r = runCommandSync(['losetup', '--list', '--json', '--output', 'NAME,BACK-FILE']);
  if (r.exitCode !== 0) throw new TestbedError(`losetup --list failed: ${r.stderr.trim()}`);
  // No loop device at all may print nothing rather than an empty list.
  if (r.stdout.trim() === '') return [];
  const devices = (
    JSON.parse(r.stdout) as { loopdevices: { name: string; 'back-file': string | null }[] }
  ).loopdevices;
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return devices.flatMap((d) =>
    d['back-file']?.startsWith(prefix) === true
      ? [{ device: d.name, backingFile: d['back-file'] }]
      : [],
  );
}

/**
 * Detaches a loop device. While a filesystem on it is still mounted somewhere the kernel only
 * marks it for autoclear, so the caller checks again afterwards.
 */
export function detachLoopDevice(device: string): string | undefined {
  const r = runCommandSync(['losetup', '--detach', device]);
  return r.exitCode === 0 ? undefined : `losetup --detach ${device}: ${r.stderr.trim()}`;
}
