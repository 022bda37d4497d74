import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runCommandOrThrow } from './run-command.js';

/**
 * A throwaway PKI for one test control plane, made with the openssl CLI (argv arrays, no
 * shell). Keys are ECDSA P-256, fast to generate; certificates are valid for two days.
 */
export interface Pki {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caKeyPath: string;
  readonly servingCertPath: string;
  readonly servingKeyPath: string;
  /** Signs service account tokens; the public half verifies them. */
  readonly serviceAccountKeyPath: string;
  readonly serviceAccountPublicKeyPath: string;
}

/** A client certificate: the API server takes the user from CN and the groups from O. */
export interface ClientCredentials {
  readonly certPath: string;
  readonly keyPath: string;
}

const VALIDITY_DAYS = '2';
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const SERVING_NAMES = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
];

export async function createPki(dir: string): Promise<Pki> {
  const pki: Pki = {
    dir,
    caCertPath: path.join(dir, 'ca.crt'),
    caKeyPath: path.join(dir, 'ca.key'),
    servingCertPath: path.join(dir, 'apiserver.crt'),
    servingKeyPath: path.join(dir, 'apiserver.key'),
    serviceAccountKeyPath: path.join(dir, 'sa.key'),
    serviceAccountPublicKeyPath: path.join(dir, 'sa.pub'),
  };
  const caAndServingCert = async (): Promise<void> => {
    // prettier-ignore
    await openssl([
      'req', '-x509', ...NEW_EC_KEY,
      '-keyout', pki.caKeyPath,
      '-out', pki.caCertPath,
      '-days', VALIDITY_DAYS,
      '-subj', '/CN=gluster-operator-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await issueCertificate(pki, 'apiserver', '/CN=kube-apiserver', [
      `subjectAltName=${SERVING_NAMES.join(',')}`,
      'extendedKeyUsage=serverAuth',
    ]);
  };
  const serviceAccountKey = async (): Promise<void> => {
    // prettier-ignore
    await openssl([
      'genpkey', '-algorithm', 'EC',
      '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-out', pki.serviceAccountKeyPath,
    ]);
    // prettier-ignore
    await openssl([
      'pkey', '-in', pki.serviceAccountKeyPath,
      '-pubout', '-out', pki.serviceAccountPublicKeyPath,
    ]);
  };
  await Promise.all([caAndServingCert(), serviceAccountKey()]);
  return pki;
}

/**
 * Issues a client certificate for `user` in `groups`, as files `<name>.crt` and `<name>.key`
 * in the PKI directory (so `name` must be a plain file name).
 */
export async function issueClientCertificate(
  pki: Pki,
  name: string,
  user: string,
  groups: readonly string[],
): Promise<ClientCredentials> {
  const subject = [...groups.map((g) => `/O=${escapeRdnValue(g)}`), `/CN=${escapeRdnValue(user)}`];
  return issueCertificate(pki, name, subject.join(''), ['extendedKeyUsage=clientAuth']);
}

async function issueCertificate(
  pki: Pki,
  name: string,
  subject: string,
  extensions: readonly string[],
): Promise<ClientCredentials> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`Not a plain file name: ${name}`);
  const keyPath = path.join(pki.dir, `${name}.key`);
  const csrPath = path.join(pki.dir, `${name}.csr`);
  const certPath = path.join(pki.dir, `${name}.crt`);
  // prettier-ignore
  await openssl([
    'req', '-new', ...NEW_EC_KEY,
    '-keyout', keyPath,
    '-out', csrPath,
    '-subj', subject,
    ...extensions.flatMap((e) => ['-addext', e]),
  ]);
  // prettier-ignore
  await openssl([
    'x509', '-req', '-in', csrPath,
    '-CA', pki.caCertPath,
    '-CAkey', pki.caKeyPath,
    '-set_serial', `0x${randomBytes(16).toString('hex')}`,
    '-days', VALIDITY_DAYS,
    '-copy_extensions', 'copyall',
    '-out', certPath,
  ]);
  return { certPath, keyPath };
}

/** In openssl's `-subj` syntax `/`, `+` and `\` are special; a backslash escapes them. */
function escapeRdnValue(value: string): string {
  if (value === '') throw new Error('An empty user or group name cannot go into a certificate');
  return value.replace(/[\\/+]/g, (c) => `\\${c}`);
}

async function openssl(args: readonly string[]): Promise<void> {
  await runCommandOrThrow('openssl', args, { timeoutMs: 30_000 });
}
