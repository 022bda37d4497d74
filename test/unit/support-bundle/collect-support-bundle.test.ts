import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { CommandResult, Executor, RunOptions } from '../../../src/exec/executor.js';
import { SshConnectError } from '../../../src/exec/exec-errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GLUSTERD_LOG_PATH,
  SupportBundleAbortedError,
  SupportBundleError,
  collectSupportBundle,
} from '../../../src/support-bundle/index.js';
import type { SupportBundleOptions } from '../../../src/support-bundle/index.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { findFreePorts } from '../../support/free-ports.js';
import type { FakeAnswer } from '../../support/fake-executor.js';
import { capturedRun, fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { findNeedles, keyNeedles, unpackBundle } from '../../support/bundle-archive.js';
import type { UnpackedBundle } from '../../support/bundle-archive.js';

const N1 = '10.250.9.11';
const N2 = '10.250.9.12';
const N3 = 'fd42:676f:70::13';
const AT = new Date('2025-03-04T05:06:07.890Z');
const GLUSTERD_LOG = '[2025-03-04 05:00:00.000000 +0000] I [MSGID: 106487] peer probe\n';
const TAIL_ARGV = ['tail', '-n', '500', GLUSTERD_LOG_PATH];
const GLUSTERD_DOWN = capturedRun('cli-glusterd-down-xml.json');

const NODE_FILES = [
  'gluster-version.txt',
  'glusterd.log',
  'op-version.txt',
  'peer-status.json',
  'peer-status.xml',
  'pool-list.json',
  'pool-list.xml',
  'volume-info.json',
  'volume-info.xml',
];

interface NodeScript {
  readonly version?: FakeAnswer;
  readonly gluster?: FakeAnswer;
  readonly poolList?: FakeAnswer;
  readonly volumeInfo?: FakeAnswer;
  readonly tail?: FakeAnswer | null;
}

/** Scripts every command the bundle runs on `node`; `gluster` replaces every XML answer. */
function scriptNode(executor: FakeExecutor, node: string, script: NodeScript = {}): FakeExecutor {
  executor
    .on(node, ['gluster', '--version'], script.version ?? { stdout: fixture('version.txt') })
    .on(
      node,
      glusterArgv('pool', 'list'),
      script.gluster ?? script.poolList ?? xmlAnswer('pool-list-many.xml'),
    )
    .on(node, glusterArgv('peer', 'status'), script.gluster ?? xmlAnswer('peer-status-many.xml'))
    .on(
      node,
      glusterArgv('volume', 'info'),
      script.gluster ?? script.volumeInfo ?? xmlAnswer('volume-info-one.xml'),
    )
    .on(
      node,
      glusterArgv('volume', 'get', 'all', 'cluster.op-version'),
      script.gluster ?? xmlAnswer('volume-get-op-version.xml'),
    );
  if (script.tail !== null) executor.on(node, TAIL_ARGV, script.tail ?? { stdout: GLUSTERD_LOG });
  return executor;
}

describe('collectSupportBundle', () => {
  let dir: string;
  let outputPath: string;
  let unpacked: UnpackedBundle | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bundle-unit-'));
    outputPath = path.join(dir, 'bundle.tar.gz');
  });

  afterEach(async () => {
    await unpacked?.remove();
    unpacked = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function collect(options: Omit<SupportBundleOptions, 'outputPath'>) {
    const report = await collectSupportBundle({ outputPath, now: () => AT, ...options });
    unpacked = await unpackBundle(report.path);
    return { report, bundle: unpacked };
  }

  function nodeFiles(bundle: UnpackedBundle, nodeDir: string): string[] {
    return [...bundle.files.keys()]
      .filter((file) => file.startsWith(`nodes/${nodeDir}/`))
      .map((file) => file.slice(`nodes/${nodeDir}/`.length))
      .sort();
  }

  it("lays out every node's gluster answers, raw and parsed, with a README", async () => {
    const executor = scriptNode(scriptNode(new FakeExecutor(), N1), N3);
    const steps: string[] = [];
    const { report, bundle } = await collect({
      nodes: [{ address: N1, name: 'n1' }, { address: N3 }],
      cli: new GlusterCli(executor),
      onProgress: (step) => steps.push(step),
    });

    expect(report.problems).to.deep.equal([]);
    expect(report.path).to.equal(outputPath);
    expect(bundle.root).to.equal('gluster-support-20250304T050607Z');
    expect(report.files).to.include(`${bundle.root}/README.txt`);
    expect(report.files.map((file) => file.slice(bundle.root.length + 1)).sort()).to.deep.equal(
      [...bundle.files.keys()].sort(),
    );
    expect(nodeFiles(bundle, 'n1')).to.deep.equal(NODE_FILES);
    expect(nodeFiles(bundle, 'fd42_676f_70_13')).to.deep.equal(NODE_FILES);

    expect(bundle.files.get('nodes/n1/pool-list.xml')).to.equal(fixture('pool-list-many.xml'));
    expect(bundle.files.get('nodes/n1/volume-info.xml')).to.equal(fixture('volume-info-one.xml'));
    const pool = JSON.parse(bundle.files.get('nodes/n1/pool-list.json')!) as { hostname: string }[];
    expect(pool.map((peer) => peer.hostname)).to.include('fixtures-n2');
    const volumes = JSON.parse(bundle.files.get('nodes/n1/volume-info.json')!) as unknown[];
    expect(volumes).to.have.length(1);
    expect(bundle.files.get('nodes/n1/gluster-version.txt')).to.match(/^glusterfs 10\.3\n/);
    expect(bundle.files.get('nodes/n1/op-version.txt')).to.equal('cluster.op-version: 100000\n');
    expect(bundle.files.get('nodes/n1/glusterd.log')).to.equal(GLUSTERD_LOG);

    const readme = bundle.files.get('README.txt')!;
    expect(readme).to.include('Collected at:  2025-03-04T05:06:07.890Z');
    expect(readme).to.match(/Collected by: {2}gluster-operator \d+\.\d+\.\d+ /);
    expect(readme).to.include('Kubernetes:    not collected');
    expect(readme).to.include('Problems (0)');
    // The README passes through redaction too: only its own mention of the marker is there.
    expect(readme.split('[REDACTED]')).to.have.length(2);
    expect(readme).to.include('  nodes/fd42_676f_70_13  fd42:676f:70::13');
    expect(readme).to.include('  nodes/n1/pool-list.xml');
    expect(steps).to.include('Collecting from node n1 (10.250.9.11)');
    expect(steps.at(-1)).to.equal(`Writing ${outputPath}`);
    expect((await stat(outputPath)).mode & 0o777).to.equal(0o600);
  });

  it('collects the other nodes when one cannot be reached, and runs nothing more on it', async () => {
    const executor = scriptNode(new FakeExecutor(), N1).on(N2, ['gluster', '--version'], {
      error: new SshConnectError(`connect ECONNREFUSED ${N2}:22`, N2),
    });
    const { report, bundle } = await collect({
      nodes: [
        { address: N1, name: 'n1' },
        { address: N2, name: 'n2' },
      ],
      cli: new GlusterCli(executor),
    });

    expect(nodeFiles(bundle, 'n1')).to.deep.equal(NODE_FILES);
    expect(nodeFiles(bundle, 'n2')).to.deep.equal(['error.txt']);
    expect(bundle.files.get('nodes/n2/error.txt')).to.include('ECONNREFUSED');
    expect(report.problems).to.have.length(1);
    expect(report.problems[0]).to.match(
      /^Node n2 \(10\.250\.9\.12\) could not be reached: .*ECONNREFUSED/,
    );
    expect(executor.calls.filter((call) => call.node === N2)).to.have.length(1);
    expect(bundle.files.get('README.txt')).to.include('Problems (1)');
  });

  it('records each command that fails on a node whose glusterd is down, and keeps the rest', async () => {
    const executor = scriptNode(new FakeExecutor(), N1, { gluster: GLUSTERD_DOWN });
    const { report, bundle } = await collect({
      nodes: [{ address: N1, name: 'n1' }],
      cli: new GlusterCli(executor),
    });

    expect(nodeFiles(bundle, 'n1')).to.deep.equal([
      'error.txt',
      'gluster-version.txt',
      'glusterd.log',
    ]);
    expect(report.problems).to.have.length(4);
    for (const command of ['pool list', 'peer status', 'volume info', 'cluster.op-version']) {
      const line = report.problems.find((problem) => problem.includes(command));
      expect(line, command).to.match(
        /^Node n1 \(10\.250\.9\.11\): gluster .*gluster daemon is operational/,
      );
    }
    expect(bundle.files.get('nodes/n1/error.txt')!.trim().split('\n')).to.have.length(4);
  });

  it("keeps gluster's XML of a refused command, and records the refusal", async () => {
    const refused =
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cliOutput><opRet>-1</opRet>' +
      '<opErrno>30800</opErrno><opErrstr>Another transaction is in progress</opErrstr></cliOutput>\n';
    const executor = scriptNode(new FakeExecutor(), N1, { poolList: { stdout: refused } });
    const { report, bundle } = await collect({
      nodes: [{ address: N1 }],
      cli: new GlusterCli(executor),
    });

    expect(bundle.files.get('nodes/10.250.9.11/pool-list.xml')).to.equal(refused);
    expect(bundle.files.has('nodes/10.250.9.11/pool-list.json')).to.be.false;
    expect(report.problems).to.deep.equal([
      'Node 10.250.9.11: gluster pool list: glusterd refused (opRet -1, opErrno 30800): Another transaction is in progress',
    ]);
  });

  describe('per-volume commands on the command node', () => {
    const REPLICA3 = { volumeInfo: xmlAnswer('volume-info-replica3.xml') };
    const statusDetail = (volume: string) => glusterArgv('volume', 'status', volume, 'detail');
    const healSummary = (volume: string) =>
      glusterArgv('volume', 'heal', volume, 'info', 'summary');

    it('asks the first node, by default, for each started volume: status detail and heal info', async () => {
      // Both nodes list r3; the fake throws if the second were asked about it.
      const executor = scriptNode(scriptNode(new FakeExecutor(), N1, REPLICA3), N3, REPLICA3)
        .on(N1, statusDetail('r3'), xmlAnswer('volume-status-detail.xml'))
        .on(N1, healSummary('r3'), xmlAnswer('volume-heal-summary.xml'));
      const { report, bundle } = await collect({
        nodes: [{ address: N1, name: 'n1' }, { address: N3 }],
        cli: new GlusterCli(executor),
      });

      expect(report.problems).to.deep.equal([]);
      expect(nodeFiles(bundle, 'n1')).to.deep.equal(
        [...NODE_FILES, 'volumes/r3/heal-info-summary.xml', 'volumes/r3/status-detail.xml'].sort(),
      );
      expect(nodeFiles(bundle, 'fd42_676f_70_13')).to.deep.equal(NODE_FILES);
      expect(bundle.files.get('nodes/n1/volumes/r3/status-detail.xml')).to.equal(
        fixture('volume-status-detail.xml'),
      );
      expect(bundle.files.get('nodes/n1/volumes/r3/heal-info-summary.xml')).to.equal(
        fixture('volume-heal-summary.xml'),
      );
      expect(bundle.files.get('README.txt')).to.include('volumes/<volume>/status-detail.xml');
    });

    it('asks the given command node instead of the first', async () => {
      const executor = scriptNode(scriptNode(new FakeExecutor(), N1, REPLICA3), N3, REPLICA3)
        .on(N3, statusDetail('r3'), xmlAnswer('volume-status-detail.xml'))
        .on(N3, healSummary('r3'), xmlAnswer('volume-heal-summary.xml'));
      const { report, bundle } = await collect({
        nodes: [
          { address: N1, name: 'n1' },
          { address: N3, name: 'n3' },
        ],
        commandNode: N3,
        cli: new GlusterCli(executor),
      });

      expect(report.problems).to.deep.equal([]);
      expect(nodeFiles(bundle, 'n1')).to.deep.equal(NODE_FILES);
      expect(nodeFiles(bundle, 'n3')).to.include('volumes/r3/status-detail.xml');
      expect(executor.calls.filter((call) => call.argv.includes('detail'))).to.have.length(1);
    });

    it('skips volumes that are not started and heal info of unreplicated ones; records a refusal and goes on', async () => {
      // v1 and v3 are Created; v2 is a started distribute volume: only its status detail is asked.
      const executor = scriptNode(new FakeExecutor(), N1, {
        volumeInfo: xmlAnswer('volume-info-many.xml'),
      }).on(N1, statusDetail('v2'), xmlAnswer('volume-status-detail-not-started.xml'));
      const { report, bundle } = await collect({
        nodes: [{ address: N1, name: 'n1' }],
        cli: new GlusterCli(executor),
      });

      expect(report.problems).to.deep.equal([
        'Node n1 (10.250.9.11): gluster volume status v2 detail: glusterd refused (opRet -1, opErrno 30800): Volume ar is not started',
      ]);
      expect(bundle.files.get('nodes/n1/volumes/v2/status-detail.xml')).to.equal(
        fixture('volume-status-detail-not-started.xml'),
      );
      expect(bundle.files.get('nodes/n1/error.txt')).to.include('volume status v2 detail');
      expect(nodeFiles(bundle, 'n1')).to.include.members(NODE_FILES);
      expect(executor.calls.filter((call) => call.argv.includes('heal'))).to.deep.equal([]);
    });
  });

  it('tails the glusterd log through the given executor, and records a sudo rule that refuses tail', async () => {
    const glusterOnly = scriptNode(new FakeExecutor(), N1, { tail: null });
    const logExecutor = new FakeExecutor().on(N1, TAIL_ARGV, {
      exitCode: 1,
      stderr: 'sudo: a password is required\n',
    });
    const { report, bundle } = await collect({
      nodes: [{ address: N1, name: 'n1' }],
      cli: new GlusterCli(glusterOnly),
      executor: logExecutor,
    });

    expect(logExecutor.calls).to.have.length(1);
    expect(nodeFiles(bundle, 'n1')).to.deep.equal(
      [...NODE_FILES.filter((file) => file !== 'glusterd.log'), 'error.txt'].sort(),
    );
    expect(report.problems).to.have.length(1);
    expect(report.problems[0]).to.include(`tail of ${GLUSTERD_LOG_PATH}`);
    expect(report.problems[0]).to.include('exited 1: sudo: a password is required');
  });

  it('says so when nodes are listed but no CLI was given', async () => {
    const { report, bundle } = await collect({ nodes: [{ address: N1 }, { address: N2 }] });
    expect(report.problems).to.deep.equal([
      'No Gluster CLI (SSH access) was given: nothing collected from 2 node(s)',
    ]);
    expect([...bundle.files.keys()]).to.deep.equal(['README.txt']);
  });

  it('includes the tail of local operator logs, and records one that cannot be read', async () => {
    const logPath = path.join(dir, 'operator.log');
    const lines = Array.from({ length: 30 }, (_, i) => `{"level":"info","message":"line ${i}"}`);
    await writeFile(logPath, `${lines.join('\n')}\n`);
    const missing = path.join(dir, 'gone.log');
    const { report, bundle } = await collect({
      nodes: [],
      operatorLogPaths: [logPath, missing, logPath],
      logTailLines: 5,
    });

    expect(bundle.files.get('operator/operator.log')).to.equal(`${lines.slice(-5).join('\n')}\n`);
    expect(bundle.files.get('operator/operator-2.log')).to.equal(
      bundle.files.get('operator/operator.log'),
    );
    expect(report.problems).to.have.length(1);
    expect(report.problems[0]).to.match(/^Operator log .*gone\.log: .*ENOENT/);
  });

  it('collects nodes in parallel, at most four at a time', async () => {
    const nodes = Array.from({ length: 10 }, (_, i) => ({ address: `10.250.9.${20 + i}` }));
    const fake = new FakeExecutor();
    for (const node of nodes) scriptNode(fake, node.address);
    const tracking = new ConcurrencyTrackingExecutor(fake);
    const { report } = await collect({ nodes, cli: new GlusterCli(tracking) });

    expect(report.problems).to.deep.equal([]);
    expect(tracking.maxNodesAtOnce).to.equal(4);
  });

  it('records what the API server did not answer, and still writes the bundle', async () => {
    // A free loopback port: nothing listens, so every request is refused at once.
    const [port] = await findFreePorts(1);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'kube-token-value-123' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const { report, bundle } = await collect({
      nodes: [],
      kube: { kubeConfig, namespace: 'storage', name: 'pool-a' },
    });

    expect(bundle.root).to.equal('gluster-support-pool-a-20250304T050607Z');
    expect([...bundle.files.keys()]).to.deep.equal(['README.txt']);
    expect(report.problems).to.have.length(4);
    expect(report.problems[0]).to.match(
      /^KubeApiError: Failed to get GlusterCluster storage\/pool-a: no answer from the API server: .*ECONNREFUSED/,
    );
    expect(report.problems[1]).to.include('list GlusterVolumes in storage');
    expect(report.problems[2]).to.include('list the Events of GlusterCluster storage/pool-a');
    expect(report.problems[3]).to.include(
      'list operator pods (app.kubernetes.io/name=gluster-operator) in gluster-operator',
    );
    expect(bundle.files.get('README.txt')).to.include(
      'Kubernetes:    GlusterCluster storage/pool-a',
    );
  });

  it('redacts every file: keys, API keys and the given secret values', async () => {
    const privateKey = opensshStyleKey();
    const apiKey = 'ak-5f0c9e7d1b2a4c3e';
    const password = 'correct horse battery';
    const hostile = [
      'Loaded key:',
      privateKey,
      `GET /api/peers X-Api-Key: ${apiKey}`,
      JSON.stringify({ level: 'debug', message: 'ssh config', privateKey, note: password }),
      '',
    ].join('\n');
    const logPath = path.join(dir, 'operator.log');
    await writeFile(logPath, hostile);
    const executor = scriptNode(new FakeExecutor(), N1, {
      tail: { stdout: hostile },
      // A refusal whose text quotes the secrets ends up in problems, error.txt and README.txt.
      poolList: {
        stdout: `<cliOutput><opRet>-1</opRet><opErrno>1</opErrno><opErrstr>bad ${apiKey} ${password}</opErrstr></cliOutput>`,
      },
    });
    const { report, bundle } = await collect({
      nodes: [{ address: N1, name: 'n1' }],
      cli: new GlusterCli(executor),
      operatorLogPaths: [logPath],
      secretValues: [privateKey, apiKey, password],
    });

    const needles = [...keyNeedles(privateKey), apiKey, password];
    expect(findNeedles(bundle.files, needles)).to.deep.equal([]);
    expect(findNeedles(new Map([['problems', report.problems.join('\n')]]), needles)).to.deep.equal(
      [],
    );
    // The whole key is a given secret value, so it goes as one before the key rule sees it.
    expect(bundle.files.get('operator/operator.log')).to.include('Loaded key:\n[REDACTED]\n');
    expect(bundle.files.get('nodes/n1/glusterd.log')).to.include('X-Api-Key: [REDACTED]');
    expect(bundle.files.get('README.txt')).to.include('bad [REDACTED] [REDACTED]');
  });

  it('writes nothing and removes its staging directory when aborted', async () => {
    const before = await stagingDirs();
    const controller = new AbortController();
    const executor = scriptNode(new FakeExecutor(), N1);
    const rejection = await collectSupportBundle({
      outputPath,
      nodes: [{ address: N1 }],
      cli: new GlusterCli(executor),
      signal: controller.signal,
      onProgress: (step) => {
        if (step.startsWith('Collecting from node')) controller.abort(new Error('Ctrl-C'));
      },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(rejection).to.be.instanceOf(SupportBundleAbortedError);
    expect((rejection as Error).cause).to.have.property('message', 'Ctrl-C');
    expect(existsSync(outputPath)).to.be.false;
    expect(await readdir(dir)).to.deep.equal([]);
    expect(await stagingDirs()).to.deep.equal(before);
  });

  it('fails with SupportBundleError when the archive cannot be written, leaving nothing behind', async () => {
    const before = await stagingDirs();
    const rejection = await collectSupportBundle({
      outputPath: path.join(dir, 'no-such-dir', 'bundle.tar.gz'),
      nodes: [],
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(rejection).to.be.instanceOf(SupportBundleError);
    expect((rejection as Error).cause).to.have.property('code', 'ENOENT');
    expect(await stagingDirs()).to.deep.equal(before);
  });
});

async function stagingDirs(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith('gluster-support-')).sort();
}

function opensshStyleKey(): string {
  const body = Buffer.from(`openssh-key-v1 ${'k'.repeat(40)} ${Date.now()}`.repeat(6)).toString(
    'base64',
  );
  const lines = body.match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** Delays every command a little and records how many distinct nodes had one running at once. */
class ConcurrencyTrackingExecutor implements Executor {
  maxNodesAtOnce = 0;
  private readonly running = new Map<string, number>();

  constructor(private readonly inner: Executor) {}

  async run(node: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.running.set(node, (this.running.get(node) ?? 0) + 1);
    this.maxNodesAtOnce = Math.max(this.maxNodesAtOnce, this.running.size);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return await this.inner.run(node, argv, options);
    } finally {
      const left = (this.running.get(node) ?? 1) - 1;
      if (left === 0) this.running.delete(node);
      else this.running.set(node, left);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
