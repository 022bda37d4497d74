import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

/** A fresh namespace per test file, so files never see each other's objects. */
export async function createTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** Resolves to the HTTP status the API server answered with; fails if the call succeeded. */
export async function apiErrorStatus(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
  throw new Error('Expected the API server to refuse the request, but it succeeded');
}

/** The API server's Status message of a refused call. */
export async function apiErrorMessage(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiException) {
      const body: unknown = err.body;
      if (typeof body === 'string') {
        try {
          const status = JSON.parse(body) as { message?: unknown };
          if (typeof status.message === 'string') return status.message;
        } catch {
          // Not JSON: the body itself is the best message there is.
        }
        return body;
      }
      return err.message;
    }
    throw err;
  }
  throw new Error('Expected the API server to refuse the request, but it succeeded');
}
