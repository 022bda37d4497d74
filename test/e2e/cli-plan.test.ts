import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { API_GROUP, API_VERSION } from '../../src/api/gluster-cluster.js';
import type { GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { VOLUME_PLURAL } from '../../src/api/gluster-volume.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';
import { runCliProcess } from '../integration/cli/cli-process.js';

interface PlanJson {
  readonly cluster: { namespace: string; name: string };
  readonly action: { kind: string; node?: string; target?: string } | null;
  readonly neededChanges: { change: string; target: string }[];
  readonly blocked: unknown[];
  readonly nodes: { address: string; state: string }[];
}

/**
 * `plan` predicts what the operator then does: the same manifest, planned by the CLI and then
 * applied with the operator running, gives the same next change and the same probes.
 */
describe('gluster-operator plan against the operator (real API server, real glusterd)', function () {
  this.timeout(240_000);
  const pool = useGlusterTestPool('cliplanvx', 3);
  let harness: OperatorHarness;
  let kubeconfigPath: string;
  const n = (index: number) => pool().node(index);
  const specOf = (indexes: number[]): GlusterClusterSpec => ({
    nodes: indexes.map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
  });
  const ssh = (): string[] => [
    '--ssh-key',
    pool().pool.ed25519KeyPath,
    '--known-hosts',
    pool().pool.knownHostsPath,
  ];

  before(async function () {
    this.timeout(300_000);
    kubeconfigPath = (await getControlPlane()).kubeconfigPath;
    harness = await createPoolHarness('cliplan', pool());
  });
  after(async () => {
    await harness.stop();
  });

  it('plan -f predicts the probes the operator then makes', async () => {
    const manifest = join(mkdtempSync(join(tmpdir(), 'cliplan-')), 'cluster.yaml');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'glusteroperator.io/v1alpha1',
        kind: 'GlusterCluster',
        metadata: { name: 'pool' },
        spec: specOf([0, 1, 2]),
      }),
    );
    const run = await runCliProcess([
      'plan',
      '-f',
      manifest,
      '-n',
      harness.namespace,
      '--output',
      'json',
      ...ssh(),
    ]);
    expect(run.exitCode, run.stderr).to.equal(2);
    const plan = JSON.parse(run.stdout) as PlanJson;
    expect(plan.cluster).to.deep.equal({ namespace: harness.namespace, name: 'pool' });
    // The first node is the pool the others join (a pool of one).
    expect(plan.nodes.map((node) => node.state)).to.deep.equal(['Connected', 'Pending', 'Pending']);
    expect(plan.action).to.deep.equal({ kind: 'probe', node: n(0).ipv4, target: n(1).ipv4 });
    expect(plan.neededChanges).to.deep.equal([
      { change: 'probe', target: n(1).ipv4 },
      { change: 'probe', target: n(2).ipv4 },
    ]);

    await harness.apply('pool', specOf([0, 1, 2]));
    harness.start();
    await harness.waitFor('pool', 'be Ready with 3 members', (c) => isReadyAt(c, 3));
    const probes = (await harness.events('pool')).filter((event) => event.startsWith('Probed: '));
    // The operator's changes are the plan's: both probes, made side by side in one pass.
    expect(probes).to.have.length(2);
    expect(new Set(probes)).to.deep.equal(
      new Set(
        plan.neededChanges.map((change) => `Probed: Probed ${change.target} from ${n(0).ipv4}`),
      ),
    );
  });

  it('plan --cluster reads the resource and its SSH Secret from the API server: nothing to do', async () => {
    // No --ssh-key and an empty HOME: the key can only come from the Secret.
    const run = await runCliProcess([
      'plan',
      '--cluster',
      'pool',
      '-n',
      harness.namespace,
      '--kubeconfig',
      kubeconfigPath,
    ]);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include(
      `GlusterCluster ${harness.namespace}/pool: 3 node(s); commands run from ${n(0).ipv4}`,
    );
    expect(run.stdout).to.include('Nothing to do');
    expect(run.stdout.match(/ Connected /g)).to.have.length(3);
  });

  it('plan --cluster predicts the detach of a node removed from spec, which the operator then makes', async () => {
    await harness.stop();
    await harness.apply('pool', specOf([0, 1]));
    const run = await runCliProcess([
      'plan',
      '--cluster',
      'pool',
      '-n',
      harness.namespace,
      '--kubeconfig',
      kubeconfigPath,
      '--output',
      'json',
    ]);
    expect(run.exitCode, run.stderr).to.equal(2);
    const plan = JSON.parse(run.stdout) as PlanJson;
    expect(plan.action).to.include({ kind: 'detach', node: n(0).ipv4 });
    const detached = plan.action?.target ?? '';
    expect(plan.neededChanges).to.deep.equal([{ change: 'detach', target: detached }]);
    harness.start();
    await harness.waitFor('pool', 'be Ready with 2 members', (c) => isReadyAt(c, 2));
    const detaches = (await harness.events('pool')).filter((event) =>
      event.startsWith('Detached: '),
    );
    expect(detaches).to.deep.equal([
      `Detached: Detached ${detached} on ${n(0).ipv4} (not in spec)`,
    ]);
  });

  it('plan --cluster for a resource that does not exist: exit 1, says what to check', async () => {
    const run = await runCliProcess([
      'plan',
      '--cluster',
      'nope',
      '-n',
      harness.namespace,
      '--kubeconfig',
      kubeconfigPath,
    ]);
    expect(run.exitCode).to.equal(1);
    expect(run.stderr).to.match(/^error: .*404.*Check --cluster and -n\/--namespace/);
  });

  it('plan --volume and status --volumes on a real volume the operator then adopts', async () => {
    // The pool is n1 and n2 now. A distribute volume made by hand on each node's own /bricks.
    await harness.stop();
    const volume = 'clivol';
    const bricks = [n(0), n(1)].map((node) => ({ node: node.ipv4, path: `/bricks/${volume}` }));
    for (const argv of [
      ['volume', 'create', volume, ...bricks.map((brick) => `${brick.node}:${brick.path}`)],
      ['volume', 'start', volume],
    ]) {
      const made = await pool().pool.execOnNode(n(0), ['gluster', '--mode=script', ...argv], {
        timeoutMs: 60_000,
      });
      expect(made.exitCode, `${argv.join(' ')}: ${made.stdout}${made.stderr}`).to.equal(0);
    }
    const resource = { group: API_GROUP, version: API_VERSION, plural: VOLUME_PLURAL };
    await harness.objects.createNamespacedCustomObject({
      ...resource,
      namespace: harness.namespace,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterVolume',
        metadata: { name: volume },
        spec: { clusterRef: { name: 'pool' }, layout: { type: 'Distribute' }, bricks },
      },
    });
    const kube = ['-n', harness.namespace, '--kubeconfig', kubeconfigPath];

    // Read-only: the exact match is adopted with nothing to do, and nothing was changed.
    const plan = await runCliProcess(['plan', '--volume', volume, ...kube, '--output', 'json']);
    expect(plan.exitCode, plan.stderr).to.equal(0);
    const report = JSON.parse(plan.stdout) as {
      volumeName: string;
      commandNode: string;
      observedState: string;
      ownership: string;
      batch: unknown[];
      blocked: unknown[];
    };
    expect(report).to.deep.include({
      volumeName: volume,
      commandNode: n(0).ipv4,
      observedState: 'Started',
      ownership: 'Adopted',
      batch: [],
      blocked: [],
    });

    // Another resource naming the same volume with another layout: not adopted, exit 3.
    await harness.objects.createNamespacedCustomObject({
      ...resource,
      namespace: harness.namespace,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterVolume',
        metadata: { name: 'clivol-other' },
        spec: {
          clusterRef: { name: 'pool' },
          volumeName: volume,
          layout: { type: 'Replicate', replica: 2 },
          bricks,
        },
      },
    });
    const blocked = await runCliProcess(['plan', '--volume', 'clivol-other', ...kube]);
    expect(blocked.exitCode, blocked.stderr).to.equal(3);
    expect(blocked.stdout).to.include(`Observed: Started; ownership NotAdopted`);
    expect(blocked.stdout).to.match(/Blocked:\n {2}adopt clivol \(NotAdopted\): \S/);
    await harness.objects.deleteNamespacedCustomObject({
      ...resource,
      namespace: harness.namespace,
      name: 'clivol-other',
    });

    harness.start();
    const deadline = Date.now() + 90_000;
    let status;
    for (;;) {
      status = await runCliProcess(['status', '--volume', volume, ...kube]);
      if (status.exitCode === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status.exitCode, status.stdout + status.stderr).to.equal(0);
    const all = await runCliProcess(['status', '--volumes', ...kube]);
    expect(all.exitCode, all.stderr).to.equal(0);
    expect(all.stdout).to.match(
      new RegExp(`^${volume} +${volume} +pool +Distribute +Started +2/2 +(0|-) +True$`, 'm'),
    );
    expect(all.stdout).to.match(/Ready=True \(\w+\): \S/);
  });
});
