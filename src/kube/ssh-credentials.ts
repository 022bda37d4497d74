import type { CoreV1Api } from '@kubernetes/client-node';
import { TerminalError } from '../errors.js';
import { NotFoundError, toKubeError } from './kube-errors.js';

/** What the operator needs from the SSH Secret a GlusterCluster names. */
export interface SshCredentials {
  readonly privateKey: string;
  readonly knownHosts: string;
  /** Changes whenever the Secret does: pooled connections are renewed then. */
  readonly version: string;
}

/** The Secret is missing or lacks a key: retrying cannot help until someone fixes it. */
export class SshSecretError extends TerminalError {
  constructor(
    readonly reason: 'SshSecretNotFound' | 'InvalidSshSecret',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SshCredentialsSource {
  load(namespace: string, secretName: string): Promise<SshCredentials>;
}

/** Keys of the Secret: `ssh-privatekey` as in kubernetes.io/ssh-auth Secrets, and `known_hosts`. */
export const PRIVATE_KEY_KEY = 'ssh-privatekey';
export const KNOWN_HOSTS_KEY = 'known_hosts';

/** Reads the Secret through client-node. The key material is never logged or put in errors. */
export function createSshCredentialsSource(core: CoreV1Api): SshCredentialsSource {
  return {
    async load(namespace, secretName) {
      let secret;
      try {
        secret = await core.readNamespacedSecret({ namespace, name: secretName });
      } catch (error) {
        const kubeError = toKubeError(error, `read Secret ${namespace}/${secretName}`);
        if (kubeError instanceof NotFoundError) {
          throw new SshSecretError(
            'SshSecretNotFound',
            `Secret ${namespace}/${secretName} named in spec.ssh.secretRef does not exist`,
            { cause: kubeError },
          );
        }
        throw kubeError;
      }
      const data = secret.data ?? {};
      const decode = (key: string): string | undefined => {
        const value = data[key];
        return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
      };
      const privateKey = decode(PRIVATE_KEY_KEY);
      const knownHosts = decode(KNOWN_HOSTS_KEY);
      const missing = [
        ...(privateKey?.trim() ? [] : [PRIVATE_KEY_KEY]),
        ...(knownHosts?.trim() ? [] : [KNOWN_HOSTS_KEY]),
      ];
      if (missing.length > 0 || privateKey === undefined || knownHosts === undefined) {
        throw new SshSecretError(
          'InvalidSshSecret',
          `Secret ${namespace}/${secretName} lacks ${missing.join(' and ')}`,
        );
      }
      return { privateKey, knownHosts, version: secret.metadata?.resourceVersion ?? '' };
    },
  };
}
