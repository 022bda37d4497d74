import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, loadYaml, type KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { API_GROUP, API_VERSION, KIND, PLURAL } from '../../src/api/gluster-cluster.js';
import { VOLUME_PLURAL } from '../../src/api/gluster-volume.js';
import { parseCliOutput } from '../../src/gluster/cli-output.js';
import { createCluster } from '../../src/gluster/create-cluster.js';
import { GlusterCli } from '../../src/gluster/gluster-cli.js';
import { parsePeers } from '../../src/gluster/peer.js';
import { GLUSTERD_LOG_PATH, collectSupportBundle } from '../../src/support-bundle/index.js';
import type { SupportBundleReport } from '../../src/support-bundle/index.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { useGlusterTestPool } from '../support/test-pool.js';
import { findNeedles, keyNeedles, unpackBundle } from '../support/bundle-archive.js';
import type { UnpackedBundle } from '../support/bundle-archive.js';

const CLUSTER = 'pool-bundle';
const VOLUME = 'bundlevol';
const API_KEY = 'hak-7c2f9e41d03b5a68e1f4';
const OPERATOR_LABELS = { 'app.kubernetes.io/name': 'gluster-operator' };

describe('support bundle from real glusterd nodes and a real API server', function () {
  this.timeout(120_000);
  const pool = useGlusterTestPool('bundlevx', 3);
  let kc: KubeConfig;
  let namespace: string;
  let operatorNamespace: string;
  let workDir: string;
  let privateKey: string;
  let operatorLogPath: string;
  let cli: GlusterCli;
  let report: SupportBundleReport;
  let bundle: UnpackedBundle;
  const steps: string[] = [];

  const nodes = () => pool().pool.nodes.map((node) => ({ address: node.ipv4, name: node.name }));

  before(async function () {
    this.timeout(Math.max(CONTROL_PLANE_HOOK_TIMEOUT_MS, 120_000));
    const cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    namespace = await createTestNamespace(kc, 'bundle');
    operatorNamespace = await createTestNamespace(kc, 'bundle-op');
    workDir = await mkdtemp(path.join(os.tmpdir(), 'bundle-e2e-'));
    privateKey = await readFile(pool().pool.ed25519KeyPath, 'utf8');

    cli = new GlusterCli(pool().executor(), { timeoutSeconds: 10 });
    await createCluster(
      cli,
      nodes().map((node) => node.address),
    );

    // A real started replica 3 volume on each node's own /bricks, and its GlusterVolume.
    const bricks = nodes().map((node) => ({ node: node.address, path: `/bricks/${VOLUME}` }));
    for (const argv of [
      ['volume', 'create', VOLUME, 'replica', '3', ...bricks.map((b) => `${b.node}:${b.path}`)],
      ['volume', 'start', VOLUME],
    ]) {
      const made = await pool().pool.execOnNode(
        pool().node(0),
        ['gluster', '--mode=script', ...argv],
        { timeoutMs: 60_000 },
      );
      expect(made.exitCode, `${argv.join(' ')}: ${made.stdout}${made.stderr}`).to.equal(0);
    }

    // The hostile setup: the SSH private key and an API key wherever a bundle might pick them up.
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: API_GROUP, version: API_VERSION, plural: PLURAL, namespace };
    const created = (await custom.createNamespacedCustomObject({
      ...ref,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: KIND,
        metadata: {
          name: CLUSTER,
          annotations: {
            'example.com/pasted-key': privateKey,
            'example.com/inventory-header': `X-Api-Key: ${API_KEY}`,
            'example.com/note': `the key is ${API_KEY}, do not share`,
          },
        },
        spec: {
          nodes: nodes().map((node) => ({ address: node.address, name: node.name })),
          ssh: { secretRef: { name: 'gluster-ssh' } },
        },
      },
    })) as { metadata: { uid: string; resourceVersion: string } };
    await custom.replaceNamespacedCustomObjectStatus({
      ...ref,
      name: CLUSTER,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: KIND,
        metadata: { name: CLUSTER, resourceVersion: created.metadata.resourceVersion },
        status: {
          observedGeneration: 1,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'GlusterdDown',
              message: 'glusterd does not answer on n3',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      },
    });
    await custom.createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      plural: VOLUME_PLURAL,
      namespace,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterVolume',
        metadata: { name: VOLUME },
        spec: { clusterRef: { name: CLUSTER }, layout: { type: 'Replicate', replica: 3 }, bricks },
      },
    });
    const core = kc.makeApiClient(CoreV1Api);
    const now = new Date();
    await core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `${CLUSTER}.bundle1` },
        involvedObject: {
          apiVersion: `${API_GROUP}/${API_VERSION}`,
          kind: KIND,
          name: CLUSTER,
          namespace,
          uid: created.metadata.uid,
        },
        type: 'Warning',
        reason: 'ProbeFailed',
        message: `Failed to probe n3 with key ${privateKey} and header X-Api-Key: ${API_KEY}`,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        source: { component: 'gluster-operator' },
      },
    });
    // An operator pod the API server knows but no kubelet runs: reading its log must fail.
    await core.createNamespacedPod({
      namespace: operatorNamespace,
      body: {
        metadata: { name: 'gluster-operator-abc12', labels: OPERATOR_LABELS },
        spec: { containers: [{ name: 'operator', image: 'gluster-operator:test' }] },
      },
    });
    operatorLogPath = path.join(workDir, 'gluster-operator.log');
    await writeFile(
      operatorLogPath,
      [
        JSON.stringify({ level: 'info', message: 'Probed peer', host: nodes()[1]?.address }),
        `Loaded SSH key:\n${privateKey}`,
        `GET /v1/peers X-Api-Key: ${API_KEY}`,
        JSON.stringify({ level: 'debug', message: 'inventory', apiKey: API_KEY, privateKey }),
        '',
      ].join('\n'),
    );

    // The pool fault: the third node's glusterd is down when the bundle is made.
    await pool().pool.stopGlusterd(pool().node(2));

    const started = performance.now();
    report = await collectSupportBundle({
      outputPath: path.join(workDir, 'bundle.tar.gz'),
      nodes: nodes(),
      cli,
      kube: {
        kubeConfig: kc,
        namespace,
        name: CLUSTER,
        operatorNamespace,
        operatorLabelSelector: 'app.kubernetes.io/name=gluster-operator',
      },
      operatorLogPaths: [operatorLogPath],
      logTailLines: 200,
      secretValues: [privateKey, API_KEY],
      onProgress: (step) => steps.push(step),
    });
    process.stderr.write(
      `Support bundle of 3 nodes made in ${Math.round(performance.now() - started)} ms\n`,
    );
    bundle = await unpackBundle(report.path);
  });

  after(async function () {
    await bundle.remove();
    await rm(workDir, { recursive: true, force: true });
    // glusterd of n3 stays down: the pool is removed by useGlusterTestPool's own after hook.
  });

  it("holds each reachable node's pool list, which parses and lists every peer", () => {
    for (const name of ['n1', 'n2']) {
      const xml = bundle.files.get(`nodes/${name}/pool-list.xml`);
      expect(xml, name).to.be.a('string');
      const members = parsePeers(parseCliOutput(xml!));
      expect(members, name).to.have.length(3);
      const hostnames = members.flatMap((member) => member.hostnames);
      // A node probed by address is listed by it; the first prober by its reverse-resolved name.
      for (const other of pool().pool.nodes.filter((node) => node.name !== name)) {
        expect(
          hostnames.some((hostname) => hostname === other.ipv4 || hostname === other.hostname),
          `${name} lists ${other.name} in ${hostnames.join(', ')}`,
        ).to.be.true;
      }
      expect(hostnames).to.include('localhost');
      const parsed = JSON.parse(bundle.files.get(`nodes/${name}/pool-list.json`)!) as unknown[];
      expect(parsed).to.have.length(3);
    }
  });

  it('holds peer status, volume info, versions and the glusterd log of reachable nodes', () => {
    const n1 = (file: string) => bundle.files.get(`nodes/n1/${file}`) ?? '';
    expect(parsePeers(parseCliOutput(n1('peer-status.xml')))).to.have.length(2);
    expect(parseCliOutput(n1('volume-info.xml')).opRet).to.equal(0);
    expect(n1('gluster-version.txt')).to.match(/^glusterfs \d+\.\d+/);
    expect(n1('op-version.txt')).to.match(/^cluster\.op-version: \d+\n$/);
    expect(n1('glusterd.log')).to.match(/\[MSGID: \d+\]/);
    expect(n1('glusterd.log').trimEnd().split('\n').length).to.be.at.most(200);
    expect(bundle.files.has('nodes/n1/error.txt')).to.be.false;
  });

  it('records the node whose glusterd is down, and still has what that node could give', () => {
    const n3 = (file: string) => bundle.files.get(`nodes/n3/${file}`);
    expect(n3('error.txt')).to.include('gluster daemon is operational');
    expect(n3('pool-list.xml')).to.be.undefined;
    expect(n3('gluster-version.txt')).to.match(/^glusterfs /);
    expect(n3('glusterd.log')).to.be.a('string').and.not.equal('');
    const n3Problems = report.problems.filter((line) => line.startsWith('Node n3 ('));
    expect(n3Problems.map((line) => line.replace(/: .*/s, ''))).to.have.length(4);
    expect(n3Problems.join('\n')).to.include('gluster pool list');
    expect(report.problems.filter((line) => /^Node n[12] /.test(line))).to.deep.equal([]);
    expect(bundle.files.get('README.txt')).to.include('gluster daemon is operational');
  });

  it('holds the GlusterCluster without managedFields, its status and its Event', () => {
    const cluster = loadYaml<{
      metadata: { name: string; managedFields?: unknown };
      spec: { nodes: { address: string }[]; ssh: { secretRef: { name: string } } };
    }>(bundle.files.get('kubernetes/glustercluster.yaml')!);
    expect(cluster.metadata.name).to.equal(CLUSTER);
    expect(cluster.metadata).to.not.have.property('managedFields');
    expect(cluster.spec.nodes.map((node) => node.address)).to.deep.equal(
      nodes().map((node) => node.address),
    );
    expect(cluster.spec.ssh.secretRef.name).to.equal('gluster-ssh');

    const status = JSON.parse(bundle.files.get('kubernetes/status.json')!) as {
      conditions: { reason: string }[];
    };
    expect(status.conditions[0]?.reason).to.equal('GlusterdDown');

    const events = bundle.files.get('kubernetes/events.txt')!;
    expect(events).to.match(
      new RegExp(
        `^\\S+Z Warning ProbeFailed ${KIND}/${CLUSTER} \\(from gluster-operator\\): Failed to probe n3`,
      ),
    );
  });

  it("holds the GlusterVolumes, and each volume's status detail and heal info from the command node", () => {
    const volume = loadYaml<{
      kind: string;
      metadata: { name: string; managedFields?: unknown };
      spec: { clusterRef: { name: string }; bricks: { node: string; path: string }[] };
    }>(bundle.files.get('kubernetes/glustervolume.yaml')!);
    expect(volume.kind).to.equal('GlusterVolume');
    expect(volume.metadata.name).to.equal(VOLUME);
    expect(volume.metadata).to.not.have.property('managedFields');
    expect(volume.spec.clusterRef.name).to.equal(CLUSTER);
    expect(volume.spec.bricks).to.have.length(3);

    // n1, the first node, is the command node; n2 is not asked per volume.
    const detail = bundle.files.get(`nodes/n1/volumes/${VOLUME}/status-detail.xml`)!;
    expect(parseCliOutput(detail).opRet).to.equal(0);
    expect(detail).to.include(`<volName>${VOLUME}</volName>`);
    expect(detail).to.include(`/bricks/${VOLUME}`);
    const heal = bundle.files.get(`nodes/n1/volumes/${VOLUME}/heal-info-summary.xml`)!;
    expect(parseCliOutput(heal).opRet).to.equal(0);
    expect(heal).to.include('<healInfo>');
    expect([...bundle.files.keys()].filter((file) => file.startsWith('nodes/n2/volumes/'))).to.be
      .empty;
  });

  it('records that the operator pod log could not be read, and includes the local log', () => {
    const line = report.problems.find((problem) =>
      problem.includes(`pod ${operatorNamespace}/gluster-operator-abc12`),
    );
    expect(line).to.match(/^\w+Error: Failed to read the log of pod /);
    expect(bundle.files.has('kubernetes/operator-gluster-operator-abc12.log')).to.be.false;
    expect(bundle.files.get('operator/gluster-operator.log')).to.include('Probed peer');
  });

  it('holds no private key and no API key in any file', () => {
    const needles = [...keyNeedles(privateKey), API_KEY];
    expect(needles.length).to.be.greaterThan(3);
    expect(findNeedles(bundle.files, needles)).to.deep.equal([]);
    // The places the secrets were planted are in the bundle, redacted, not left out.
    expect(bundle.files.get('kubernetes/glustercluster.yaml')).to.include('example.com/pasted-key');
    expect(bundle.files.get('kubernetes/events.txt')).to.include('X-Api-Key: [REDACTED]');
    expect(bundle.files.get('operator/gluster-operator.log')).to.include('GET /v1/peers');
  });

  it('reported its progress and every file it wrote', () => {
    expect(steps).to.include('Collecting from node n3 (' + (nodes()[2]?.address ?? '') + ')');
    expect(report.files.map((file) => file.split('/').slice(1).join('/')).sort()).to.deep.equal(
      [...bundle.files.keys()].sort(),
    );
  });

  it('records a sudo rule that allows gluster only, and still collects gluster', async function () {
    const sudoCli = new GlusterCli(pool().executor({ user: pool().pool.sudoUser, sudo: true }), {
      timeoutSeconds: 10,
    });
    const sudoReport = await collectSupportBundle({
      outputPath: path.join(workDir, 'sudo.tar.gz'),
      nodes: [nodes()[0]!],
      cli: sudoCli,
    });
    const sudoBundle = await unpackBundle(sudoReport.path);
    try {
      expect(sudoReport.problems).to.have.length(1);
      expect(sudoReport.problems[0]).to.include(`tail of ${GLUSTERD_LOG_PATH}`);
      expect(sudoReport.problems[0]).to.match(/sudo/);
      expect(sudoBundle.files.get('nodes/n1/pool-list.xml')).to.include('<peerStatus>');
      expect(sudoBundle.files.has('nodes/n1/glusterd.log')).to.be.false;
    } finally {
      await sudoBundle.remove();
    }
  });
});
