import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.js';
import { TestbedError } from './testbed-error.js';

const REQUIRED_BINARIES = [
  '/usr/sbin/glusterd',
  '/usr/sbin/gluster',
  '/usr/sbin/sshd',
  '/usr/bin/ssh-keygen',
  '/usr/sbin/nft',
  '/usr/bin/nsenter',
  '/usr/bin/unshare',
  '/usr/sbin/ip',
  '/usr/sbin/mkfs.xfs',
  '/usr/sbin/losetup',
  '/usr/bin/mount',
  '/usr/sbin/mount.glusterfs',
  '/usr/sbin/glusterfs',
  '/usr/bin/getfattr',
] as const;

const INSTALL_SCRIPT = fileURLToPath(new URL('../scripts/install-system-deps', import.meta.url));

/** Installs the Debian packages the testbed needs when any of its binaries is missing. */
export async function ensureSystemDeps(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new TestbedError('The GlusterFS testbed needs root (network namespaces, mounts)');
  }
  const missing = await missingBinaries();
  if (missing.length === 0) return;
  const r = await runCommand([INSTALL_SCRIPT], { timeoutMs: 15 * 60_000 });
  if (r.exitCode !== 0) {
    throw new TestbedError(
      `Could not install the testbed's packages (missing ${missing.join(', ')}): ${r.stderr.trim()}`,
    );
  }
  const still = await missingBinaries();
  if (still.length > 0) throw new TestbedError(`Still missing after install: ${still.join(', ')}`);
}

async function missingBinaries(): Promise<string[]> {
  const checks = await Promise.all(
    REQUIRED_BINARIES.map(async (path) => {
      try {
        await access(path, constants.X_OK);
        return undefined;
      } catch {
        return path;
      }
    }),
  );
  return checks.filter((p) => p !== undefined);
}
