import { readFile } from 'node:fs/promises';
import { loadAllYaml } from '@kubernetes/client-node';
import type { GlusterCluster } from '../api/gluster-cluster.js';
import { KIND } from '../api/gluster-cluster.js';
import { InputFileError } from './cli-errors.js';
import { asGlusterCluster, checkGlusterCluster } from './spec-validation.js';

/**
 * The GlusterCluster of a manifest file (YAML or JSON, one or more documents; other kinds, such
 * as the Secret next to it, are skipped), checked as the API server would check it.
 * @throws InputFileError naming the file and every bad field
 */
export async function loadClusterManifest(
  path: string,
  options: { readonly name?: string; readonly namespace: string },
): Promise<GlusterCluster> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new InputFileError(`Could not read ${path}: ${describe(cause)}`, path, { cause });
  }
  return parseClusterManifest(text, path, options);
}

function parseClusterManifest(
  text: string,
  path: string,
  options: { readonly name?: string; readonly namespace: string },
): GlusterCluster {
  let documents: unknown[];
  try {
    // js-yaml underneath; empty documents ("---" twice) would break client-node's typing step.
    documents = text
      .split(/^---[ \t]*$/m)
      .filter((part) => part.replace(/#.*$/gm, '').trim() !== '')
      .flatMap((part) => loadAllYaml(part) as unknown[]);
  } catch (cause) {
    throw new InputFileError(`${path} is not valid YAML: ${describe(cause)}`, path, { cause });
  }
  const clusters = documents.filter(
    (doc) => typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === KIND,
  );
  const wanted =
    options.name === undefined
      ? clusters
      : clusters.filter(
          (doc) => (doc as { metadata?: { name?: unknown } }).metadata?.name === options.name,
        );
  if (wanted.length !== 1) {
    throw new InputFileError(
      wanted.length === 0
        ? `${path} has no ${KIND}${options.name === undefined ? '' : ` named ${options.name}`}`
        : `${path} has ${wanted.length} ${KIND}s; say which with --cluster <name>`,
      path,
    );
  }
  const [document] = wanted;
  const problems = checkGlusterCluster(document);
  if (problems.length > 0) {
    throw new InputFileError(
      `${path} is not a valid ${KIND} (the API server would refuse it): ${problems.join('; ')}`,
      path,
    );
  }
  return asGlusterCluster(document, options.namespace);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
