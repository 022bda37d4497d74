import { readFile, writeFile } from 'node:fs/promises';

export interface KubeconfigIdentity {
  readonly server: string;
  readonly caCertPath: string;
  readonly user: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

/**
 * Writes a self-contained kubeconfig (certificates embedded) for one client-certificate
 * identity. JSON is valid YAML, so kubectl and client-node both read it.
 */
export async function writeKubeconfig(file: string, identity: KubeconfigIdentity): Promise<void> {
  const [ca, cert, key] = await Promise.all(
    [identity.caCertPath, identity.clientCertPath, identity.clientKeyPath].map((f) =>
      readFile(f).then((b) => b.toString('base64')),
    ),
  );
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'test',
        cluster: { server: identity.server, 'certificate-authority-data': ca },
      },
    ],
    users: [
      {
        name: identity.user,
        user: { 'client-certificate-data': cert, 'client-key-data': key },
      },
    ],
    contexts: [
      {
        name: 'test',
        context: { cluster: 'test', user: identity.user, namespace: 'default' },
      },
    ],
    'current-context': 'test',
    preferences: {},
  };
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
