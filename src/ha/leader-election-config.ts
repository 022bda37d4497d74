import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseDurationMs } from '../core/duration.js';
import { TerminalError } from '../errors.js';
import {
  DEFAULT_ELECTION_TIMINGS,
  electionTimingProblems,
  type ElectionTimings,
} from './election-timings.js';
import type { LeaseKey } from './lease-lock.js';

export const DEFAULT_LEASE_NAME = 'gluster-operator-leader';

/** Leader election settings, from the environment; see docs/high-availability.md. */
export type LeaderElectionConfig =
  | {
      /** One replica, no Lease: it always leads (development, `npx tsx src/main.ts`). */
      readonly enabled: false;
      readonly identity: string;
    }
  | {
      readonly enabled: true;
      /** Pod name + '_' + random suffix: unique even when a pod restarts with the same name. */
      readonly identity: string;
      readonly lease: LeaseKey;
      readonly timings: ElectionTimings;
    };

export interface LeaderElectionConfigOptions {
  /** Used when POD_NAME is unset; os.hostname() by default (a pod's hostname is its name). */
  readonly hostname?: string;
  /** The suffix that makes the identity unique; 8 random hex digits by default. */
  readonly randomSuffix?: () => string;
}

/** `<pod name>_<suffix>`: the pod name stays readable and is cut at the last '_'. */
export function makeReplicaIdentity(podName: string, suffix: string): string {
  return `${podName}_${suffix}`;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads LEADER_ELECTION, LEADER_ELECTION_NAMESPACE (else POD_NAMESPACE),
 * LEADER_ELECTION_LEASE_NAME, LEADER_ELECTION_LEASE_DURATION, LEADER_ELECTION_RENEW_DEADLINE,
 * LEADER_ELECTION_RETRY_PERIOD and POD_NAME.
 * @throws TerminalError naming every invalid variable
 */
export function loadLeaderElectionConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LeaderElectionConfigOptions = {},
): LeaderElectionConfig {
  const problems: string[] = [];
  const podName = env['POD_NAME'] || options.hostname || os.hostname();
  const suffix = (options.randomSuffix ?? (() => randomBytes(4).toString('hex')))();
  const identity = makeReplicaIdentity(podName, suffix);

  const enabledText = (env['LEADER_ELECTION'] ?? 'true').toLowerCase();
  if (enabledText !== 'true' && enabledText !== 'false') {
    problems.push(`LEADER_ELECTION must be true or false, not "${env['LEADER_ELECTION'] ?? ''}"`);
  }
  if (enabledText === 'false') {
    if (problems.length > 0) throw invalid(problems);
    return Object.freeze({ enabled: false, identity });
  }

  const namespace = env['LEADER_ELECTION_NAMESPACE'] || env['POD_NAMESPACE'] || '';
  if (namespace === '') {
    problems.push(
      "LEADER_ELECTION_NAMESPACE or POD_NAMESPACE (the Downward API's metadata.namespace) must name the namespace of the leader Lease, or set LEADER_ELECTION=false to run a single replica without one",
    );
  } else if (!DNS_LABEL.test(namespace) || namespace.length > 63) {
    problems.push(`The leader election namespace must be a DNS label, not "${namespace}"`);
  }
  const name = env['LEADER_ELECTION_LEASE_NAME'] || DEFAULT_LEASE_NAME;
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) {
    problems.push(`LEADER_ELECTION_LEASE_NAME must be a DNS subdomain name, not "${name}"`);
  }
  const duration = (variable: string, fallbackMs: number): number => {
    const raw = env[variable];
    if (raw === undefined || raw === '') return fallbackMs;
    const value = parseDurationMs(raw);
    if (value === undefined || value <= 0) {
      problems.push(`${variable} must be a duration such as "15s" or "500ms", not "${raw}"`);
      return fallbackMs;
    }
    return value;
  };
  const timings: ElectionTimings = {
    leaseDurationMs: duration(
      'LEADER_ELECTION_LEASE_DURATION',
      DEFAULT_ELECTION_TIMINGS.leaseDurationMs,
    ),
    renewDeadlineMs: duration(
      'LEADER_ELECTION_RENEW_DEADLINE',
      DEFAULT_ELECTION_TIMINGS.renewDeadlineMs,
    ),
    retryPeriodMs: duration('LEADER_ELECTION_RETRY_PERIOD', DEFAULT_ELECTION_TIMINGS.retryPeriodMs),
  };
  problems.push(
    ...electionTimingProblems(timings, {
      leaseDurationMs: 'LEADER_ELECTION_LEASE_DURATION',
      renewDeadlineMs: 'LEADER_ELECTION_RENEW_DEADLINE',
      retryPeriodMs: 'LEADER_ELECTION_RETRY_PERIOD',
    }),
  );
  if (problems.length > 0) throw invalid(problems);
  return Object.freeze({
    enabled: true,
    identity,
    lease: Object.freeze({ namespace, name }),
    timings: Object.freeze(timings),
  });
}

function invalid(problems: readonly string[]): TerminalError {
  return new TerminalError(`Invalid leader election configuration: ${problems.join('; ')}`);
}
