import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import {
  CommandTimeoutError,
  HostKeyVerificationError,
  SshConnectError,
} from '../../../src/exec/exec-errors.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { aHome, runWithFake } from './cli-harness.js';
import { poolListXml } from './pool-xml.js';

const N1 = '10.250.9.1';
const N2 = '10.250.9.2';
const N3 = '10.250.9.3';
const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';
const VERSION = ['gluster', '--version'];

/** A node that answers pool list, version, volume info and op-version as glusterd 10.3 does. */
function answering(
  fake: FakeExecutor,
  node: string,
  self: string,
  peers: Parameters<typeof poolListXml>[1],
): FakeExecutor {
  return fake
    .on(node, glusterArgv('pool', 'list'), { stdout: poolListXml(self, peers) })
    .on(node, VERSION, { stdout: fixture('version.txt') })
    .on(node, glusterArgv('volume', 'info'), xmlAnswer('volume-info-none.xml'))
    .on(
      node,
      glusterArgv('volume', 'get', 'all', 'cluster.op-version'),
      xmlAnswer('volume-get-op-version.xml'),
    );
}

function unreachable(fake: FakeExecutor, node: string, error: Error): FakeExecutor {
  return fake.on(node, glusterArgv('pool', 'list'), { error }).on(node, VERSION, { error });
}

describe('the CLI (in-process, fake executor)', () => {
  let home: string;
  before(() => {
    home = aHome();
  });

  describe('command line', () => {
    const cases: {
      name: string;
      argv: string[];
      exitCode: number;
      stderr?: RegExp;
      stdout?: RegExp;
    }[] = [
      {
        name: 'no command: usage on stderr, 64',
        argv: [],
        exitCode: 64,
        stderr: /Usage: gluster-operator <command>/,
      },
      { name: '--help: usage on stdout, 0', argv: ['--help'], exitCode: 0, stdout: /Exit codes:/ },
      {
        name: 'help for one command',
        argv: ['help', 'plan'],
        exitCode: 0,
        stdout: /Usage: gluster-operator plan/,
      },
      { name: 'command --help', argv: ['peers', '--help'], exitCode: 0, stdout: /create-cluster/ },
      {
        name: 'unknown command',
        argv: ['frobnicate'],
        exitCode: 64,
        stderr: /Unknown command "frobnicate"/,
      },
      {
        name: 'unknown flag',
        argv: ['status', '--bogus'],
        exitCode: 64,
        stderr: /Unknown option '--bogus'/,
      },
      {
        name: 'a flag the command does not take',
        argv: ['status', '--node', N1, '--force'],
        exitCode: 64,
        stderr: /status does not take --force/,
      },
      {
        name: 'bad --output',
        argv: ['status', '--node', N1, '--output', 'yaml'],
        exitCode: 64,
        stderr: /--output must be table or json/,
      },
      {
        name: 'bad --timeout',
        argv: ['status', '--node', N1, '--timeout', 'soon'],
        exitCode: 64,
        stderr: /--timeout must be a duration/,
      },
      {
        name: 'status without nodes',
        argv: ['status'],
        exitCode: 64,
        stderr: /Say which nodes: --node/,
      },
      {
        name: 'two node sources',
        argv: ['status', '--node', N1, '--peers'],
        exitCode: 64,
        stderr: /one node source/,
      },
      {
        name: 'plan without a cluster',
        argv: ['plan'],
        exitCode: 64,
        stderr: /-f <manifest.yaml>, or --cluster/,
      },
      {
        name: 'status --volumes and --volume together',
        argv: ['status', '--volumes', '--volume', 'v'],
        exitCode: 64,
        stderr: /Give --volume <name> or --volumes, not both/,
      },
      {
        name: 'status --volumes with a node source it would ignore',
        argv: ['status', '--volumes', '--node', N1],
        exitCode: 64,
        stderr: /status --volumes reads the API server only; drop --node/,
      },
      {
        name: 'plan --volume with -f: the volume names its cluster',
        argv: ['plan', '--volume', 'v', '-f', 'pool.yaml'],
        exitCode: 64,
        stderr: /plan --volume reads the GlusterCluster its spec.clusterRef names/,
      },
      {
        name: '--volumes is for status only',
        argv: ['peers', 'list', '--via', N1, '--volumes'],
        exitCode: 64,
        stderr: /peers does not take --volumes/,
      },
      {
        name: 'help status names --volumes',
        argv: ['help', 'status'],
        exitCode: 0,
        stdout: /status \(--volumes \| --volume <name>\)/,
      },
      {
        name: 'peers without an operation',
        argv: ['peers', '--node', N1],
        exitCode: 64,
        stderr: /peers needs an operation/,
      },
      {
        name: 'peers probe without a host',
        argv: ['peers', 'probe', '--via', N1],
        exitCode: 64,
        stderr: /Usage: peers probe <host>/,
      },
      {
        name: '--force outside detach',
        argv: ['peers', 'probe', N2, '--via', N1, '--force'],
        exitCode: 64,
        stderr: /--force is for peers detach only/,
      },
      {
        name: 'missing --ssh-key file',
        argv: ['peers', 'list', '--via', N1, '--ssh-key', '/nonexistent/key'],
        exitCode: 65,
        stderr: /Could not read the SSH private key .*no such file/,
      },
    ];
    for (const tc of cases) {
      it(tc.name, async () => {
        const fake = new FakeExecutor();
        const run = await runWithFake(tc.argv, fake, home);
        expect(run.exitCode, run.stderr).to.equal(tc.exitCode);
        if (tc.stderr) expect(run.stderr).to.match(tc.stderr);
        if (tc.stdout) expect(run.stdout).to.match(tc.stdout);
        expect(fake.calls).to.deep.equal([]);
        // Errors are one line.
        if (tc.exitCode !== 0 && !tc.stderr?.source.startsWith('Usage')) {
          expect(
            run.stderr
              .trimEnd()
              .split('\n')
              .filter((line) => line.startsWith('error:')),
          ).to.have.length(1);
        }
      });
    }
  });

  describe('hostile addresses are refused before anything runs', () => {
    for (const hostile of HOSTILE_STRINGS) {
      it(`--node ${JSON.stringify(hostile)}`, async () => {
        const fake = new FakeExecutor();
        const run = await runWithFake(['status', '--node', N1, '--node', hostile], fake, home);
        expect(run.exitCode).to.equal(64);
        expect(run.stderr).to.match(
          /^error: (--node: .*nothing was run|Option '--node' argument is ambiguous)/,
        );
        expect(fake.calls).to.deep.equal([]);
      });
    }
    it('in peers probe, --via (peers and dump) and peers wait', async () => {
      for (const argv of [
        ['peers', 'probe', 'n2;reboot', '--via', N1],
        ['peers', 'list', '--via', '$(reboot)'],
        ['peers', 'wait', N2, '`id`', '--via', N1],
        ['dump', '--via', 'n1;reboot'],
      ]) {
        const fake = new FakeExecutor();
        const run = await runWithFake(argv, fake, home);
        expect(run.exitCode, argv.join(' ')).to.equal(64);
        expect(fake.calls).to.deep.equal([]);
      }
    });
    it('in a manifest: exit 65, naming the field', async () => {
      const path = join(home, 'hostile.yaml');
      writeFileSync(path, manifest([N1, 'n2;rm -rf /']));
      const fake = new FakeExecutor();
      const run = await runWithFake(['plan', '-f', path], fake, home);
      expect(run.exitCode).to.equal(65);
      expect(run.stderr).to.match(
        /spec\.nodes\[1\]\.address: "n2;rm -rf \/" is not a valid host name/,
      );
      expect(fake.calls).to.deep.equal([]);
    });
  });

  describe('status', () => {
    it('a full mesh: a table, exit 0', async () => {
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2 }]);
      answering(fake, N2, U2, [{ uuid: U1, hostname: N1 }]);
      const run = await runWithFake(['status', '--node', N1, '--node', N2], fake, home);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.match(
        new RegExp(
          `^NODE +SSH +GLUSTERD +VERSION +UUID +MEMBERS\\n${N1.replace(/\./g, '\\.')} +ok +running +10\\.3 +${U1} +2\\n`,
        ),
      );
      expect(run.stdout).to.include('Every node sees every other connected.');
      expect(run.stderr).to.include('Gathering views from 2 node(s) of --node…');
      expect(run.stderr).to.match(
        new RegExp(`${N2.replace(/\./g, '\\.')}: done \\(\\d+\\.\\ds\\)`),
      );
      expect(fake.mutations()).to.deep.equal([]);
    });

    it('--output json: the report with stable fields', async () => {
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2 }]);
      answering(fake, N2, U2, [{ uuid: U1, hostname: N1 }]);
      const run = await runWithFake(
        ['status', '--node', N1, '--node', N2, '--output', 'json'],
        fake,
        home,
      );
      const report = JSON.parse(run.stdout) as Record<string, unknown>;
      expect(Object.keys(report)).to.deep.equal(['isFullMesh', 'nodes', 'links', 'problems']);
      expect(report['isFullMesh']).to.equal(true);
      expect(report['links']).to.deep.equal([
        { observer: N1, target: N2, status: 'Connected', stateStr: 'Peer in Cluster' },
        { observer: N2, target: N1, status: 'Connected', stateStr: 'Peer in Cluster' },
      ]);
    });

    it('one node unreachable: its row says so, the others still shown, exit 3', async () => {
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2, connected: false }]);
      unreachable(
        fake,
        N2,
        new SshConnectError(`Could not connect to ${N2}:22: connect ECONNREFUSED`, N2),
      );
      const run = await runWithFake(['status', '--node', N1, '--node', N2], fake, home);
      expect(run.exitCode).to.equal(3);
      expect(run.stdout).to.match(new RegExp(`${N2.replace(/\./g, '\\.')} +failed +\\? +- +- +-`));
      expect(run.stdout).to.include(`${N1} sees ${N2} as Disconnected`);
      expect(run.stdout).to.include(`${N2} could not be asked: Could not connect`);
    });

    it('glusterd down: ssh ok, glusterd down', async () => {
      const fake = new FakeExecutor();
      const down = JSON.parse(fixture('cli-glusterd-down-xml.json')) as {
        exitCode: number;
        stdout: string;
        stderr: string;
      };
      fake
        .on(N1, glusterArgv('pool', 'list'), down)
        .on(N1, VERSION, { stdout: fixture('version.txt') });
      const run = await runWithFake(['status', '--node', N1, '--output', 'json'], fake, home);
      const report = JSON.parse(run.stdout) as {
        nodes: { sshReachable: boolean; glusterdRunning: boolean }[];
      };
      expect(report.nodes[0]).to.include({ sshReachable: true, glusterdRunning: false });
      expect(run.exitCode).to.equal(3);
    });

    it('no node reachable: exit 69', async () => {
      const fake = new FakeExecutor();
      unreachable(fake, N1, new SshConnectError('Could not connect', N1));
      const run = await runWithFake(['status', '--node', N1], fake, home);
      expect(run.exitCode).to.equal(69);
    });
  });

  describe('peers', () => {
    it('probe: runs the library probe, exit 0', async () => {
      const fake = new FakeExecutor().on(
        N1,
        glusterArgv('peer', 'probe', N2),
        xmlAnswer('probe-success.xml'),
      );
      const run = await runWithFake(['peers', 'probe', N2, '--via', N1], fake, home);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.match(new RegExp(`^Probed ${N2} from ${N1}`));
      expect(fake.mutations()).to.have.length(1);
    });

    it('probe refused by glusterd: its reason and hint, exit 1', async () => {
      const fake = new FakeExecutor().on(
        N1,
        glusterArgv('peer', 'probe', N2),
        xmlAnswer('probe-member-of-another-pool.xml'),
      );
      const run = await runWithFake(['peers', 'probe', N2, '--via', N1], fake, home);
      expect(run.exitCode).to.equal(1);
      expect(run.stderr).to.match(
        /^error: gluster peer probe on 10\.250\.9\.1 was refused \(PeerInOtherPool/,
      );
    });

    it('detach never forces unless asked, and warns when it is', async () => {
      const fake = new FakeExecutor()
        .on(N1, glusterArgv('pool', 'list'), {
          stdout: poolListXml(U1, [{ uuid: U2, hostname: N2 }]),
        })
        .on(N1, glusterArgv('volume', 'info'), xmlAnswer('volume-info-none.xml'))
        .on(N1, glusterArgv('peer', 'detach', N2), xmlAnswer('detach-success.xml'))
        .on(N1, glusterArgv('peer', 'detach', N2, 'force'), xmlAnswer('detach-success.xml'));
      const plain = await runWithFake(['peers', 'detach', N2, '--via', N1], fake, home);
      expect(plain.exitCode, plain.stderr).to.equal(0);
      expect(plain.stderr).not.to.include('WARNING');
      const forced = await runWithFake(['peers', 'detach', N2, '--via', N1, '--force'], fake, home);
      expect(forced.exitCode).to.equal(0);
      expect(forced.stderr).to.include('WARNING: --force');
      expect(fake.mutations().map((call) => call.argv.slice(4).join(' '))).to.deep.equal([
        `peer detach ${N2}`,
        `peer detach ${N2} force`,
      ]);
    });

    it('list: host key mismatch → exit 69, says to check --known-hosts', async () => {
      const fake = new FakeExecutor().on(N1, glusterArgv('pool', 'list'), {
        error: new HostKeyVerificationError(
          `Host key of ${N1} does not match known_hosts`,
          N1,
          'key-mismatch',
        ),
      });
      const run = await runWithFake(['peers', 'list', '--via', N1], fake, home);
      expect(run.exitCode).to.equal(69);
      expect(run.stderr).to.match(
        /^error: Host key of 10\.250\.9\.1 does not match known_hosts\. Check --known-hosts/,
      );
    });

    it('list: a command timeout → exit 1, says to raise --timeout', async () => {
      const fake = new FakeExecutor().on(N1, glusterArgv('pool', 'list'), {
        error: new CommandTimeoutError('gluster pool list timed out after 40000 ms', N1, 40_000),
      });
      const run = await runWithFake(['peers', 'list', '--via', N1], fake, home);
      expect(run.exitCode).to.equal(1);
      expect(run.stderr).to.include('raise --timeout');
    });

    it('validate: not a full mesh → exit 3 with each problem', async () => {
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2 }]);
      answering(fake, N2, U2, []);
      const run = await runWithFake(['peers', 'validate', '--node', N1, '--node', N2], fake, home);
      expect(run.exitCode).to.equal(3);
      expect(run.stdout).to.include(`${N2} sees ${N1} as NotInPool`);
    });

    it('wait: times out against its deadline → exit 3', async () => {
      const fake = new FakeExecutor().on(N1, glusterArgv('pool', 'list'), {
        stdout: poolListXml(U1, []),
      });
      const run = await runWithFake(
        ['peers', 'wait', N2, '--via', N1, '--timeout', '1'],
        fake,
        home,
      );
      expect(run.exitCode).to.equal(3);
      expect(run.stdout).to.match(new RegExp(`${N2.replace(/\./g, '\\.')} +NotInPool`));
    });
  });

  describe('plan -f', () => {
    it('a lone node to add: the next action is its probe from the first node, exit 2', async () => {
      const path = join(home, 'grow.yaml');
      writeFileSync(path, manifest([N1, N2, N3]));
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2 }]);
      answering(fake, N2, U2, [{ uuid: U1, hostname: N1 }]);
      answering(fake, N3, '33333333-3333-3333-3333-333333333333', []);
      const run = await runWithFake(['plan', '-f', path], fake, home);
      expect(run.exitCode, run.stderr).to.equal(2);
      expect(run.stdout).to.include(`Next change: Probing ${N3} from ${N1}`);
      expect(run.stdout).to.include('every probe in one pass');
      expect(run.stdout).to.match(new RegExp(`${N3.replace(/\./g, '\\.')} +n3 +Pending`));
      expect(fake.mutations()).to.deep.equal([]);
      const json = JSON.parse(
        (await runWithFake(['plan', '-f', path, '--output', 'json', '-q'], fake, home)).stdout,
      ) as Record<string, unknown>;
      expect(json['action']).to.deep.equal({ kind: 'probe', node: N1, target: N3 });
      expect(json['neededChanges']).to.deep.equal([{ change: 'probe', target: N3 }]);
      expect(json['cluster']).to.deep.equal({ namespace: 'default', name: 'pool' });
    });

    it('the pool as the spec says: nothing to do, exit 0', async () => {
      const path = join(home, 'same.yaml');
      writeFileSync(path, manifest([N1, N2]));
      const fake = new FakeExecutor();
      answering(fake, N1, U1, [{ uuid: U2, hostname: N2 }]);
      answering(fake, N2, U2, [{ uuid: U1, hostname: N1 }]);
      const run = await runWithFake(['plan', '-f', path], fake, home);
      expect(run.exitCode, run.stderr).to.equal(0);
      expect(run.stdout).to.include('Nothing to do');
    });

    it('a node that cannot be reached and is not a member: blocked with its reason, exit 3', async () => {
      const path = join(home, 'blocked.yaml');
      writeFileSync(path, manifest([N1, N2]));
      const fake = new FakeExecutor();
      answering(fake, N1, U1, []);
      unreachable(fake, N2, new SshConnectError('connect EHOSTUNREACH', N2));
      const run = await runWithFake(['plan', '-f', path], fake, home);
      expect(run.exitCode).to.equal(3);
      expect(run.stdout).to.match(/Blocked:\n {2}probe 10\.250\.9\.2 \(NodeUnreachable\)/);
    });

    it('an invalid manifest: exit 65, every bad field named, nothing run', async () => {
      const path = join(home, 'bad.yaml');
      writeFileSync(
        path,
        `apiVersion: glusteroperator.io/v1alpha1\nkind: GlusterCluster\nmetadata: {name: pool}\nspec:\n  nodes: [{address: ${N1}}, {address: ${N1}}]\n  ssh: {secretRef: {name: Bad_Name}}\n  removalPolicy: Sometimes\n`,
      );
      const fake = new FakeExecutor();
      const run = await runWithFake(['plan', '-f', path], fake, home);
      expect(run.exitCode).to.equal(65);
      expect(run.stderr).to.include('spec.nodes[1].address is the same node as spec.nodes[0]');
      expect(run.stderr).to.include('spec.ssh.secretRef.name must match');
      expect(run.stderr).to.include('spec.removalPolicy must be one of Detach, Retain');
      expect(fake.calls).to.deep.equal([]);
    });
  });
});

function manifest(addresses: readonly string[]): string {
  const nodes = addresses
    .map((address, index) => `    - address: "${address}"\n      name: n${index + 1}\n`)
    .join('');
  return `# a comment
apiVersion: v1
kind: Secret
metadata: {name: gluster-ssh}
---
apiVersion: glusteroperator.io/v1alpha1
kind: GlusterCluster
metadata:
  name: pool
spec:
  nodes:
${nodes}  ssh:
    secretRef:
      name: gluster-ssh
`;
}
