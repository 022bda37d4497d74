import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { GlusterCluster } from '../../src/api/gluster-cluster.js';
import { getControlPlane } from '../support/control-plane-fixture.js';
import { freePort } from '../support/free-ports.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import type { OperatorProcess } from '../support/operator-process.js';
import { spawnOperator } from '../support/operator-process.js';
import { runCommandOrThrow } from '../support/run-command.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * glusterd's events over HTTPS: the operator as its own process serves its events port with a
 * certificate (EVENTS_TLS_CERT_FILE / EVENTS_TLS_KEY_FILE, self-signed here, as a cert-manager
 * Issuer of one's own would be to glustereventsd), on the pool's bridge; glustereventsd on each
 * node posts to the https URL.
 */
describe('glusterd events over TLS: the events port with a certificate', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('evtls', 3);
  const n = (index: number) => pool().node(index);
  let harness: OperatorHarness;
  let operator: OperatorProcess | undefined;
  let dir: string;

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('e2e-events-tls', pool());
    dir = await mkdtemp(path.join(os.tmpdir(), 'gop-events-tls-'));
  });
  after(async function () {
    this.timeout(60_000);
    await operator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const nodeState = (cluster: GlusterCluster, index: number) =>
    cluster.status?.nodes?.find((node) => node.address === n(index).ipv4);

  it('registers every node with the https URL, and a glusterd stopped on a member shows within seconds', async () => {
    const host = pool().pool.hostIpv4;
    const certFile = path.join(dir, 'tls.crt');
    const keyFile = path.join(dir, 'tls.key');
    // prettier-ignore
    await runCommandOrThrow('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=gluster-operator-events',
      '-addext', `subjectAltName=IP:${host}`,
    ]);
    const port = await freePort();
    const url = `https://${host}:${String(port)}`;
    operator = await spawnOperator({
      kubeconfigPath: (await getControlPlane()).kubeconfigPath,
      watchNamespace: harness.namespace,
      env: {
        EVENTS_HOST: host,
        EVENTS_PORT: String(port),
        EVENTS_URL: url,
        EVENTS_TLS_CERT_FILE: certFile,
        EVENTS_TLS_KEY_FILE: keyFile,
        POD_NAMESPACE: harness.namespace,
      },
    });
    await harness.apply('pool', {
      nodes: [0, 1, 2].map((index) => ({ address: n(index).ipv4 })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
      // The shipped default: a change within seconds came from an event, not a resync.
      resyncInterval: '5m',
      events: { enabled: true },
    });
    const delivering = await harness.waitFor(
      'pool',
      'be Ready with every node delivering events over https',
      (cluster) =>
        isReadyAt(cluster, 3) &&
        condition(cluster, 'EventsDelivery') === 'True Delivering' &&
        cluster.status?.events?.registered === 3,
      120_000,
    );
    expect(delivering.status?.events?.url).to.equal(`${url}/v1/events/${harness.namespace}/pool`);
    // A self-signed certificate: the nodes post without verifying it, and the condition says so.
    const delivery = delivering.status?.conditions?.find((c) => c.type === 'EventsDelivery');
    expect(delivery?.message).to.match(
      /do not trust the certificate of https:.* and post without verifying it/,
    );
    expect(operator.output()).to.contain(`"url":"https://${host}:${String(port)}"`);
    const hooks = await pool().pool.execOnNode(n(0), [
      'cat',
      '/var/lib/glusterd/events/webhooks.json',
    ]);
    expect(Object.keys(JSON.parse(hooks.stdout) as object)).to.deep.equal([
      `${url}/v1/events/${harness.namespace}/pool`,
    ]);

    await pool().pool.stopGlusterd(n(2));
    const started = Date.now();
    try {
      await harness.waitFor(
        'pool',
        'show n3 down (an event: the resync is 5 minutes away)',
        (cluster) =>
          nodeState(cluster, 2)?.reportedDown !== undefined ||
          nodeState(cluster, 2)?.state === 'GlusterdDown',
        10_000,
      );
      console.log(`      glusterd stopped → status in ${String(Date.now() - started)} ms (https)`);
    } finally {
      await pool().pool.startGlusterd(n(2));
    }
    await harness.waitFor('pool', 'be Ready again', (cluster) => isReadyAt(cluster, 3), 60_000);
  });
});
