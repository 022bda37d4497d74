import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  assertBricks,
  assertOptionKey,
  assertOptionValue,
  assertVolumeId,
  assertVolumeName,
  parseBrick,
} from '../../../src/gluster/volume-arguments.js';
import { assertLayout, assertWholeSets } from '../../../src/gluster/volume-layout.js';
import type { VolumeLayoutCounts } from '../../../src/gluster/volume-layout.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

function refusal(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidArgumentError);
    return (error as Error).message;
  }
  throw new Error('expected the argument to be refused');
}

describe('volume arguments', () => {
  describe('volume names (cli_validate_volname, at most 64 characters)', () => {
    for (const name of ['r3', 'v_1', '9start', '_under', 'a-b', 'A'.repeat(64), 'Detail']) {
      it(`accepts ${name.length > 20 ? `${name.length} characters` : name}`, () => {
        expect(() => {
          assertVolumeName(name);
        }).not.to.throw();
      });
    }
    const refused: { name: string; why: RegExp }[] = [
      { name: '', why: /1 to 64 letters/ },
      { name: '-x', why: /not starting with "-"/ },
      { name: '--remote-host=evil', why: /not starting with "-"/ },
      { name: 'a.b', why: /letters, digits/ },
      { name: 'a/b', why: /letters, digits/ },
      { name: 'a:b', why: /letters, digits/ },
      { name: 'B'.repeat(65), why: /1 to 64/ },
      { name: 'all', why: /reserves it/ },
      { name: 'force', why: /reserves it/ },
      { name: 'volume', why: /reserves it/ },
      { name: 'end-volume', why: /reserves it/ },
      { name: 'activate-on-create', why: /reserves it/ },
    ];
    for (const tc of refused) {
      it(`refuses ${JSON.stringify(tc.name.slice(0, 20))}`, () => {
        expect(
          refusal(() => {
            assertVolumeName(tc.name);
          }),
        ).to.match(tc.why);
      });
    }
    for (const hostile of HOSTILE_STRINGS) {
      it(`refuses the hostile ${JSON.stringify(hostile)}`, () => {
        const message = refusal(() => {
          assertVolumeName(hostile);
        });
        // The message echoes the value without control characters.
        expect(message).not.to.match(/[\n\r\t]/);
      });
    }
  });

  describe('bricks (host:/path)', () => {
    const accepted: { brick: string; host: string; path: string }[] = [
      { brick: 'node1:/bricks/r3/brick', host: 'node1', path: '/bricks/r3/brick' },
      { brick: 'gluster-1.example.com:/b', host: 'gluster-1.example.com', path: '/b' },
      {
        brick: '10.250.1.11:/bricks/v_1/brick.2',
        host: '10.250.1.11',
        path: '/bricks/v_1/brick.2',
      },
      { brick: 'fd42::11:/bricks/v/brick', host: 'fd42::11', path: '/bricks/v/brick' },
      { brick: 'fd42:::/bricks', host: 'fd42::', path: '/bricks' },
      { brick: 'n1:/data/b..c/_x-1.d', host: 'n1', path: '/data/b..c/_x-1.d' },
    ];
    for (const tc of accepted) {
      it(`splits ${tc.brick}`, () => {
        expect(parseBrick('brick', tc.brick)).to.deep.equal({ host: tc.host, path: tc.path });
      });
    }
    const refused: { brick: string; why: RegExp }[] = [
      { brick: 'node1', why: /use host:\/path/ },
      { brick: 'node1:bricks/b', why: /must be absolute/ },
      { brick: ':/bricks/b', why: /must not be empty/ },
      { brick: 'node_1:/bricks/b', why: /not a valid host name/ },
      { brick: '256.1.1.1:/b', why: /not a valid IPv4 address/ },
      { brick: '-n:/b', why: /not a valid host name/ },
      { brick: 'node1:/', why: /must be absolute/ },
      { brick: 'node1:/bricks/', why: /no trailing/ },
      { brick: 'node1:/bricks//b', why: /no "\/\/"/ },
      { brick: 'node1:/bricks/../etc', why: /no "\." or "\.\." segment/ },
      { brick: 'node1:/bricks/./b', why: /segment/ },
      { brick: 'node1:/bricks/.hidden', why: /start with a letter, a digit or "_"/ },
      { brick: 'node1:/bricks/-n', why: /start with a letter, a digit or "_"/ },
      { brick: 'node1:/bricks/a b', why: /segments of letters/ },
      { brick: 'node1:/bricks/$(id)', why: /segments of letters/ },
      { brick: 'node1:/bricks/a;b', why: /segments of letters/ },
      { brick: `node1:/${'p'.repeat(255)}`, why: /at most 255 characters/ },
    ];
    for (const tc of refused) {
      it(`refuses ${JSON.stringify(tc.brick.slice(0, 40))}`, () => {
        expect(refusal(() => parseBrick('brick', tc.brick))).to.match(tc.why);
      });
    }
    for (const hostile of HOSTILE_STRINGS) {
      it(`refuses the hostile ${JSON.stringify(hostile)} as host and as path`, () => {
        refusal(() => parseBrick('brick', hostile));
        refusal(() => parseBrick('brick', `${hostile}:/bricks/b`));
        refusal(() => parseBrick('brick', `node1:/bricks/${hostile}`));
      });
    }

    it('refuses an empty list and a brick given twice', () => {
      expect(refusal(() => assertBricks('brick', []))).to.match(/No brick given/);
      expect(refusal(() => assertBricks('brick', ['n1:/b/1', 'n2:/b/1', 'n1:/b/1']))).to.match(
        /n1:\/b\/1 is given twice/,
      );
    });
  });

  describe('option keys and values', () => {
    for (const key of ['performance.cache-size', 'cluster.min-free-disk', 'user.note', 'a.b.c']) {
      it(`accepts the key ${key}`, () => {
        expect(() => {
          assertOptionKey(key);
        }).not.to.throw();
      });
    }
    for (const key of [
      'performance',
      'Performance.cache-size',
      '.cache',
      'cache.',
      'a..b',
      'group',
      'help',
      '--remote-host=x.y',
      'a.b c',
      `a.${'b'.repeat(260)}`,
      ...HOSTILE_STRINGS,
    ]) {
      it(`refuses the key ${JSON.stringify(key.slice(0, 30))}`, () => {
        refusal(() => {
          assertOptionKey(key);
        });
      });
    }

    // argv never meets a shell: shell syntax in a value is literal text for gluster.
    const literal = HOSTILE_STRINGS.filter(
      (value) =>
        value !== '' &&
        /^[\x20-\x7e]+$/.test(value) &&
        value.trim() === value &&
        !value.startsWith('--'),
    );
    it('takes most hostile strings as literal values (they reach argv as one word)', () => {
      expect(literal).to.include.members(['$(id)', '`id`', "it's", '*', '|cat', '-n', '{a,b}']);
      for (const value of literal) {
        expect(() => {
          assertOptionValue('user.note', value);
        }).not.to.throw();
      }
    });
    const refused: { value: string; why: RegExp }[] = [
      { value: '', why: /it is empty \(reset the option instead\)/ },
      { value: 'a\nb', why: /printable ASCII/ },
      { value: 'x\r\ny', why: /printable ASCII/ },
      { value: 'tab\there', why: /printable ASCII/ },
      { value: 'ünïcødé', why: /printable ASCII/ },
      { value: ' leading space', why: /starts or ends with a space/ },
      { value: 'trailing ', why: /starts or ends with a space/ },
      { value: '--remote-host=10.0.0.1', why: /takes for one of its own options/ },
      { value: '--xml', why: /takes for one of its own options/ },
      { value: 'x'.repeat(4097), why: /longer than 4096/ },
    ];
    for (const tc of refused) {
      it(`refuses the value ${JSON.stringify(tc.value.slice(0, 30))}`, () => {
        expect(
          refusal(() => {
            assertOptionValue('user.note', tc.value);
          }),
        ).to.match(tc.why);
      });
    }
  });

  describe('volume IDs', () => {
    it('accepts a UUID, in either case', () => {
      expect(() => {
        assertVolumeId('c35020b9-ccb1-439e-a23f-a0c7293a6562');
        assertVolumeId('C35020B9-CCB1-439E-A23F-A0C7293A6562');
      }).not.to.throw();
    });
    for (const id of ['', 'c35020b9', 'c35020b9-ccb1-439e-a23f-a0c7293a656', ...HOSTILE_STRINGS]) {
      it(`refuses ${JSON.stringify(id)}`, () => {
        expect(
          refusal(() => {
            assertVolumeId(id);
          }),
        ).to.match(/expected a UUID/);
      });
    }
  });

  describe('layouts', () => {
    const valid: VolumeLayoutCounts[] = [
      { type: 'Distribute' },
      { type: 'Replicate', replica: 2, arbiter: 0 },
      { type: 'Replicate', replica: 3, arbiter: 1 },
      { type: 'Disperse', disperse: 3, redundancy: 1 },
      { type: 'Disperse', disperse: 6, redundancy: 2 },
    ];
    for (const layout of valid) {
      it(`accepts ${JSON.stringify(layout)}`, () => {
        expect(() => {
          assertLayout(layout);
        }).not.to.throw();
      });
    }
    const invalid: { layout: VolumeLayoutCounts; why: RegExp }[] = [
      { layout: { type: 'Replicate', replica: 1, arbiter: 0 }, why: /replica count 1/ },
      { layout: { type: 'Replicate', replica: 2.5, arbiter: 0 }, why: /replica count 2.5/ },
      { layout: { type: 'Replicate', replica: 2, arbiter: 1 }, why: /arbiter count 1/ },
      { layout: { type: 'Replicate', replica: 3, arbiter: 2 }, why: /arbiter count 2/ },
      { layout: { type: 'Disperse', disperse: 2, redundancy: 1 }, why: /disperse count 2/ },
      { layout: { type: 'Disperse', disperse: 4, redundancy: 2 }, why: /less than half/ },
      { layout: { type: 'Disperse', disperse: 3, redundancy: 0 }, why: /redundancy 0/ },
      { layout: { type: 'Replicate', replica: 65, arbiter: 0 }, why: /from 2 to 64/ },
    ];
    for (const tc of invalid) {
      it(`refuses ${JSON.stringify(tc.layout)}`, () => {
        expect(
          refusal(() => {
            assertLayout(tc.layout);
          }),
        ).to.match(tc.why);
      });
    }

    it('wants whole sets', () => {
      expect(() => {
        assertWholeSets({ type: 'Replicate', replica: 3, arbiter: 0 }, 6);
        assertWholeSets({ type: 'Distribute' }, 1);
      }).not.to.throw();
      expect(
        refusal(() => {
          assertWholeSets({ type: 'Replicate', replica: 3, arbiter: 1 }, 4);
        }),
      ).to.equal('4 bricks are not whole sets of 3 (replica 3 arbiter 1)');
      expect(
        refusal(() => {
          assertWholeSets({ type: 'Disperse', disperse: 3, redundancy: 1 }, 0);
        }),
      ).to.equal('0 bricks are not whole sets of 3 (disperse 3 redundancy 1)');
    });
  });
});
