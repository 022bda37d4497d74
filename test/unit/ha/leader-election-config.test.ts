import { expect } from 'chai';
import { TerminalError } from '../../../src/errors.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  DEFAULT_ELECTION_TIMINGS,
  electionTimingProblems,
  validateElectionTimings,
  type ElectionTimings,
} from '../../../src/ha/election-timings.js';
import { loadLeaderElectionConfig } from '../../../src/ha/leader-election-config.js';

const fixed = { hostname: 'build-host', randomSuffix: () => '0a1b2c3d' };

function problemsOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).to.be.instanceOf(TerminalError);
    return (error as Error).message;
  }
  throw new Error('Expected the configuration to be refused');
}

describe('loadLeaderElectionConfig', () => {
  it('has client-go defaults, the lease in the pod namespace and a unique identity', () => {
    expect(
      loadLeaderElectionConfig(
        { POD_NAMESPACE: 'storage', POD_NAME: 'gluster-operator-7d9f' },
        fixed,
      ),
    ).to.deep.equal({
      enabled: true,
      identity: 'gluster-operator-7d9f_0a1b2c3d',
      lease: { namespace: 'storage', name: 'gluster-operator-leader' },
      timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    });
  });

  it('reads the environment, and is frozen', () => {
    const config = loadLeaderElectionConfig(
      {
        POD_NAMESPACE: 'storage',
        LEADER_ELECTION_NAMESPACE: 'operators',
        LEADER_ELECTION_LEASE_NAME: 'glusterops.example.com',
        LEADER_ELECTION_LEASE_DURATION: '30s',
        LEADER_ELECTION_RENEW_DEADLINE: '20s',
        LEADER_ELECTION_RETRY_PERIOD: '500ms',
      },
      fixed,
    );
    expect(config).to.deep.equal({
      enabled: true,
      identity: 'build-host_0a1b2c3d',
      lease: { namespace: 'operators', name: 'glusterops.example.com' },
      timings: { leaseDurationMs: 30_000, renewDeadlineMs: 20_000, retryPeriodMs: 500 },
    });
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('can be switched off for a single replica, and then needs no namespace', () => {
    expect(loadLeaderElectionConfig({ LEADER_ELECTION: 'false' }, fixed)).to.deep.equal({
      enabled: false,
      identity: 'build-host_0a1b2c3d',
    });
  });

  it('gives every identity its own random suffix', () => {
    const env = { LEADER_ELECTION: 'false', POD_NAME: 'op' };
    expect(loadLeaderElectionConfig(env).identity).to.match(/^op_[0-9a-f]{8}$/);
    expect(loadLeaderElectionConfig(env).identity).to.not.equal(
      loadLeaderElectionConfig(env).identity,
    );
  });

  it('names every invalid variable at once', () => {
    const message = problemsOf(() =>
      loadLeaderElectionConfig(
        {
          LEADER_ELECTION_LEASE_NAME: 'Not_A_Name',
          LEADER_ELECTION_LEASE_DURATION: 'soon',
          LEADER_ELECTION_RETRY_PERIOD: '12s',
        },
        fixed,
      ),
    );
    for (const part of [
      'POD_NAMESPACE',
      'LEADER_ELECTION_LEASE_NAME',
      'LEADER_ELECTION_LEASE_DURATION must be a duration',
      'LEADER_ELECTION_RETRY_PERIOD (12000 ms) must be shorter than LEADER_ELECTION_RENEW_DEADLINE',
    ]) {
      expect(message).to.contain(part);
    }
  });

  it('refuses a renew deadline that is not shorter than the lease duration', () => {
    expect(
      problemsOf(() =>
        loadLeaderElectionConfig(
          { POD_NAMESPACE: 'storage', LEADER_ELECTION_RENEW_DEADLINE: '15s' },
          fixed,
        ),
      ),
    ).to.contain(
      'LEADER_ELECTION_RENEW_DEADLINE (15000 ms) must be shorter than LEADER_ELECTION_LEASE_DURATION (15000 ms)',
    );
  });

  it('refuses a LEADER_ELECTION that is neither true nor false', () => {
    expect(
      problemsOf(() => loadLeaderElectionConfig({ LEADER_ELECTION: 'yes' }, fixed)),
    ).to.contain('LEADER_ELECTION must be true or false');
  });
});

describe('election timings', () => {
  const cases: readonly {
    readonly name: string;
    readonly timings: Partial<ElectionTimings>;
    readonly problems: readonly string[];
  }[] = [
    { name: 'the defaults are valid', timings: {}, problems: [] },
    {
      name: 'the renew deadline must be shorter than the lease duration',
      timings: { renewDeadlineMs: 15_000 },
      problems: ['renewDeadlineMs (15000 ms) must be shorter than leaseDurationMs (15000 ms)'],
    },
    {
      name: 'the retry period must be shorter than the renew deadline',
      timings: { retryPeriodMs: 10_000 },
      problems: ['retryPeriodMs (10000 ms) must be shorter than renewDeadlineMs (10000 ms)'],
    },
    {
      name: 'the lease duration is whole seconds',
      timings: { leaseDurationMs: 15_500 },
      problems: ['leaseDurationMs must be a whole number of seconds'],
    },
    {
      name: 'every timing is positive',
      timings: { leaseDurationMs: 0, renewDeadlineMs: -1, retryPeriodMs: Number.NaN },
      problems: [
        'leaseDurationMs must be a positive duration, not 0',
        'renewDeadlineMs must be a positive duration, not -1',
        'retryPeriodMs must be a positive duration, not NaN',
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const problems = electionTimingProblems({ ...DEFAULT_ELECTION_TIMINGS, ...tc.timings });
      expect(problems).to.have.length(tc.problems.length);
      tc.problems.forEach((expected, i) => {
        expect(problems[i]).to.contain(expected);
      });
    });
  }

  it('validateElectionTimings throws an InvalidArgumentError naming every problem', () => {
    expect(() =>
      validateElectionTimings({
        leaseDurationMs: 10_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 10_000,
      }),
    )
      .to.throw(InvalidArgumentError)
      .with.property('message')
      .that.contains('renewDeadlineMs')
      .and.contains('retryPeriodMs');
  });
});
