import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  checkTestFileCoverage,
  checkTierScript,
  checkTierSet,
  tokenizeScript,
} from '../support/tier-coverage.js';
import type { TierRun } from '../support/tier-minimum.js';
import {
  checkTierRun,
  parseTierMinimums,
  suggestedMinimum,
  TIER_MINIMUMS_FILE,
} from '../support/tier-minimum.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function repositoryTestFiles(): string[] {
  return readdirSync(join(REPO, 'test'), { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.test.ts') && !file.split(sep).includes('node_modules'))
    .map((file) => `test/${file.split(sep).join('/')}`)
    .sort();
}

const GOOD_UNIT =
  "TEST_TIER=unit mocha --forbid-only --fail-zero --require test/support/tier-check.ts 'test/unit/**/*.test.ts'";
const NPM_TEST = 'npm run typecheck && npm run test:unit && npm run test:kube';

describe('test tiers', () => {
  describe('this repository', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const minimums = parseTierMinimums(
      JSON.parse(readFileSync(join(REPO, TIER_MINIMUMS_FILE), 'utf8')),
    );
    const tiers = [...minimums.keys()];

    it('has the tiers unit, integration and kube, each with a minimum', () => {
      expect(tiers).to.have.members(['unit', 'integration', 'kube']);
    });

    it('runs every tier from npm test, with --forbid-only, --fail-zero and the tier check', () => {
      const problems = tiers.flatMap(
        (tier) => checkTierScript(tier, pkg.scripts[`test:${tier}`], pkg.scripts['test']).problems,
      );
      expect(problems).to.deep.equal([]);
      expect(checkTierSet(pkg.scripts, tiers)).to.deep.equal([]);
    });

    it('puts every *.test.ts file under test/ in exactly one tier, and every glob matches', () => {
      const files = repositoryTestFiles();
      expect(files).to.include('test/unit/test-tiers.test.ts');
      const globsByTier = Object.fromEntries(
        tiers.map((tier) => [tier, checkTierScript(tier, pkg.scripts[`test:${tier}`], '').globs]),
      );
      expect(checkTestFileCoverage(files, globsByTier)).to.deep.equal([]);
    });
  });

  describe('tokenizeScript', () => {
    it('splits on blanks, keeps quoted words whole and says which were quoted', () => {
      expect(tokenizeScript(`A=1 mocha  --x 'a b/**/*.ts' "c" d/*.ts`)).to.deep.equal([
        { text: 'A=1', quoted: false },
        { text: 'mocha', quoted: false },
        { text: '--x', quoted: false },
        { text: 'a b/**/*.ts', quoted: true },
        { text: 'c', quoted: true },
        { text: 'd/*.ts', quoted: false },
      ]);
    });
  });

  describe('checkTierScript', () => {
    const cases: {
      name: string;
      script: string | undefined;
      npmTest?: string;
      problems: string[];
    }[] = [
      { name: 'a complete script', script: GOOD_UNIT, problems: [] },
      {
        name: 'a missing script',
        script: undefined,
        problems: ['package.json has no script "test:unit" for tier unit'],
      },
      {
        name: 'no TEST_TIER',
        script: GOOD_UNIT.replace('TEST_TIER=unit ', ''),
        problems: ['"test:unit" must start with "TEST_TIER=unit mocha"'],
      },
      {
        name: 'the TEST_TIER of another tier',
        script: GOOD_UNIT.replace('TEST_TIER=unit', 'TEST_TIER=kube'),
        problems: ['"test:unit" must start with "TEST_TIER=unit mocha"'],
      },
      {
        name: 'no --forbid-only nor --fail-zero',
        script: GOOD_UNIT.replace('--forbid-only --fail-zero ', ''),
        problems: ['"test:unit" lacks --forbid-only', '"test:unit" lacks --fail-zero'],
      },
      {
        name: 'a filter',
        script: GOOD_UNIT.replace('mocha', 'mocha --grep=fast --ignore x'),
        problems: [
          '"test:unit" must not filter tests (--grep)',
          '"test:unit" must not filter tests (--ignore)',
        ],
      },
      {
        name: 'no tier check',
        script: GOOD_UNIT.replace('--require test/support/tier-check.ts ', ''),
        problems: [
          '"test:unit" must load test/support/tier-check.ts with the last --require (its teardown runs last)',
        ],
      },
      {
        name: 'the tier check before another plugin',
        script: GOOD_UNIT.replace("'test/unit", "--require test/support/other.ts 'test/unit"),
        problems: [
          '"test:unit" must load test/support/tier-check.ts with the last --require (its teardown runs last)',
        ],
      },
      {
        name: 'an unquoted glob',
        script: GOOD_UNIT.replace("'test/unit/**/*.test.ts'", 'test/unit/**/*.test.ts'),
        problems: [
          '"test:unit": quote the glob test/unit/**/*.test.ts, or sh expands it (and ** only one directory deep)',
        ],
      },
      {
        name: 'no test files',
        script: GOOD_UNIT.replace(" 'test/unit/**/*.test.ts'", ''),
        problems: ['"test:unit" names no test files (\'test/…/*.test.ts\')'],
      },
      {
        name: 'a tier npm test does not run',
        script: GOOD_UNIT,
        npmTest: 'npm run test:unit-old && npm run test:kube',
        problems: ['"npm test" does not run "test:unit"'],
      },
    ];
    for (const tc of cases) {
      it(`finds ${tc.problems.length === 0 ? 'nothing wrong with' : 'what is wrong with'} ${tc.name}`, () => {
        expect(checkTierScript('unit', tc.script, tc.npmTest ?? NPM_TEST).problems).to.deep.equal(
          tc.problems,
        );
      });
    }

    it('returns the globs as written', () => {
      expect(
        checkTierScript('unit', `${GOOD_UNIT} 'test/testbed/**/*.test.ts'`, NPM_TEST).globs,
      ).to.deep.equal(['test/unit/**/*.test.ts', 'test/testbed/**/*.test.ts']);
    });
  });

  describe('checkTierSet', () => {
    it('refuses a test:* script that runs mocha without a minimum, and ignores other scripts', () => {
      expect(
        checkTierSet(
          {
            'test:unit': GOOD_UNIT,
            'test:slow': "mocha 'test/slow/**/*.test.ts'",
            'test:lint': 'eslint .',
            bench: 'mocha x',
          },
          ['unit'],
        ),
      ).to.deep.equal(['"test:slow" runs mocha but test/tier-minimums.json has no minimum for it']);
    });
  });

  describe('checkTestFileCoverage', () => {
    const globs = {
      unit: ['test/unit/**/*.test.ts'],
      kube: ['test/kube/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    };
    const cases: {
      name: string;
      files: string[];
      globs?: Record<string, string[]>;
      problems: string[];
    }[] = [
      {
        name: 'every file in one tier, at any depth',
        files: [
          'test/unit/a.test.ts',
          'test/unit/x/y/b.test.ts',
          'test/kube/c.test.ts',
          'test/e2e/d.test.ts',
        ],
        problems: [],
      },
      {
        name: 'a file in no tier',
        files: [
          'test/unit/a.test.ts',
          'test/kube/c.test.ts',
          'test/e2e/d.test.ts',
          'test/smoke/e.test.ts',
        ],
        problems: [
          "test/smoke/e.test.ts is in no test tier: move it under a tier's directory, or add a glob for it to a test:<tier> script in package.json",
        ],
      },
      {
        name: 'a file in two tiers',
        files: ['test/unit/a.test.ts', 'test/kube/c.test.ts', 'test/e2e/d.test.ts'],
        globs: { ...globs, unit: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'] },
        problems: ['test/e2e/d.test.ts runs in more than one tier (unit, kube): narrow the globs'],
      },
      {
        name: 'a mistyped glob',
        files: ['test/unit/a.test.ts', 'test/kube/c.test.ts', 'test/e2e/d.test.ts'],
        globs: { ...globs, unit: ['test/unti/**/*.test.ts'] },
        problems: [
          "test/unit/a.test.ts is in no test tier: move it under a tier's directory, or add a glob for it to a test:<tier> script in package.json",
          'The glob test/unti/**/*.test.ts of tier unit matches no test file',
        ],
      },
    ];
    for (const tc of cases) {
      it(`reports ${tc.name}`, () => {
        expect(checkTestFileCoverage(tc.files, tc.globs ?? globs)).to.deep.equal(tc.problems);
      });
    }
  });

  describe('parseTierMinimums', () => {
    it('reads tiers and their counts, passing over $ notes', () => {
      expect([...parseTierMinimums({ $comment: 'x', unit: 10, kube: 2 })]).to.deep.equal([
        ['unit', 10],
        ['kube', 2],
      ]);
    });

    for (const bad of [[], null, { unit: '10' }, { unit: 0 }, { unit: 1.5 }]) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        expect(() => parseTierMinimums(bad)).to.throw(TIER_MINIMUMS_FILE);
      });
    }
  });

  describe('checkTierRun', () => {
    const aRun = (changes: Partial<TierRun> = {}): TierRun => ({
      tier: 'unit',
      minimum: 100,
      registered: 101,
      selected: 101,
      passed: 101,
      failed: 0,
      pending: 0,
      pendingTests: [],
      ...changes,
    });

    const cases: { name: string; run: TierRun; ok: boolean; lines: string[] }[] = [
      {
        name: 'passes at or above the minimum',
        run: aRun(),
        ok: true,
        lines: [
          'Tier unit: ran 101 tests (passed 101, failed 0, pending 0); minimum 100 (test/tier-minimums.json)',
        ],
      },
      {
        name: 'counts pending tests, and names them',
        run: aRun({
          passed: 99,
          pending: 2,
          pendingTests: ['test/unit/a.test.ts: a skips', 'test/unit/b.test.ts: b skips'],
        }),
        ok: true,
        lines: [
          'Tier unit: ran 101 tests (passed 99, failed 0, pending 2); minimum 100 (test/tier-minimums.json)',
          '  pending: test/unit/a.test.ts: a skips',
          '  pending: test/unit/b.test.ts: b skips',
        ],
      },
      {
        name: 'fails below the minimum, saying what to check',
        run: aRun({ registered: 90, selected: 90, passed: 89, failed: 1 }),
        ok: false,
        lines: [
          'Tier unit: ran 90 tests (passed 89, failed 1, pending 0); minimum 100 (test/tier-minimums.json)',
          'Tier unit ran 10 test(s) fewer than its minimum: a test file is missing from the run (check the globs of "test:unit" in package.json), tests stopped registering, or a hook failed before its tests. If tests were removed on purpose, lower "unit" in test/tier-minimums.json in the same commit',
        ],
      },
      {
        name: 'fails when tests registered did not run (a failed before-all hook)',
        run: aRun({ passed: 60 }),
        ok: false,
        lines: [
          'Tier unit: ran 60 tests (passed 60, failed 0, pending 0); minimum 100 (test/tier-minimums.json)',
          'Tier unit ran 40 test(s) fewer than its minimum: a test file is missing from the run (check the globs of "test:unit" in package.json), tests stopped registering, or a hook failed before its tests. If tests were removed on purpose, lower "unit" in test/tier-minimums.json in the same commit',
        ],
      },
      {
        name: 'does not check a run a filter (--grep) narrowed',
        run: aRun({ selected: 3, passed: 3 }),
        ok: true,
        lines: ['Tier unit: a filter selected 3 of 101 tests, so its minimum (100) is not checked'],
      },
      {
        name: 'says to raise a minimum left far behind',
        run: aRun({ registered: 140, selected: 140, passed: 140 }),
        ok: true,
        lines: [
          'Tier unit: ran 140 tests (passed 140, failed 0, pending 0); minimum 100 (test/tier-minimums.json)',
          'Tier unit ran 40 more than its minimum: raise "unit" in test/tier-minimums.json to 138',
        ],
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(checkTierRun(tc.run)).to.deep.equal({ ok: tc.ok, lines: tc.lines });
      });
    }

    it('lists at most 20 pending tests', () => {
      const pendingTests = Array.from({ length: 25 }, (_, i) => `t${String(i)}`);
      const { lines } = checkTierRun(aRun({ passed: 76, pending: 25, pendingTests }));
      expect(lines).to.have.length(22);
      expect(lines.at(-1)).to.equal('  pending: and 5 more');
    });

    it('never prints mocha\'s "N passing/failing/pending" form, which scripts/test sums', () => {
      const { lines } = checkTierRun(aRun({ passed: 50, failed: 3, pending: 7 }));
      expect(lines.join('\n')).not.to.match(/[0-9]+ (passing|failing|pending)/);
    });

    it('suggests a minimum 1% below a run', () => {
      expect([835, 161, 299, 1].map(suggestedMinimum)).to.deep.equal([826, 159, 296, 1]);
    });
  });
});
