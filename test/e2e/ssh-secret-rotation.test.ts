import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { GlusterCluster, GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { createOperatorMetrics } from '../../src/observability/metrics.js';
import type { TestNode } from '../../testbed/gluster-test-pool.js';
import { nodeFiles } from '../../testbed/pool-files.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { runCommand } from '../support/run-command.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * The SSH Secret a GlusterCluster names is watched: a changed known_hosts or private key takes
 * effect within seconds, on the real API server and a real 3-node pool. The resource's resync
 * is 10 minutes and nothing else about it changes, so only the Secret watch can explain a pass
 * within seconds of a Secret update.
 */
describe('the SSH Secret is watched: a rotated key or known_hosts takes effect within seconds', function () {
  this.timeout(240_000);
  /** How soon after a Secret update its effect must show (the resync is 10 minutes). */
  const WITHIN_MS = 15_000;
  const pool = useGlusterTestPool('rotate', 3);
  const metrics = createOperatorMetrics({ processMetrics: false });
  const n = (index: number): TestNode => pool().node(index);
  const NODES = [0, 1, 2];
  let harness: OperatorHarness;
  let ed25519Key = '';
  let rsaKey = '';
  let knownHosts = '';
  let keyDir = '';
  const spec = (secretName = 'gluster-ssh'): GlusterClusterSpec => ({
    nodes: NODES.map((index) => ({ address: n(index).ipv4, name: n(index).name })),
    ssh: { secretRef: { name: secretName } },
    resyncInterval: '10m',
  });
  const clusterKey = () => `${harness.namespace}/pool`;

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('rotate', pool());
    ed25519Key = await readFile(pool().pool.ed25519KeyPath, 'utf8');
    rsaKey = await readFile(pool().pool.rsaKeyPath, 'utf8');
    knownHosts = await readFile(pool().pool.knownHostsPath, 'utf8');
    keyDir = await mkdtemp(join(tmpdir(), 'rotate-host-key-'));
    harness.start({ metrics });
  });
  after(async () => {
    await harness.stop();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  /** Replaces the Secret's content, as `kubectl apply` of a new version would. */
  const writeSecret = async (
    content: { privateKey: string; knownHosts: string },
    name = 'gluster-ssh',
  ): Promise<void> => {
    await harness.core.replaceNamespacedSecret({
      namespace: harness.namespace,
      name,
      body: {
        metadata: { name },
        type: 'Opaque',
        stringData: { 'ssh-privatekey': content.privateKey, known_hosts: content.knownHosts },
      },
    });
  };

  /** Polls the resource every 100 ms until `done`, for at most WITHIN_MS; returns how long. */
  const waitSoon = async (
    what: string,
    startedAt: number,
    done: (cluster: GlusterCluster) => boolean,
  ): Promise<{ cluster: GlusterCluster; afterMs: number }> => {
    for (;;) {
      const cluster = await harness.get('pool');
      const afterMs = performance.now() - startedAt;
      if (done(cluster)) return { cluster, afterMs };
      if (afterMs > WITHIN_MS) {
        throw new Error(
          `${what}: not within ${String(WITHIN_MS)} ms of the Secret update; status: ${JSON.stringify(cluster.status, null, 2)}`,
        );
      }
      await sleep(100);
    }
  };

  const clusterCounter = async (metric: string): Promise<number> => {
    const values = (await metrics.registry.getSingleMetric(metric)?.get())?.values ?? [];
    return (
      values.find(
        (value) =>
          `${String(value.labels['namespace'])}/${String(value.labels['name'])}` === clusterKey(),
      )?.value ?? 0
    );
  };
  const passes = () => clusterCounter('gluster_operator_cluster_reconciles_total');
  const handshakes = () => clusterCounter('gluster_operator_cluster_ssh_handshakes_total');

  const warnings = async (reason: string): Promise<string[]> => {
    const list = await harness.core.listNamespacedEvent({
      namespace: harness.namespace,
      fieldSelector: 'involvedObject.name=pool',
    });
    return list.items
      .filter((event) => event.type === 'Warning' && event.reason === reason)
      .map((event) => event.message ?? '');
  };

  /** How many times each node's sshd let a client in with an RSA key. */
  const rsaLogins = async (): Promise<number[]> =>
    Promise.all(
      NODES.map(async (index) => {
        const log = await readFile(nodeFiles(pool().pool.name, n(index).name).sshdLog, 'utf8');
        return log.split('\n').filter((line) => /Accepted publickey for .* RSA /.test(line)).length;
      }),
    );

  let formed: Record<string, string[]> = {};

  it('forms the pool and goes quiet: nothing but the 10m resync would start a pass', async () => {
    await harness.apply('pool', spec());
    await harness.waitFor(
      'pool',
      'be Ready with 3 members, versions read',
      (c) => isReadyAt(c, 3) && c.status?.opVersion !== undefined,
    );
    formed = await poolSnapshot(pool().pool, NODES.map(n));
    expect(Object.values(formed).map((names) => names.length)).to.deep.equal([3, 3, 3]);
    // The control for what follows: with nothing changing, no pass runs.
    await sleep(1_000);
    const quiet = await passes();
    await sleep(3_000);
    expect(await passes(), 'passes while nothing changed').to.equal(quiet);
  });

  it('a changed known_hosts entry for n2 makes n2 HostKeyMismatch within seconds, and detaches nothing', async () => {
    const hostKeyPath = join(keyDir, 'impostor');
    const keygen = await runCommand('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'impostor',
      '-f',
      hostKeyPath,
    ]);
    expect(keygen.exitCode, keygen.stderr).to.equal(0);
    const [type, otherKey] = (await readFile(`${hostKeyPath}.pub`, 'utf8')).trim().split(' ');
    expect(type).to.equal('ssh-ed25519');
    const n2 = n(1);
    const lines = knownHosts.split('\n').filter((line) => line.trim() !== '');
    const wrong = lines.map((line) =>
      line.split(' ')[0]?.split(',').includes(n2.ipv4)
        ? `${n2.hostname},${n2.ipv4},${n2.ipv6} ssh-ed25519 ${otherKey ?? ''}`
        : line,
    );
    expect(wrong, "n2's line replaced").not.to.deep.equal(lines);

    const startedAt = performance.now();
    await writeSecret({ privateKey: ed25519Key, knownHosts: `${wrong.join('\n')}\n` });
    const { cluster, afterMs } = await waitSoon(
      'n2 HostKeyMismatch',
      startedAt,
      (c) => c.status?.nodes?.[1]?.state === 'HostKeyMismatch',
    );
    process.stderr.write(
      `      n2 HostKeyMismatch ${String(Math.round(afterMs))} ms after the update\n`,
    );
    expect(afterMs).to.be.below(WITHIN_MS);
    expect(cluster.status?.nodes?.map((node) => node.state)).to.deep.equal([
      'Connected',
      'HostKeyMismatch',
      'Connected',
    ]);
    expect(condition(cluster, 'Stalled')).to.equal('True HostKeyMismatch');
    expect(condition(cluster, 'Degraded')).to.equal('True HostKeyMismatch');
    expect(cluster.status?.nodes?.[1]?.message).to.match(/known_hosts/);
    const events = await warnings('HostKeyMismatch');
    expect(events, 'Warning Events HostKeyMismatch').to.have.length.at.least(1);
    expect(events[0]).to.contain(n2.ipv4);
    // Still a member, as glusterd itself says on every node.
    expect(await poolSnapshot(pool().pool, NODES.map(n))).to.deep.equal(formed);
  });

  it('the right known_hosts restored: Ready again within seconds', async () => {
    const startedAt = performance.now();
    await writeSecret({ privateKey: ed25519Key, knownHosts });
    const { cluster, afterMs } = await waitSoon('Ready again', startedAt, (c) => isReadyAt(c, 3));
    process.stderr.write(`      Ready ${String(Math.round(afterMs))} ms after the update\n`);
    expect(afterMs).to.be.below(WITHIN_MS);
    expect(condition(cluster, 'Stalled')).to.equal('False NotStalled');
    expect(await poolSnapshot(pool().pool, NODES.map(n))).to.deep.equal(formed);
  });

  it('a rotated private key (ed25519 → RSA): new connections with the new key, Ready throughout', async () => {
    const handshakesBefore = await handshakes();
    const rsaBefore = await rsaLogins();
    const warningsBefore = (
      await harness.core.listNamespacedEvent({
        namespace: harness.namespace,
        fieldSelector: 'involvedObject.name=pool,type=Warning',
      })
    ).items.length;
    const startedAt = performance.now();
    await writeSecret({ privateKey: rsaKey, knownHosts });
    let sawNotReady: GlusterCluster | undefined;
    for (;;) {
      const cluster = await harness.get('pool');
      if (!isReadyAt(cluster, 3)) sawNotReady ??= cluster;
      if ((await handshakes()) >= handshakesBefore + 3) break;
      expect(performance.now() - startedAt, 'new SSH connections').to.be.below(WITHIN_MS);
      await sleep(100);
    }
    process.stderr.write(
      `      ${String((await handshakes()) - handshakesBefore)} new SSH connections ${String(Math.round(performance.now() - startedAt))} ms after the update\n`,
    );
    // Every node let the operator in with the RSA key.
    const rsaAfter = await rsaLogins();
    expect(rsaAfter.map((count, index) => count > (rsaBefore[index] ?? 0))).to.deep.equal([
      true,
      true,
      true,
    ]);
    // And the pool stays Ready.
    const settledAt = performance.now();
    while (performance.now() - settledAt < 2_000) {
      const cluster = await harness.get('pool');
      if (!isReadyAt(cluster, 3)) sawNotReady ??= cluster;
      await sleep(200);
    }
    expect(sawNotReady?.status, 'a status that was not Ready').to.equal(undefined);
    const warningsAfter = (
      await harness.core.listNamespacedEvent({
        namespace: harness.namespace,
        fieldSelector: 'involvedObject.name=pool,type=Warning',
      })
    ).items.length;
    expect(warningsAfter, 'new Warning Events').to.equal(warningsBefore);
  });

  it('a Secret named before it exists: Stalled SshSecretNotFound, then Ready within seconds of its creation', async () => {
    await harness.apply('pool', spec('created-later'));
    const stalled = await harness.waitFor(
      'pool',
      'be Stalled for want of its Secret',
      (c) =>
        condition(c, 'Stalled') === 'True SshSecretNotFound' &&
        c.status?.observedGeneration === c.metadata.generation,
      30_000,
    );
    expect(stalled.status?.conditions?.find((c) => c.type === 'Stalled')?.message).to.contain(
      'created-later',
    );
    const startedAt = performance.now();
    await harness.core.createNamespacedSecret({
      namespace: harness.namespace,
      body: {
        metadata: { name: 'created-later' },
        type: 'Opaque',
        stringData: { 'ssh-privatekey': ed25519Key, known_hosts: knownHosts },
      },
    });
    const { afterMs } = await waitSoon('Ready with the new Secret', startedAt, (c) =>
      isReadyAt(c, 3),
    );
    process.stderr.write(
      `      Ready ${String(Math.round(afterMs))} ms after the Secret was created\n`,
    );
    expect(afterMs).to.be.below(WITHIN_MS);
    expect(await poolSnapshot(pool().pool, NODES.map(n))).to.deep.equal(formed);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
