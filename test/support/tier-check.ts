import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkTierRun, parseTierMinimums, TIER_MINIMUMS_FILE } from './tier-minimum.js';

/**
 * The mocha plugin every test tier loads last (`TEST_TIER=<tier> mocha ... --require
 * test/support/tier-check.ts`, see package.json): it fails the run when the tier ran fewer tests
 * than its minimum in test/tier-minimums.json, and prints what ran, pending tests by name.
 *
 * mocha runs global fixtures with the Runner as `this`. Setup only checks that the tier is known,
 * so a misnamed tier stops the run before any test. Teardown reads the runner's counts after the
 * last test; a teardown that throws makes mocha print the message and exit non-zero (after every
 * other plugin's teardown, as this one is required last).
 *
 * To change a minimum: edit test/tier-minimums.json (lower it in the commit that removes tests on
 * purpose; raise it when a run says so).
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MINIMUMS_URL = new URL('../tier-minimums.json', import.meta.url);

/** The check failed; its message is the explanation (no stack: nothing here is a crash). */
class TierCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TierCheckError';
    this.stack = `Tier check failed: ${message}`;
  }
}

function tierAndMinimum(): { tier: string; minimum: number } {
  const tier = process.env['TEST_TIER'];
  if (!tier) {
    throw new TierCheckError(
      'TEST_TIER is not set: run the tier through its npm script (npm run test:<tier>)',
    );
  }
  const minimums = parseTierMinimums(JSON.parse(readFileSync(MINIMUMS_URL, 'utf8')));
  const minimum = minimums.get(tier);
  if (minimum === undefined) {
    throw new TierCheckError(
      `TEST_TIER=${tier} has no minimum in ${TIER_MINIMUMS_FILE} (tiers: ${[...minimums.keys()].join(', ')})`,
    );
  }
  return { tier, minimum };
}

export function mochaGlobalSetup(this: Mocha.Runner): void {
  tierAndMinimum();
}

export function mochaGlobalTeardown(this: Mocha.Runner): void {
  const { tier, minimum } = tierAndMinimum();
  const stats = this.stats ?? { tests: 0, passes: 0, pending: 0 };
  const pendingTests: string[] = [];
  this.suite.eachTest((test) => {
    if (test.state === 'pending') {
      const file = test.file === undefined ? '' : `${relative(REPO, test.file)}: `;
      pendingTests.push(`${file}${test.fullTitle()}`);
    }
  });
  const verdict = checkTierRun({
    tier,
    minimum,
    registered: this.suite.total(),
    selected: this.total,
    passed: stats.passes,
    // stats.tests counts every test that ended (passed, failed or pending); stats.failures
    // also counts failed hooks, which are not tests.
    failed: stats.tests - stats.passes - stats.pending,
    pending: stats.pending,
    pendingTests,
  });
  process.stderr.write(`\n${verdict.lines.join('\n')}\n`);
  if (!verdict.ok) {
    throw new TierCheckError(`tier ${tier} ran fewer tests than its minimum of ${String(minimum)}`);
  }
}
