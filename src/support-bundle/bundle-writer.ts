import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import { redactSecrets } from './redact-secrets.js';
import { SupportBundleError } from './support-bundle-errors.js';

/** Where collectors put what they found: files (always redacted) and problems. */
export interface BundleSink {
  /** Writes `text`, redacted, at `relativePath` (`/`-separated, inside the bundle's root). */
  write(relativePath: string, text: string): Promise<void>;
  /** Records what could not be collected and why (redacted like every file). */
  problem(line: string): void;
}

/**
 * Stages a bundle in a private temporary directory (mode 0700, files 0600) and packs it into a
 * tar.gz. The only way in is write(), which redacts, so no collector can put an unredacted byte
 * into the archive.
 */
export class BundleWriter implements BundleSink {
  readonly problems: string[] = [];
  private readonly written: string[] = [];

  private constructor(
    private readonly stagingDir: string,
    readonly rootName: string,
    private readonly secretValues: readonly string[],
  ) {}

  static async create(rootName: string, secretValues: readonly string[]): Promise<BundleWriter> {
    try {
      // mkdtemp creates the directory 0700: other users on the machine cannot read the staging copy.
      const stagingDir = await mkdtemp(path.join(os.tmpdir(), 'gluster-support-'));
      await mkdir(path.join(stagingDir, rootName), { mode: 0o700 });
      return new BundleWriter(stagingDir, rootName, secretValues);
    } catch (error) {
      throw new SupportBundleError('Could not create a staging directory for the bundle', {
        cause: error,
      });
    }
  }

  /** Paths inside the archive, in the order they were written. */
  get files(): readonly string[] {
    return this.written;
  }

  async write(relativePath: string, text: string): Promise<void> {
    const inside = this.archivePath(relativePath);
    const target = path.join(this.stagingDir, ...inside.split('/'));
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, redactSecrets(text, this.secretValues), { mode: 0o600 });
    this.written.push(inside);
  }

  problem(line: string): void {
    this.problems.push(redactSecrets(line, this.secretValues));
  }

  /**
   * Packs the staged tree into `outputPath` (gzip, portable headers: no owner names, uids or
   * modes of this machine). Written beside the target and renamed, so a failed run never leaves
   * half an archive under the name the caller asked for.
   */
  async pack(outputPath: string): Promise<void> {
    const partial = `${outputPath}.partial-${process.pid}`;
    try {
      await createTar({ gzip: true, file: partial, cwd: this.stagingDir, portable: true }, [
        this.rootName,
      ]);
      // A redacted bundle still describes the site's storage: readable by its owner only.
      await chmod(partial, 0o600);
      await rename(partial, outputPath);
    } catch (error) {
      await rm(partial, { force: true });
      throw new SupportBundleError(`Could not write the support bundle ${outputPath}`, {
        cause: error,
      });
    }
  }

  /** Removes the staging directory. Safe to call more than once. */
  async dispose(): Promise<void> {
    await rm(this.stagingDir, { recursive: true, force: true });
  }

  private archivePath(relativePath: string): string {
    const segments = relativePath.split('/');
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
      // A programming error in a collector, never data: collectors build paths from safePathSegment.
      throw new RangeError(`Not a relative bundle path: ${relativePath}`);
    }
    return [this.rootName, ...segments].join('/');
  }
}
