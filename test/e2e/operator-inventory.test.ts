import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import type { GlusterCluster } from '../../src/api/gluster-cluster.js';
import { poolSnapshot } from '../support/gluster-truth.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/**
 * A GlusterCluster whose nodes come from a peers.json inventory (a ConfigMap, then a URL), on the
 * real API server and real glusterd: the pool follows the inventory, and an inventory that breaks
 * (bad JSON, no replicas, gone, HTTP 500) never shrinks it.
 */
describe('the operator with a peers.json inventory as the node source', function () {
  this.timeout(180_000);
  const pool = useGlusterTestPool('inv', 4);
  let harness: OperatorHarness;
  let server: Server | undefined;
  const n = (index: number) => pool().node(index);

  const peersJson = (indexes: readonly number[]): string =>
    JSON.stringify({
      info: { source: 'test' },
      replicas: indexes.map((index) => ({
        pid: index + 1,
        name: n(index).name,
        hostname: n(index).hostname,
        ip_address: n(index).ipv4,
        port: 24007,
      })),
    });
  const writeConfigMap = async (data: string | undefined): Promise<void> => {
    const body = { metadata: { name: 'peers' }, data: { 'peers.json': data ?? '' } };
    if (data === undefined) {
      await harness.core.deleteNamespacedConfigMap({ namespace: harness.namespace, name: 'peers' });
      return;
    }
    await harness.core
      .replaceNamespacedConfigMap({ namespace: harness.namespace, name: 'peers', body })
      .catch(() => harness.core.createNamespacedConfigMap({ namespace: harness.namespace, body }));
  };
  const synced = (cluster: GlusterCluster): string | undefined =>
    condition(cluster, 'InventorySynced');
  const membersSeenByN1 = async (): Promise<number> =>
    (await poolSnapshot(pool().pool, [n(0)]))['n1']!.length;

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('inventory', pool());
    harness.start();
  });
  after(async () => {
    await harness.stop();
    const running = server;
    if (running) await new Promise((resolve) => running.close(resolve));
  });

  it('forms the pool the ConfigMap lists, and follows it when it grows', async () => {
    await writeConfigMap(peersJson([0, 1, 2]));
    await harness.apply('pool', {
      inventory: { configMapRef: { name: 'peers' }, syncInterval: '10s' },
      ssh: { secretRef: { name: 'gluster-ssh' } },
    });
    const ready = await harness.waitFor('pool', 'be Ready with 3', (c) => isReadyAt(c, 3));
    expect(synced(ready)).to.equal('True Synced');
    expect(ready.status?.inventory?.source).to.equal('ConfigMap peers/peers.json');
    expect(ready.status?.inventory?.nodes?.map((node) => node.address)).to.deep.equal(
      [0, 1, 2].map((index) => n(index).ipv4),
    );
    expect(ready.status?.nodes?.map((node) => node.name)).to.deep.equal(['n1', 'n2', 'n3']);

    await writeConfigMap(peersJson([0, 1, 2, 3]));
    await harness.waitFor('pool', 'be Ready with 4', (c) => isReadyAt(c, 4), 60_000);
    expect(await membersSeenByN1()).to.equal(4);
  });

  const breakages: { name: string; data: string | undefined; reason: string }[] = [
    { name: 'bad JSON', data: '{"replicas": [', reason: 'InventoryInvalid' },
    {
      name: 'an empty replica list',
      data: '{"info": {}, "replicas": []}',
      reason: 'InventoryEmpty',
    },
    {
      name: 'a hostile address',
      data: JSON.stringify({
        replicas: [{ pid: 1, name: 'x', ip_address: '10.250.0.1;reboot', port: 24007 }],
      }),
      reason: 'InventoryInvalid',
    },
    { name: 'the ConfigMap deleted', data: undefined, reason: 'InventoryUnavailable' },
  ];
  for (const breakage of breakages) {
    it(`keeps all 4 members after ${breakage.name}, and says why`, async () => {
      await writeConfigMap(breakage.data);
      const reported = await harness.waitFor(
        'pool',
        `report ${breakage.reason}`,
        (c) => synced(c) === `False ${breakage.reason}`,
        60_000,
      );
      expect(reported.status?.inventory?.nodes).to.have.length(4);
      expect(reported.status?.inventory?.message).to.match(/Keeping the last good list of 4 nodes/);
      // Two more passes (progress requeues) and the pool is still whole.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await membersSeenByN1()).to.equal(4);
      const after = await harness.get('pool');
      expect(after.status?.members).to.equal(4);
      expect((await harness.events('pool')).filter((e) => e.startsWith('Detached'))).to.deep.equal(
        [],
      );
      expect(await harness.events('pool')).to.include.members([
        `${breakage.reason}: ${reported.status!.inventory!.message!}`,
      ]);
    });
  }

  it('reads a URL, and detaches a node the inventory no longer lists; a 500 then changes nothing', async () => {
    let answer: { status: number; body: string } = { status: 200, body: peersJson([0, 1, 2]) };
    const requests: (string | undefined)[] = [];
    server = createServer((request, response) => {
      requests.push(request.headers['x-api-key'] as string | undefined);
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${String(port)}/v1/peers.json?token=hidden`;

    await harness.apply('pool', {
      inventory: { url, syncInterval: '10s' },
      ssh: { secretRef: { name: 'gluster-ssh' } },
    });
    const shrunk = await harness.waitFor('pool', 'be Ready with 3', (c) => isReadyAt(c, 3), 90_000);
    expect(shrunk.status?.inventory?.source).to.equal(
      `http://127.0.0.1:${String(port)}/v1/peers.json`,
    );
    expect(JSON.stringify(shrunk.status)).not.to.contain('hidden');
    expect(await membersSeenByN1()).to.equal(3);
    expect(
      requests.every((key) => key === undefined),
      'no API key without a Secret',
    ).to.equal(true);

    answer = { status: 500, body: 'internal error' };
    const failed = await harness.waitFor(
      'pool',
      'report the 500',
      (c) => synced(c) === 'False InventoryUnavailable',
      60_000,
    );
    expect(failed.status?.inventory?.message).to.match(/500/);
    expect(failed.status?.inventory?.nodes).to.have.length(3);
    expect(await membersSeenByN1()).to.equal(3);
  });
});
