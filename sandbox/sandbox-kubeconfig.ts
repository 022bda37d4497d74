import { readFile, writeFile } from 'node:fs/promises';
import { SandboxError } from './sandbox-error.js';

/**
 * Copies the control plane's admin kubeconfig (certificates embedded, JSON) to the sandbox's
 * stable path with the sandbox's namespace as the default, so `kubectl get glc` needs no -n.
 * The control plane's own copy lives in its temp directory under a new name every run.
 */
export async function writeSandboxKubeconfig(
  source: string,
  destination: string,
  namespace: string,
): Promise<void> {
  let config: { contexts?: { name: string; context: Record<string, unknown> }[] };
  try {
    config = JSON.parse(await readFile(source, 'utf8')) as typeof config;
  } catch (err) {
    throw new SandboxError(`Could not read the control plane's kubeconfig ${source}`, {
      cause: err,
    });
  }
  for (const entry of config.contexts ?? []) entry.context['namespace'] = namespace;
  await writeFile(destination, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
