import { InvalidArgumentError } from '../errors.js';

/** How the leader election paces itself; client-go's defaults. */
export interface ElectionTimings {
  /**
   * How long a lease lasts after its holder's last renewal, as each standby measures it on its
   * own clock from when it saw the renewal. Whole seconds (the Lease stores seconds).
   */
  readonly leaseDurationMs: number;
  /**
   * How long the leader keeps leading without a successful renewal before it steps down.
   * Shorter than the lease duration: the leader stops before any standby may take over.
   */
  readonly renewDeadlineMs: number;
  /** How often the leader renews and a standby looks at the lease. */
  readonly retryPeriodMs: number;
}

export const DEFAULT_ELECTION_TIMINGS: ElectionTimings = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** The names the problems use for each timing (environment variables, option names). */
export type ElectionTimingNames = Readonly<Record<keyof ElectionTimings, string>>;

const FIELD_NAMES: ElectionTimingNames = {
  leaseDurationMs: 'leaseDurationMs',
  renewDeadlineMs: 'renewDeadlineMs',
  retryPeriodMs: 'retryPeriodMs',
};

/** Every rule the timings break, as sentences naming the settings; empty when they are valid. */
export function electionTimingProblems(
  timings: ElectionTimings,
  names: ElectionTimingNames = FIELD_NAMES,
): string[] {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timings;
  const problems: string[] = [];
  const positive = (key: keyof ElectionTimings): boolean => {
    const value = timings[key];
    if (Number.isFinite(value) && value > 0) return true;
    problems.push(`${names[key]} must be a positive duration, not ${String(value)}`);
    return false;
  };
  const lease = positive('leaseDurationMs');
  const renew = positive('renewDeadlineMs');
  const retry = positive('retryPeriodMs');
  if (lease && (leaseDurationMs % 1_000 !== 0 || leaseDurationMs < 1_000)) {
    problems.push(
      `${names.leaseDurationMs} must be a whole number of seconds (the Lease stores seconds), not ${leaseDurationMs} ms`,
    );
  }
  if (lease && renew && renewDeadlineMs >= leaseDurationMs) {
    problems.push(
      `${names.renewDeadlineMs} (${renewDeadlineMs} ms) must be shorter than ${names.leaseDurationMs} (${leaseDurationMs} ms), so a leader that cannot renew stops before a standby may take over`,
    );
  }
  if (renew && retry && retryPeriodMs >= renewDeadlineMs) {
    problems.push(
      `${names.retryPeriodMs} (${retryPeriodMs} ms) must be shorter than ${names.renewDeadlineMs} (${renewDeadlineMs} ms), so the leader gets more than one try to renew`,
    );
  }
  return problems;
}

/** @throws InvalidArgumentError naming every rule the timings break */
export function validateElectionTimings(timings: ElectionTimings): ElectionTimings {
  const problems = electionTimingProblems(timings);
  if (problems.length > 0) {
    throw new InvalidArgumentError(`Invalid leader election timings: ${problems.join('; ')}`);
  }
  return Object.freeze({ ...timings });
}
