import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { dumpYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { REDACTED, redactSecrets } from '../../../src/support-bundle/redact-secrets.js';
import { fixture } from '../../support/gluster-fixtures.js';
import { keyNeedles } from '../../support/bundle-archive.js';

interface Case {
  readonly name: string;
  readonly input: string;
  readonly secrets?: readonly string[];
  readonly expected: string;
}

const R = REDACTED;

const REDACTS: readonly Case[] = [
  { name: 'key=value', input: 'password=hunter2 next', expected: `password=${R} next` },
  { name: 'key: value (YAML)', input: '  passphrase: s3cr3t\n', expected: `  passphrase: ${R}\n` },
  {
    name: 'a JSON field, the rest of the object kept',
    input: '{"user":"bob","password":"hun\\"ter2","port":22}',
    expected: `{"user":"bob","password":"${R}","port":22}`,
  },
  { name: 'a single-quoted value', input: "token='abc def'", expected: `token='${R}'` },
  { name: 'the X-Api-Key header', input: 'X-Api-Key: 8f1c2d3e4f', expected: `X-Api-Key: ${R}` },
  {
    name: 'x-api-key in any case, in a query string',
    input: 'GET /peers?x-api-key=8f1c2d3e4f&zone=a',
    expected: `GET /peers?x-api-key=${R}&zone=a`,
  },
  {
    name: 'apikey and api_key',
    input: 'apikey=a1 api_key=b2',
    expected: `apikey=${R} api_key=${R}`,
  },
  {
    name: 'a name that ends in a keyword',
    input: 'client_secret=abc auth-token: def ssh-privatekey=ghi',
    expected: `client_secret=${R} auth-token: ${R} ssh-privatekey=${R}`,
  },
  {
    name: 'a bearer token in an Authorization header',
    input: 'Authorization: Bearer abc.DEF-ghi_jkl',
    expected: `Authorization: Bearer ${R}`,
  },
  {
    name: 'basic credentials with their scheme',
    input: 'authorization=Basic dXNlcjpwYXNz',
    expected: `authorization=${R}`,
  },
  {
    name: 'a bearer token in prose',
    input: 'retrying with bearer AbC123/+= now',
    expected: `retrying with bearer ${R} now`,
  },
  {
    name: 'a JWT anywhere',
    input: 'sa eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0iLCJ4Ijo.sig-_x end',
    expected: `sa ${R} end`,
  },
  {
    name: 'JSON inside a JSON log message',
    input: '{"message":"sent {\\"token\\":\\"s3cr3t\\",\\"n\\":1}"}',
    expected: `{"message":"sent {\\"token\\":\\"${R}\\",\\"n\\":1}"}`,
  },
  {
    name: 'a header inside a JSON log message',
    input: '{"message":"X-Api-Key: 8f1c2d3e\\nnext"}',
    expected: `{"message":"X-Api-Key: ${R}\\nnext"}`,
  },
  {
    name: 'an XML element',
    input: '<password>pw123</password>',
    expected: `<password>${R}</password>`,
  },
  {
    name: "a gluster option's value",
    input: '<option><name>auth.login.9c1e.password</name><value>pw123</value></option>',
    expected: `<option><name>auth.login.9c1e.password</name><value>${R}</value></option>`,
  },
  {
    name: 'a secret value wherever it appears',
    input: 'connected with sekret-value-1 (sekret-value-1)',
    secrets: ['sekret-value-1'],
    expected: `connected with ${R} (${R})`,
  },
  {
    name: 'a short secret value as a whole',
    input: 'pin 4711 used',
    secrets: ['4711'],
    expected: `pin ${R} used`,
  },
  {
    name: 'the JSON-escaped form of a multi-line secret',
    input: '{"k":"line-one-x\\nline-two-y"}',
    secrets: ['line-one-x\nline-two-y'],
    expected: `{"k":"${R}"}`,
  },
  {
    name: 'each line of 8 characters or more of a multi-line secret',
    input: 'only line-two-y survived, and "ab"',
    secrets: ['ab\nline-two-y'],
    expected: `only ${R} survived, and "ab"`,
  },
  {
    name: 'the base64 form of a secret (a Secret manifest in a log)',
    input: `data: ${Buffer.from('sekret-value-1').toString('base64')}`,
    secrets: ['sekret-value-1'],
    expected: `data: ${R}=`,
  },
];

const KEEPS: readonly { name: string; input: string }[] = [
  {
    name: "the GlusterCluster's secretRef name",
    input: 'ssh:\n  secretRef:\n    name: gluster-ssh\n',
  },
  { name: 'a key name without a value', input: 'The Secret needs ssh-privatekey and known_hosts' },
  { name: 'a log line', input: '{"level":"info","message":"Probed peer","host":"10.250.0.12"}' },
  { name: 'tokenTTL and secretName', input: 'tokenTTL=5m secretName=gluster-ssh' },
  { name: 'a value already redacted as it is', input: `password: ${R} and token=Bearer ${R}` },
  { name: 'gluster pool list XML', input: fixture('pool-list-many.xml') },
  { name: 'gluster volume info XML', input: fixture('volume-info-many.xml') },
  { name: 'gluster --version', input: fixture('version.txt') },
];

describe('redactSecrets', () => {
  for (const tc of REDACTS) {
    it(`redacts ${tc.name}`, () => {
      expect(redactSecrets(tc.input, tc.secrets)).to.equal(tc.expected);
    });
  }

  for (const tc of KEEPS) {
    it(`keeps ${tc.name}`, () => {
      expect(redactSecrets(tc.input)).to.equal(tc.input);
    });
  }

  describe('private keys', () => {
    const keys = {
      'OpenSSH (ed25519 layout)': openSshStyleKey(),
      'PKCS#1 RSA': generateKeyPairSync('rsa', {
        modulusLength: 1024,
        publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      }).privateKey,
      'PKCS#8 EC': generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      }).privateKey,
    };
    const placements: Record<string, (key: string) => string> = {
      'as it is in a file': (key) => `before\n${key}after\n`,
      'JSON-escaped in a log line': (key) =>
        `${JSON.stringify({ level: 'error', message: 'bad key', key })}\n`,
      'in a YAML block scalar': (key) => dumpYaml({ metadata: { annotations: { k: key } } }),
      'cut at its start by a log tail': (key) => `${key.split('\n').slice(3).join('\n')}after\n`,
      'cut at its end': (key) => `before\n${key.split('\n').slice(0, 4).join('\n')}`,
    };
    for (const [kind, key] of Object.entries(keys)) {
      for (const [where, place] of Object.entries(placements)) {
        it(`removes every line of a ${kind} key ${where}, without being told the key`, () => {
          const text = place(key);
          const redacted = redactSecrets(text);
          const leaked = keyNeedles(key).filter((line) => redacted.includes(line));
          expect(leaked).to.deep.equal([]);
          expect(redacted).to.include('[REDACTED');
        });
      }
    }

    it('keeps what surrounds a key', () => {
      const key = keys['OpenSSH (ed25519 layout)'];
      expect(redactSecrets(`before\n${key}after\n`)).to.equal(
        'before\n[REDACTED OPENSSH PRIVATE KEY]\nafter\n',
      );
      const cut = `line one\n${key.split('\n').slice(2).join('\n')}after\n`;
      expect(redactSecrets(cut)).to.equal('line one\n[REDACTED OPENSSH PRIVATE KEY]\nafter\n');
    });
  });
});

/** A key in OpenSSH's armour: 70-column base64 lines (its content is random, not a real key). */
function openSshStyleKey(): string {
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), randomBytes(380)]).toString(
    'base64',
  );
  const lines = body.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}
