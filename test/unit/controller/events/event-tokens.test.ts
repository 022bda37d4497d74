import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import type { GlusterCluster } from '../../../../src/api/gluster-cluster.js';
import { EventTokenError, EventTokens } from '../../../../src/controller/events/event-tokens.js';
import { rejection } from '../../../support/rejection.js';

const NAMESPACE = 'storage';
const UID = '3f2c1b0a-9d8e-4c7b-a6f5-e4d3c2b1a098';
const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);

function aCluster(
  options: { uid?: string | undefined; tokenSecretRef?: { name: string; key?: string } } = {},
): GlusterCluster {
  const uid = Object.hasOwn(options, 'uid') ? options.uid : UID;
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterCluster',
    metadata: { name: 'pool', namespace: NAMESPACE, ...(uid === undefined ? {} : { uid }) },
    spec: {
      nodes: [{ address: 'n1' }],
      ssh: { secretRef: { name: 'ssh' } },
      events: {
        enabled: true,
        ...(options.tokenSecretRef ? { tokenSecretRef: options.tokenSecretRef } : {}),
      },
    },
  };
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Deps whose key and Secrets are given; every read is counted, a Secret read for another name fails. */
class FakeStore {
  keyReads = 0;
  secretReads: string[] = [];
  key = KEY_A;
  nowMs = 1_000_000;
  constructor(private readonly secrets: Record<string, Record<string, string>> = {}) {}

  tokens(): EventTokens {
    return new EventTokens(
      {
        readKey: () => {
          this.keyReads++;
          return Promise.resolve(this.key);
        },
        readSecret: (namespace, name) => {
          this.secretReads.push(`${namespace}/${name}`);
          return Promise.resolve(
            Object.hasOwn(this.secrets, name) ? this.secrets[name] : undefined,
          );
        },
      },
      () => this.nowMs,
    );
  }
}

describe('EventTokens: the derived token', () => {
  it('is HMAC-SHA256 of the UID under the operator key, base64url, 43 characters', async () => {
    const token = await new FakeStore().tokens().tokenFor(aCluster());
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(token).to.equal(
      createHmac('sha256', KEY_A).update(`gluster-operator/events/v1/${UID}`).digest('base64url'),
    );
  });

  it('is stable for one UID, across instances', async () => {
    const first = await new FakeStore().tokens().tokenFor(aCluster());
    const second = await new FakeStore().tokens().tokenFor(aCluster());
    expect(second).to.equal(first);
  });

  it('differs per UID', async () => {
    const tokens = new FakeStore().tokens();
    const one = await tokens.tokenFor(aCluster());
    const other = await tokens.tokenFor(aCluster({ uid: '00000000-0000-4000-8000-000000000001' }));
    expect(other).not.to.equal(one);
  });

  it('differs per operator key', async () => {
    const store = new FakeStore();
    store.key = KEY_B;
    const withB = await store.tokens().tokenFor(aCluster());
    const withA = await new FakeStore().tokens().tokenFor(aCluster());
    expect(withB).not.to.equal(withA);
  });

  it('cannot be had before the resource has a UID', async () => {
    const error = await rejection(new FakeStore().tokens().tokenFor(aCluster({ uid: undefined })));
    expect(error).to.be.instanceOf(EventTokenError);
    expect(error.message).to.equal('The resource has no UID yet');
  });
});

describe('EventTokens: the operator key cache', () => {
  const cases: { name: string; laterMs: number; keyReads: number; rotated: boolean }[] = [
    {
      name: 'keeps the key for just under 5 minutes',
      laterMs: 5 * 60_000 - 1,
      keyReads: 1,
      rotated: false,
    },
    {
      name: 'reads it again after 5 minutes (a rotation takes effect)',
      laterMs: 5 * 60_000,
      keyReads: 2,
      rotated: true,
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const store = new FakeStore();
      const tokens = store.tokens();
      const before = await tokens.tokenFor(aCluster());
      store.key = KEY_B;
      store.nowMs += tc.laterMs;
      const after = await tokens.tokenFor(aCluster());
      expect(store.keyReads).to.equal(tc.keyReads);
      expect(after !== before).to.equal(tc.rotated);
    });
  }
});

describe('EventTokens: the token from a Secret', () => {
  const GOOD = 'a'.repeat(20) + 'B9-._~+/' + 'c'.repeat(12);
  const cases: {
    name: string;
    data: Record<string, string> | undefined;
    ref: { name: string; key?: string };
    expected: string | RegExp;
  }[] = [
    {
      name: 'under "token" by default',
      data: { token: base64(GOOD) },
      ref: { name: 'events' },
      expected: GOOD,
    },
    {
      name: 'under the key spec names',
      data: { bearer: base64(GOOD) },
      ref: { name: 'events', key: 'bearer' },
      expected: GOOD,
    },
    {
      name: 'with a trailing newline (echo | base64) trimmed',
      data: { token: base64(`${GOOD}\n`) },
      ref: { name: 'events' },
      expected: GOOD,
    },
    {
      name: 'with = padding',
      data: { token: base64(`${GOOD}==`) },
      ref: { name: 'events' },
      expected: `${GOOD}==`,
    },
    {
      name: 'of exactly 32 characters',
      data: { token: base64('x'.repeat(32)) },
      ref: { name: 'events' },
      expected: 'x'.repeat(32),
    },
    {
      name: 'of exactly 256 characters',
      data: { token: base64('x'.repeat(256)) },
      ref: { name: 'events' },
      expected: 'x'.repeat(256),
    },
    {
      name: 'refused: the Secret does not exist',
      data: undefined,
      ref: { name: 'events' },
      expected: /^The Secret storage\/events does not exist$/,
    },
    {
      name: 'refused: no data under the key',
      data: { other: base64(GOOD) },
      ref: { name: 'events' },
      expected: /under "token"$/,
    },
    {
      name: 'refused: the key named is missing',
      data: { token: base64(GOOD) },
      ref: { name: 'events', key: 'bearer' },
      expected: /under "bearer"$/,
    },
    {
      name: 'refused: a key inherited from Object',
      data: {},
      ref: { name: 'events', key: 'constructor' },
      expected: /under "constructor"$/,
    },
    {
      name: 'refused: 31 characters',
      data: { token: base64('x'.repeat(31)) },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
    {
      name: 'refused: 257 characters',
      data: { token: base64('x'.repeat(257)) },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
    {
      name: 'refused: a space inside',
      data: { token: base64(`${GOOD} x`) },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
    {
      name: 'refused: a colon',
      data: { token: base64(`${GOOD}:`) },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
    {
      name: 'refused: a newline inside (a header injection)',
      data: { token: base64(`${GOOD}\nX-Evil: 1`) },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
    {
      name: 'refused: an empty value',
      data: { token: '' },
      ref: { name: 'events' },
      expected: /32 to 256 characters/,
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const store = new FakeStore(tc.data === undefined ? {} : { [tc.ref.name]: tc.data });
      const pending = store.tokens().tokenFor(aCluster({ tokenSecretRef: tc.ref }));
      if (typeof tc.expected === 'string') {
        expect(await pending).to.equal(tc.expected);
      } else {
        const error = await rejection(pending);
        expect(error).to.be.instanceOf(EventTokenError);
        expect(error.message).to.match(tc.expected);
        // The message never carries the Secret's value.
        if (tc.data)
          for (const value of Object.values(tc.data))
            if (value) expect(error.message).not.to.include(value);
      }
      expect(store.secretReads).to.deep.equal([`${NAMESPACE}/${tc.ref.name}`]);
      expect(store.keyReads).to.equal(0);
    });
  }

  it('reads the Secret on every call (a changed Secret takes effect at once)', async () => {
    const secrets: Record<string, Record<string, string>> = { events: { token: base64(GOOD) } };
    const store = new FakeStore(secrets);
    const tokens = store.tokens();
    expect(await tokens.tokenFor(aCluster({ tokenSecretRef: { name: 'events' } }))).to.equal(GOOD);
    secrets['events'] = { token: base64('z'.repeat(40)) };
    expect(await tokens.tokenFor(aCluster({ tokenSecretRef: { name: 'events' } }))).to.equal(
      'z'.repeat(40),
    );
  });
});
