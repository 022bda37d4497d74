/**
 * The per-tier minimum test count (test/tier-minimums.json) and the verdict on one run. Pure: the
 * mocha plugin (tier-check.ts) gathers the counts.
 *
 * Why a minimum: a tier can pass with fewer tests than it has without any test failing: a glob
 * that sh expanded (one directory deep), a file whose tests are no longer registered, a describe
 * that throws nothing but registers nothing. The minimum is a floor a little below the real
 * count, so such a run fails; pending (skipped) tests count, and are listed, so a tier that skips
 * its tests stays visible.
 */

/** Where the minimums live, relative to the repository. */
export const TIER_MINIMUMS_FILE = 'test/tier-minimums.json';

/**
 * A run that passes its minimum by more than this (a fraction of it) says the minimum should be
 * raised, so the floor stays close enough to catch a lost file.
 */
export const RAISE_HINT_FRACTION = 0.02;

/** Pending tests listed by title after the summary, at most. */
export const PENDING_LISTED = 20;

/** Reads the minimums file's JSON: `{ "<tier>": <count>, ... }` (keys starting with `$` are notes). */
export function parseTierMinimums(json: unknown): ReadonlyMap<string, number> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${TIER_MINIMUMS_FILE} must be an object of tier names to test counts`);
  }
  const minimums = new Map<string, number>();
  for (const [tier, value] of Object.entries(json)) {
    if (tier.startsWith('$')) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new Error(`${TIER_MINIMUMS_FILE}: "${tier}" must be a positive whole number of tests`);
    }
    minimums.set(tier, value);
  }
  return minimums;
}

export interface TierRun {
  readonly tier: string;
  readonly minimum: number;
  /** Tests the spec files registered. */
  readonly registered: number;
  /** Tests the run selected (fewer than registered when --grep filters). */
  readonly selected: number;
  readonly passed: number;
  readonly failed: number;
  /** Tests skipped: it.skip, this.skip(), or a skip in a hook. */
  readonly pending: number;
  /** "file: full title" of each pending test. */
  readonly pendingTests: readonly string[];
}

export interface TierVerdict {
  readonly ok: boolean;
  /** What to print, one line each; none of them in mocha's "N passing" form (scripts/test sums those). */
  readonly lines: readonly string[];
}

export function checkTierRun(run: TierRun): TierVerdict {
  const { tier, minimum } = run;
  if (run.selected < run.registered) {
    return {
      ok: true,
      lines: [
        `Tier ${tier}: a filter selected ${String(run.selected)} of ${String(run.registered)} tests, so its minimum (${String(minimum)}) is not checked`,
      ],
    };
  }
  const ran = run.passed + run.failed + run.pending;
  const lines = [
    `Tier ${tier}: ran ${String(ran)} tests (passed ${String(run.passed)}, failed ${String(run.failed)}, pending ${String(run.pending)}); minimum ${String(minimum)} (${TIER_MINIMUMS_FILE})`,
  ];
  for (const title of run.pendingTests.slice(0, PENDING_LISTED)) lines.push(`  pending: ${title}`);
  if (run.pendingTests.length > PENDING_LISTED) {
    lines.push(`  pending: and ${String(run.pendingTests.length - PENDING_LISTED)} more`);
  }
  if (ran < minimum) {
    lines.push(
      `Tier ${tier} ran ${String(minimum - ran)} test(s) fewer than its minimum: a test file is missing from the run (check the globs of "test:${tier}" in package.json), tests stopped registering, or a hook failed before its tests. If tests were removed on purpose, lower "${tier}" in ${TIER_MINIMUMS_FILE} in the same commit`,
    );
    return { ok: false, lines };
  }
  if (ran - minimum > Math.max(1, Math.floor(minimum * RAISE_HINT_FRACTION))) {
    lines.push(
      `Tier ${tier} ran ${String(ran - minimum)} more than its minimum: raise "${tier}" in ${TIER_MINIMUMS_FILE} to ${String(suggestedMinimum(ran))}`,
    );
  }
  return { ok: true, lines };
}

/** The minimum to record for a tier that ran `ran` tests: 1% below, so a lost file shows. */
export function suggestedMinimum(ran: number): number {
  return Math.max(1, Math.floor(ran * 0.99));
}
