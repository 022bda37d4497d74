import { readFileSync } from 'node:fs';

/**
 * The operator's version and the commit it was built from, for `--version` and the start-up log.
 *
 * Read at run time from the package root, the directory above this module: the repository (this
 * file is src/version.ts, run by tsx) or a runtime tree (dist/version.js, with package.json at the
 * tree's root: scripts/runtime-tree). Imports nothing but node:fs, so the entry points can load it
 * before they check the Node.js version.
 */

/** Names the commit at run time; wins over the `revision` file (an image can set it). */
export const REVISION_VARIABLE = 'GLUSTER_OPERATOR_REVISION';

/** Written next to package.json by scripts/runtime-tree: the commit the tree was built from. */
export const REVISION_FILE = 'revision';

export const UNKNOWN_REVISION = 'unknown';

export interface VersionInfo {
  /** package.json's version. */
  readonly version: string;
  /** $GLUSTER_OPERATOR_REVISION, else the `revision` file, else 'unknown'. */
  readonly revision: string;
}

export interface VersionSources {
  /** The directory holding package.json (and perhaps `revision`), as a file: URL ending in '/'. */
  readonly packageRoot?: URL;
  readonly env?: NodeJS.ProcessEnv;
}

const PACKAGE_ROOT = new URL('../', import.meta.url);

export function readVersionInfo(sources: VersionSources = {}): VersionInfo {
  const root = sources.packageRoot ?? PACKAGE_ROOT;
  const env = sources.env ?? process.env;
  const packageJson = new URL('package.json', root);
  const parsed = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  if (typeof parsed.version !== 'string' || parsed.version === '') {
    throw new Error(`${packageJson.pathname} has no version`);
  }
  return {
    version: parsed.version,
    revision: env[REVISION_VARIABLE]?.trim() || readRevisionFile(new URL(REVISION_FILE, root)),
  };
}

function readRevisionFile(file: URL): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return UNKNOWN_REVISION;
    throw error;
  }
  return text.trim() || UNKNOWN_REVISION;
}

const INFO = readVersionInfo();

/** This package's version, e.g. 0.1.0. */
export const VERSION = INFO.version;

/** The commit this code was built from, or 'unknown'. */
export const REVISION = INFO.revision;

/** What `--version` prints: `gluster-operator 0.1.0 (1a2b3c4, Node v24.21.0)`. */
export function formatVersionLine(
  info: VersionInfo = INFO,
  nodeVersion: string = process.version,
): string {
  return `gluster-operator ${info.version} (${info.revision}, Node ${nodeVersion})`;
}
