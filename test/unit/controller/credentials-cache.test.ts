import { expect } from 'chai';
import { CREDENTIALS_TTL_MS, CredentialsCache } from '../../../src/controller/credentials-cache.js';
import type { SshCredentials, SshCredentialsSource } from '../../../src/kube/ssh-credentials.js';
import { SshSecretError } from '../../../src/kube/ssh-credentials.js';
import { rejection } from '../../support/rejection.js';

function credentials(version: string): SshCredentials {
  return { privateKey: `key-${version}`, knownHosts: `hosts-${version}`, version };
}

/**
 * Answers each `namespace/name` from its script, in turn; records every read; a read nobody
 * scripted throws.
 */
class FakeSource implements SshCredentialsSource {
  readonly reads: string[] = [];
  private readonly answers = new Map<string, (SshCredentials | Error)[]>();

  on(key: string, ...answers: (SshCredentials | Error)[]): this {
    this.answers.set(key, [...(this.answers.get(key) ?? []), ...answers]);
    return this;
  }

  load(namespace: string, secretName: string): Promise<SshCredentials> {
    const key = `${namespace}/${secretName}`;
    this.reads.push(key);
    const next = this.answers.get(key)?.shift();
    if (next === undefined) {
      return Promise.reject(new Error(`FakeSource: unexpected read of ${key}`));
    }
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

function aCache(source: FakeSource, ttlMs?: number) {
  let nowMs = 5_000;
  const cache = new CredentialsCache(source, () => nowMs, ttlMs);
  return {
    cache,
    elapse: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('CredentialsCache', () => {
  it('reads a Secret once, then answers from the cache within the TTL', async () => {
    const source = new FakeSource().on('storage/ssh', credentials('1'));
    const c = aCache(source, 60_000);
    expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('1'));
    c.elapse(60_000 - 1);
    expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('1'));
    expect(source.reads).to.deep.equal(['storage/ssh']);
  });

  it('keeps Secrets apart by namespace and name', async () => {
    const source = new FakeSource()
      .on('storage/ssh', credentials('a'))
      .on('other/ssh', credentials('b'))
      .on('storage/ssh-2', credentials('c'));
    const c = aCache(source, 60_000);
    const loads = [
      ['storage', 'ssh'],
      ['other', 'ssh'],
      ['storage', 'ssh-2'],
      ['storage', 'ssh'],
      ['other', 'ssh'],
      ['storage', 'ssh-2'],
    ] as const;
    const versions: string[] = [];
    for (const [namespace, name] of loads) {
      versions.push((await c.cache.load(namespace, name)).version);
    }
    expect(versions).to.deep.equal(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(source.reads).to.deep.equal(['storage/ssh', 'other/ssh', 'storage/ssh-2']);
  });

  it('reads again once the TTL has passed, and so picks up a rotated Secret', async () => {
    const source = new FakeSource().on('storage/ssh', credentials('1'), credentials('2'));
    const c = aCache(source, 60_000);
    await c.cache.load('storage', 'ssh');
    c.elapse(60_000);
    expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('2'));
    // The fresh read starts a new TTL.
    c.elapse(60_000 - 1);
    expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('2'));
    expect(source.reads).to.deep.equal(['storage/ssh', 'storage/ssh']);
  });

  describe('does not keep a failed read: the next load reads again', () => {
    const cases: readonly { name: string; error: Error }[] = [
      {
        name: 'the Secret is missing',
        error: new SshSecretError('SshSecretNotFound', 'Secret storage/ssh not found'),
      },
      { name: 'the API server did not answer', error: new Error('connect ECONNREFUSED') },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const source = new FakeSource().on('storage/ssh', tc.error, credentials('1'));
        const c = aCache(source, 60_000);
        expect(await rejection(c.cache.load('storage', 'ssh'))).to.equal(tc.error);
        expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('1'));
        expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('1'));
        expect(source.reads).to.deep.equal(['storage/ssh', 'storage/ssh']);
      });
    }
  });

  it('a failed read of one Secret leaves the others cached', async () => {
    const failure = new Error('connect ECONNREFUSED');
    const source = new FakeSource().on('storage/ssh', credentials('1')).on('other/ssh', failure);
    const c = aCache(source, 60_000);
    await c.cache.load('storage', 'ssh');
    expect(await rejection(c.cache.load('other', 'ssh'))).to.equal(failure);
    expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('1'));
    expect(source.reads).to.deep.equal(['storage/ssh', 'other/ssh']);
  });

  it('drops the entries of Secrets nobody asked for within the TTL', async () => {
    const source = new FakeSource()
      .on('a/ssh', credentials('a'))
      .on('b/ssh', credentials('b'))
      .on('c/ssh', credentials('c'));
    const c = aCache(source, 60_000);
    await c.cache.load('a', 'ssh');
    c.elapse(30_000);
    await c.cache.load('b', 'ssh');
    c.elapse(30_000);
    // a has expired, b has not: a load of any Secret drops a.
    await c.cache.load('c', 'ssh');
    // What the cache holds is not visible through its interface; the memory it keeps is the point.
    const entries = Reflect.get(c.cache, 'entries') as Map<string, unknown>;
    expect([...entries.keys()]).to.deep.equal(['b/ssh', 'c/ssh']);
  });

  describe('invalidate: the Secret watch saw it change, so the next load reads it again', () => {
    it('within the TTL, and the fresh read starts a new TTL', async () => {
      const source = new FakeSource().on('storage/ssh', credentials('1'), credentials('2'));
      const c = aCache(source, 60_000);
      await c.cache.load('storage', 'ssh');
      c.elapse(1_000);
      c.cache.invalidate('storage', 'ssh');
      expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('2'));
      c.elapse(60_000 - 1);
      expect(await c.cache.load('storage', 'ssh')).to.deep.equal(credentials('2'));
      expect(source.reads).to.deep.equal(['storage/ssh', 'storage/ssh']);
    });

    it('only that Secret: others stay cached, a Secret never read is no error', async () => {
      const source = new FakeSource()
        .on('storage/ssh', credentials('a'), credentials('a2'))
        .on('other/ssh', credentials('b'))
        .on('storage/ssh-2', credentials('c'));
      const c = aCache(source, 60_000);
      await c.cache.load('storage', 'ssh');
      await c.cache.load('other', 'ssh');
      await c.cache.load('storage', 'ssh-2');
      c.cache.invalidate('storage', 'ssh');
      c.cache.invalidate('storage', 'never-read');
      const versions: string[] = [];
      for (const [namespace, name] of [
        ['storage', 'ssh'],
        ['other', 'ssh'],
        ['storage', 'ssh-2'],
      ] as const) {
        versions.push((await c.cache.load(namespace, name)).version);
      }
      expect(versions).to.deep.equal(['a2', 'b', 'c']);
      expect(source.reads).to.deep.equal([
        'storage/ssh',
        'other/ssh',
        'storage/ssh-2',
        'storage/ssh',
      ]);
    });

    it('a read in flight when the Secret changed is not handed to later loads', async () => {
      let answerFirst!: (value: SshCredentials) => void;
      const first = new Promise<SshCredentials>((resolve) => (answerFirst = resolve));
      const reads: string[] = [];
      const source: SshCredentialsSource = {
        load: (namespace, name) => {
          reads.push(`${namespace}/${name}`);
          if (reads.length === 1) return first;
          if (reads.length === 2) return Promise.resolve(credentials('2'));
          return Promise.reject(new Error(`unexpected read ${String(reads.length)}`));
        },
      };
      const cache = new CredentialsCache(source, () => 0, 60_000);
      const before = cache.load('storage', 'ssh');
      cache.invalidate('storage', 'ssh');
      const after = cache.load('storage', 'ssh');
      answerFirst(credentials('1'));
      // The pass that asked before the change gets what it asked for; later loads the new one.
      expect((await before).version).to.equal('1');
      expect((await after).version).to.equal('2');
      expect((await cache.load('storage', 'ssh')).version).to.equal('2');
      expect(reads).to.deep.equal(['storage/ssh', 'storage/ssh']);
    });
  });

  it(`keeps a Secret ${String(CREDENTIALS_TTL_MS / 1_000)} s by default`, async () => {
    const source = new FakeSource().on('storage/ssh', credentials('1'), credentials('2'));
    const c = aCache(source);
    await c.cache.load('storage', 'ssh');
    c.elapse(CREDENTIALS_TTL_MS - 1);
    expect((await c.cache.load('storage', 'ssh')).version).to.equal('1');
    c.elapse(1);
    expect((await c.cache.load('storage', 'ssh')).version).to.equal('2');
  });
});
