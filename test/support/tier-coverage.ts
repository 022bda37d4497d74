import { matchesGlob } from 'node:path';

/**
 * Which test tier runs which test file, read from package.json's scripts, and what is wrong with
 * it. Pure: the caller reads package.json, test/tier-minimums.json and the file list.
 *
 * A tier is a script `test:<tier>` of the form
 *   TEST_TIER=<tier> mocha --forbid-only --fail-zero [...] --require test/support/tier-check.ts '<glob>'...
 * Each check here closes a way for CI to pass while running less than it should: a test file
 * outside every glob (or in two), a mistyped glob that matches nothing, an unquoted glob (sh
 * expands `**` as `*`, one directory deep), an `.only` left in, a tier `npm test` never runs, a
 * filter (--grep, --ignore) baked into the script, or a tier whose minimum is never checked.
 */

/** The mocha plugin every tier loads last (its global teardown checks the tier's minimum). */
export const TIER_CHECK_PLUGIN = 'test/support/tier-check.ts';

/** The flags every tier passes to mocha. */
export const REQUIRED_TIER_FLAGS = ['--forbid-only', '--fail-zero'] as const;

/** Flags that would run fewer tests than the globs name, or none at all. */
const FILTER_FLAGS = new Set([
  '--grep',
  '-g',
  '--fgrep',
  '-f',
  '--invert',
  '-i',
  '--ignore',
  '--exclude',
  '--dry-run',
]);

export interface ScriptToken {
  readonly text: string;
  /** Written in quotes, so sh passes it as it is (a glob is left for mocha to expand). */
  readonly quoted: boolean;
}

/** Splits an npm script into words as sh would, for the simple scripts the tiers are. */
export function tokenizeScript(script: string): ScriptToken[] {
  return [...script.matchAll(/'([^']*)'|"([^"]*)"|([^\s'"]+)/g)].map(
    ([, single, double, plain]) => ({
      text: single ?? double ?? plain ?? '',
      quoted: plain === undefined,
    }),
  );
}

/**
 * Checks one tier's script; returns its globs and every problem found (sentences saying what to
 * fix). `npmTest` is the `test` script, which must run every tier.
 */
export function checkTierScript(
  tier: string,
  script: string | undefined,
  npmTest: string | undefined,
): { readonly globs: readonly string[]; readonly problems: readonly string[] } {
  const name = `test:${tier}`;
  if (script === undefined) {
    return { globs: [], problems: [`package.json has no script "${name}" for tier ${tier}`] };
  }
  const problems: string[] = [];
  const tokens = tokenizeScript(script);
  const words = tokens.map((token) => token.text);
  if (words[0] !== `TEST_TIER=${tier}` || words[1] !== 'mocha') {
    problems.push(`"${name}" must start with "TEST_TIER=${tier} mocha"`);
  }
  for (const flag of REQUIRED_TIER_FLAGS) {
    if (!words.includes(flag)) problems.push(`"${name}" lacks ${flag}`);
  }
  for (const word of words) {
    const flag = word.split('=')[0] ?? word;
    if (FILTER_FLAGS.has(flag)) problems.push(`"${name}" must not filter tests (${flag})`);
  }
  const required = words.flatMap((word, index) =>
    word === '--require' || word === '-r' ? [words[index + 1] ?? ''] : [],
  );
  if (required.at(-1) !== TIER_CHECK_PLUGIN) {
    problems.push(
      `"${name}" must load ${TIER_CHECK_PLUGIN} with the last --require (its teardown runs last)`,
    );
  }
  const globs: string[] = [];
  for (const token of tokens) {
    if (!token.text.endsWith('.test.ts')) continue;
    globs.push(token.text);
    if (!token.quoted && /[*?[{]/.test(token.text)) {
      problems.push(
        `"${name}": quote the glob ${token.text}, or sh expands it (and ** only one directory deep)`,
      );
    }
  }
  if (globs.length === 0) problems.push(`"${name}" names no test files ('test/…/*.test.ts')`);
  if (npmTest === undefined || !new RegExp(`\\bnpm run ${name}(?![\\w:-])`).test(npmTest)) {
    problems.push(`"npm test" does not run "${name}"`);
  }
  return { globs, problems };
}

/**
 * Every test file must be matched by exactly one tier's globs, and every glob must match at least
 * one file. `files` are paths relative to the repository, with '/'.
 */
export function checkTestFileCoverage(
  files: readonly string[],
  globsByTier: Readonly<Record<string, readonly string[]>>,
): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const tiers = Object.entries(globsByTier)
      .filter(([, globs]) => globs.some((glob) => matchesGlob(file, glob)))
      .map(([tier]) => tier);
    if (tiers.length === 0) {
      problems.push(
        `${file} is in no test tier: move it under a tier's directory, or add a glob for it to a test:<tier> script in package.json`,
      );
    } else if (tiers.length > 1) {
      problems.push(`${file} runs in more than one tier (${tiers.join(', ')}): narrow the globs`);
    }
  }
  for (const [tier, globs] of Object.entries(globsByTier)) {
    for (const glob of globs) {
      const count = files.filter((file) => matchesGlob(file, glob)).length;
      if (count === 0) problems.push(`The glob ${glob} of tier ${tier} matches no test file`);
    }
  }
  return problems;
}

/**
 * The tiers' scripts in package.json: which `test:*` scripts run mocha. Each must be a tier with a
 * minimum, or its tests would run unchecked (or, outside `npm test`, not at all).
 */
export function checkTierSet(
  scripts: Readonly<Record<string, string>>,
  tiers: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [name, script] of Object.entries(scripts)) {
    const match = /^test:(.+)$/.exec(name);
    if (!match?.[1] || !/\bmocha\b/.test(script)) continue;
    if (!tiers.includes(match[1])) {
      problems.push(`"${name}" runs mocha but test/tier-minimums.json has no minimum for it`);
    }
  }
  return problems;
}
