import { createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { KnownHosts } from '../../../src/exec/known-hosts.js';

const KEY_A = Buffer.from('key-a-wire-format');
const KEY_B = Buffer.from('key-b-wire-format');
const A = KEY_A.toString('base64');
const B = KEY_B.toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

describe('KnownHosts', () => {
  const cases: {
    name: string;
    file: string;
    host: string;
    port?: number;
    key: Buffer;
    expected: string;
  }[] = [
    {
      name: 'a plain entry with the right key',
      file: `n1 ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a plain entry with another key',
      file: `n1 ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_B,
      expected: 'key-mismatch',
    },
    {
      name: 'no entry for the host',
      file: `n1 ssh-ed25519 ${A}`,
      host: 'n2',
      key: KEY_A,
      expected: 'unknown-host',
    },
    {
      name: 'one of several names',
      file: `n1,10.0.0.1,fd42::11 ssh-ed25519 ${A}`,
      host: 'fd42::11',
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'names are case-insensitive',
      file: `N1.Example ssh-ed25519 ${A}`,
      host: 'n1.example',
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a non-standard port needs [host]:port',
      file: `n1 ssh-ed25519 ${A}`,
      host: 'n1',
      port: 2222,
      key: KEY_A,
      expected: 'unknown-host',
    },
    {
      name: '[host]:port entry',
      file: `[n1]:2222 ssh-ed25519 ${A}`,
      host: 'n1',
      port: 2222,
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a hashed entry',
      file: `${hashed('n1')} ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a hashed entry with a port',
      file: `${hashed('[n1]:2222')} ssh-ed25519 ${A}`,
      host: 'n1',
      port: 2222,
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a hashed entry for another host',
      file: `${hashed('n9')} ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_A,
      expected: 'unknown-host',
    },
    {
      name: 'a wildcard',
      file: `*.pool.example ssh-ed25519 ${A}`,
      host: 'n1.pool.example',
      key: KEY_A,
      expected: 'ok',
    },
    {
      name: 'a negated pattern wins',
      file: `*.pool.example,!bad.pool.example ssh-ed25519 ${A}`,
      host: 'bad.pool.example',
      key: KEY_A,
      expected: 'unknown-host',
    },
    {
      name: 'a second key for the host',
      file: `n1 ssh-ed25519 ${A}\nn1 ssh-rsa ${B}`,
      host: 'n1',
      key: KEY_B,
      expected: 'ok',
    },
    {
      name: 'a revoked key',
      file: `@revoked n1 ssh-ed25519 ${A}\nn1 ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_A,
      expected: 'key-revoked',
    },
    {
      name: 'cert-authority lines are not trusted',
      file: `@cert-authority n1 ssh-ed25519 ${A}`,
      host: 'n1',
      key: KEY_A,
      expected: 'unknown-host',
    },
    {
      name: 'comments and blank lines',
      file: `# nodes\n\n  n1 ssh-ed25519 ${A} root@n1\n`,
      host: 'n1',
      key: KEY_A,
      expected: 'ok',
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const verdict = KnownHosts.parse(tc.file).verify(tc.host, tc.port ?? 22, tc.key);
      expect(verdict.ok ? 'ok' : verdict.reason).to.equal(tc.expected);
    });
  }

  it('lists the key types known for a host, for algorithm negotiation', () => {
    const known = KnownHosts.parse(
      `n1 ssh-ed25519 ${A}\nn1 ssh-rsa ${B}\nn2 ecdsa-sha2-nistp256 ${A}`,
    );
    expect(known.keyTypesFor('n1', 22)).to.deep.equal(['ssh-ed25519', 'ssh-rsa']);
    expect(known.keyTypesFor('n3', 22)).to.deep.equal([]);
  });

  it('rejects a malformed line with its line number', () => {
    expect(() => KnownHosts.parse(`n1 ssh-ed25519 ${A}\nbroken-line`)).to.throw(
      InvalidArgumentError,
      /line 2/,
    );
  });
});
