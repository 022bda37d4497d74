import { readFile } from 'node:fs/promises';

/**
 * The version of gluster-operator making the bundle, from its package.json: two directories up
 * from this module both in the source tree (src/support-bundle) and in the build (dist/support-bundle).
 */
export async function readOperatorVersion(): Promise<string> {
  try {
    const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
    const manifest = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (manifest.name === 'gluster-operator' && typeof manifest.version === 'string') {
      return manifest.version;
    }
  } catch {
    // Not fatal: a bundle without the version is still worth having; the README says "unknown".
  }
  return 'unknown';
}
