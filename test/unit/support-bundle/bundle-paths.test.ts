import { expect } from 'chai';
import {
  UniqueNames,
  bundleRootName,
  safePathSegment,
} from '../../../src/support-bundle/bundle-paths.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

describe('bundle paths', () => {
  const segments: readonly (readonly [string, string])[] = [
    ['n1', 'n1'],
    ['gluster-1.storage.example.com', 'gluster-1.storage.example.com'],
    ['10.250.0.11', '10.250.0.11'],
    ['fd42:676f:70::13', 'fd42_676f_70_13'],
    ['../../etc/passwd', 'etc_passwd'],
    ['..', 'unnamed'],
    ['', 'unnamed'],
    ['pod name/with slash', 'pod_name_with_slash'],
  ];
  for (const [name, expected] of segments) {
    it(`makes ${JSON.stringify(name)} the path segment ${expected}`, () => {
      expect(safePathSegment(name)).to.equal(expected);
    });
  }

  it('makes every hostile string one harmless segment', () => {
    for (const hostile of HOSTILE_STRINGS) {
      const segment = safePathSegment(hostile);
      expect(segment, JSON.stringify(hostile)).to.match(/^[A-Za-z0-9-][A-Za-z0-9._-]*$/);
    }
  });

  it('gives names that clean up alike distinct segments', () => {
    const names = new UniqueNames();
    expect(['a:b', 'a/b', 'a_b', 'x'].map((name) => names.claim(name, '.log'))).to.deep.equal([
      'a_b.log',
      'a_b-2.log',
      'a_b-3.log',
      'x.log',
    ]);
  });

  it('names the root after the resource and the time, in UTC to the second', () => {
    const at = new Date('2025-12-31T23:59:58.999Z');
    expect(bundleRootName('pool-a', at)).to.equal('gluster-support-pool-a-20251231T235958Z');
    expect(bundleRootName(undefined, at)).to.equal('gluster-support-20251231T235958Z');
  });
});
