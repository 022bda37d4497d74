import { expect } from 'chai';
import type { GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION } from '../../src/api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeSpec } from '../../src/api/gluster-volume.js';
import { VOLUME_PLURAL } from '../../src/api/gluster-volume.js';
import { parseOpResult, runGluster } from '../../testbed/gluster-commands.js';
import type { TestClient } from '../../testbed/gluster-test-pool.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { condition, createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { useGlusterTestPool } from '../support/test-pool.js';

/** What glusterd itself says about a volume: `volume info <v> --xml`, as fields. */
interface GlusterTruth {
  readonly exists: boolean;
  readonly id?: string;
  readonly status?: string;
  readonly bricks: string[];
  readonly options: Record<string, string>;
}

describe('GlusterVolume: the operator keeps real volumes as declared', function () {
  this.timeout(240_000);
  const pool = useGlusterTestPool('opvol', 4);
  const n = (index: number) => pool().node(index);
  let harness: OperatorHarness;
  let client: TestClient | undefined;

  const clusterSpec = (indexes: number[]): GlusterClusterSpec => ({
    nodes: indexes.map((index) => ({ address: n(index).ipv4 })),
    ssh: { secretRef: { name: 'gluster-ssh' } },
    resyncInterval: '10s',
  });
  const resource = { group: API_GROUP, version: API_VERSION, plural: VOLUME_PLURAL };

  async function applyVolume(name: string, spec: GlusterVolumeSpec): Promise<void> {
    const body = {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: 'GlusterVolume',
      metadata: { name },
      spec,
    };
    const current = await getVolume(name);
    if (current) {
      await harness.objects.replaceNamespacedCustomObject({
        ...resource,
        namespace: harness.namespace,
        name,
        body: { ...body, metadata: { ...current.metadata } },
      });
    } else {
      await harness.objects.createNamespacedCustomObject({
        ...resource,
        namespace: harness.namespace,
        body,
      });
    }
  }

  async function getVolume(name: string): Promise<GlusterVolume | undefined> {
    try {
      return (await harness.objects.getNamespacedCustomObject({
        ...resource,
        namespace: harness.namespace,
        name,
      })) as GlusterVolume;
    } catch {
      return undefined;
    }
  }

  async function waitForVolume(
    name: string,
    what: string,
    done: (volume: GlusterVolume | undefined) => boolean,
    timeoutMs = 90_000,
  ): Promise<GlusterVolume | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const volume = await getVolume(name);
      if (done(volume)) return volume;
      if (Date.now() > deadline) {
        throw new Error(
          `Timed out waiting for ${name} to ${what}; last status: ${JSON.stringify(volume?.status, null, 2)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function deleteVolumeResource(name: string): Promise<void> {
    await harness.objects.deleteNamespacedCustomObject({
      ...resource,
      namespace: harness.namespace,
      name,
    });
    await waitForVolume(name, 'be deleted', (volume) => volume === undefined);
  }

  const conditionOf = (volume: GlusterVolume | undefined, type: string) => {
    const found = volume?.status?.conditions?.find((entry) => entry.type === type);
    return found ? `${found.status} ${found.reason}` : undefined;
  };
  const isReady = (volume: GlusterVolume | undefined): boolean =>
    volume !== undefined &&
    volume.status?.observedGeneration === volume.metadata.generation &&
    conditionOf(volume, 'Ready')?.startsWith('True') === true;

  async function glusterTruth(volume: string): Promise<GlusterTruth> {
    const answer = await runGluster(pool().pool, n(0), ['volume', 'info', volume]);
    const result = parseOpResult(answer);
    if (result.opRet !== 0) return { exists: false, bricks: [], options: {} };
    const text = answer.stdout;
    const id = /<id>([^<]+)<\/id>/.exec(text)?.[1];
    const status = /<statusStr>([^<]+)<\/statusStr>/.exec(text)?.[1];
    const bricks = [...text.matchAll(/<brick uuid="[^"]*">([^<]+)<name>/g)].map(
      (match) => match[1] ?? '',
    );
    const options = Object.fromEntries(
      [...text.matchAll(/<option>\s*<name>([^<]+)<\/name>\s*<value>([^<]*)<\/value>/g)].map(
        (match) => [match[1] ?? '', match[2] ?? ''],
      ),
    );
    return {
      exists: true,
      ...(id === undefined ? {} : { id }),
      ...(status === undefined ? {} : { status }),
      bricks,
      options,
    };
  }

  /** A replica 3 volume spec on n1..n3 at /bricks/<volume>. */
  const replica3 = (extra: Partial<GlusterVolumeSpec> = {}): GlusterVolumeSpec => ({
    clusterRef: { name: 'pool' },
    layout: { type: 'Replicate', replica: 3 },
    brickTemplate: { path: '/bricks/{volume}', sets: 1 },
    ...extra,
  });

  before(async function () {
    this.timeout(300_000);
    harness = await createPoolHarness('e2e-vol', pool());
    // The shipped gluster timeout: a rebalance start on a loaded two-core machine can take more
    // than the harness's quick 10 s.
    harness.start({ env: { GLUSTER_TIMEOUT_SECONDS: '30' } });
    await harness.apply('pool', clusterSpec([0, 1, 2, 3]));
    await harness.waitFor('pool', 'be Ready with 4 members', (c) => isReadyAt(c, 4), 120_000);
  });
  after(async function () {
    this.timeout(120_000);
    await client?.destroy();
    await harness.stop();
  });

  it('creates a replica 3 volume from a manifest, without force, and reports it Ready', async () => {
    await applyVolume('data', replica3());
    const ready = await waitForVolume('data', 'be Ready', isReady);
    const truth = await glusterTruth('data');
    expect(truth).to.include({ exists: true, status: 'Started' });
    expect(ready?.status).to.include({
      state: 'Started',
      type: 'Replicate',
      volumeId: truth.id,
      bricksOnline: '3/3',
      healPending: 0,
    });
    expect(
      ready?.status?.bricks?.map((brick) => [brick.node, brick.path, brick.online]),
    ).to.deep.equal([
      [n(0).ipv4, '/bricks/data', true],
      [n(1).ipv4, '/bricks/data', true],
      [n(2).ipv4, '/bricks/data', true],
    ]);
    for (const brick of ready?.status?.bricks ?? []) {
      expect(brick.port).to.be.greaterThan(0);
      expect(brick.totalBytes).to.be.greaterThan(0);
    }
    expect(conditionOf(ready, 'Degraded')).to.match(/^False/);
    const events = await harness.events('data');
    expect(events.some((event) => event.startsWith('Creating: '))).to.equal(true);
    expect(events.some((event) => event.includes('force'))).to.equal(false);
  });

  it('sets an option declared in spec, and resets it once spec drops it', async () => {
    await applyVolume('data', replica3({ options: { 'performance.cache-size': '64MB' } }));
    const set = await waitForVolume(
      'data',
      'show the option in force',
      (volume) => isReady(volume) && volume?.status?.options?.['performance.cache-size'] === '64MB',
    );
    expect(set?.status?.options).to.deep.equal({ 'performance.cache-size': '64MB' });
    expect((await glusterTruth('data')).options['performance.cache-size']).to.equal('64MB');
    await applyVolume('data', replica3());
    await waitForVolume(
      'data',
      'drop the option',
      (volume) =>
        isReady(volume) && volume?.status?.options?.['performance.cache-size'] === undefined,
    );
    expect((await glusterTruth('data')).options).not.to.have.property('performance.cache-size');
  });

  it('stops the volume when spec says Stopped, and starts it again', async () => {
    await applyVolume('data', replica3({ state: 'Stopped' }));
    const stopped = await waitForVolume(
      'data',
      'be Stopped',
      (volume) => isReady(volume) && volume?.status?.state === 'Stopped',
    );
    expect(stopped?.status?.state).to.equal('Stopped');
    expect((await glusterTruth('data')).status).to.equal('Stopped');
    await applyVolume('data', replica3());
    await waitForVolume(
      'data',
      'be Started and Ready again',
      (volume) => isReady(volume) && volume?.status?.state === 'Started',
    );
    expect((await glusterTruth('data')).status).to.equal('Started');
  });

  it('reports a killed brick as Degraded, counts the heal down after it is back, and is Ready again', async () => {
    client = await pool().pool.startClient();
    const mount = await client.mount('data', { server: n(0) });
    await pool().pool.killBrick(n(2), 'data', '/bricks/data');
    const degraded = await waitForVolume(
      'data',
      'be Degraded with the killed brick named',
      (volume) => conditionOf(volume, 'Degraded') === 'True BrickOffline',
      60_000,
    );
    const offline = degraded?.status?.bricks?.filter((brick) => !brick.online);
    expect(offline?.map((brick) => brick.node)).to.deep.equal([n(2).ipv4]);
    expect(
      degraded?.status?.conditions?.find((entry) => entry.type === 'Degraded')?.message,
    ).to.include(`${n(2).ipv4}:/bricks/data`);
    // Written while the brick is down: the other two hold what it misses.
    const write = await client.exec([
      'sh',
      '-c',
      `for i in $(seq 1 20); do echo "file $i" > ${mount}/f$i; done; sync`,
    ]);
    expect(write.exitCode, write.stderr).to.equal(0);
    const pending = await waitForVolume(
      'data',
      'count entries pending heal',
      (volume) => (volume?.status?.healPending ?? 0) > 0,
      60_000,
    );
    expect(pending?.status?.healPending).to.be.greaterThan(0);
    await pool().pool.startBricks('data');
    const healed = await waitForVolume(
      'data',
      'be healed and Ready',
      (volume) => isReady(volume) && volume?.status?.healPending === 0,
      150_000,
    );
    expect(healed?.status?.bricksOnline).to.equal('3/3');
    const read = await client.exec(['cat', `${mount}/f20`]);
    expect(read.stdout.trim()).to.equal('file 20');
    await client.unmount(mount);
  });

  it('creates a 2+1 arbiter volume and a 2+1 disperse volume', async () => {
    await applyVolume('arb', replica3({ layout: { type: 'Replicate', replica: 3, arbiter: 1 } }));
    await applyVolume('ec', {
      clusterRef: { name: 'pool' },
      layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
      brickTemplate: { path: '/bricks/{volume}', sets: 1 },
    });
    const arbiter = await waitForVolume('arb', 'be Ready', isReady);
    expect(arbiter?.status?.bricks?.map((brick) => brick.isArbiter === true)).to.deep.equal([
      false,
      false,
      true,
    ]);
    const disperse = await waitForVolume('ec', 'be Ready', isReady);
    expect(disperse?.status?.type).to.equal('Disperse');
    expect(disperse?.status?.bricksOnline).to.equal('3/3');
  });

  it('expands a replica 3 volume by one set and starts its rebalance', async () => {
    // Set 2 takes the next nodes of the cluster's order: n4, n1, n2.
    await applyVolume(
      'grow',
      replica3({ brickTemplate: { path: '/bricks/{volume}-{set}', sets: 1 } }),
    );
    await waitForVolume('grow', 'be Ready', isReady);
    await applyVolume(
      'grow',
      replica3({ brickTemplate: { path: '/bricks/{volume}-{set}', sets: 2 } }),
    );
    const grown = await waitForVolume(
      'grow',
      'have two sets and a rebalance',
      (volume) =>
        isReady(volume) &&
        volume?.status?.bricks?.length === 6 &&
        volume.status.rebalance !== undefined &&
        volume.status.rebalance.state !== 'not started',
      120_000,
    );
    expect(grown?.status?.type).to.equal('Distributed-Replicate');
    // glusterd's task ID, which tells a later rebalance from this one.
    expect(grown?.status?.rebalance?.taskId).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(grown?.status?.bricks?.slice(3).map((brick) => brick.node)).to.deep.equal([
      n(3).ipv4,
      n(0).ipv4,
      n(1).ipv4,
    ]);
    expect((await glusterTruth('grow')).bricks).to.have.length(6);
  });

  it('never detaches a brick host, and names the GlusterVolume in the pool status', async () => {
    await harness.apply('pool', clusterSpec([0, 1, 2]));
    try {
      const stalled = await harness.waitFor(
        'pool',
        'be Stalled on the brick host',
        (c) =>
          condition(c, 'Stalled') === 'True DetachBlockedBricks' &&
          c.status?.observedGeneration === c.metadata.generation,
      );
      const message = stalled.status?.conditions?.find(
        (entry) => entry.type === 'Stalled',
      )?.message;
      expect(message).to.include(`GlusterVolume ${harness.namespace}/grow`);
      const members = await runGluster(pool().pool, n(0), ['pool', 'list']);
      expect(members.stdout).to.include(n(3).ipv4);
    } finally {
      await harness.apply('pool', clusterSpec([0, 1, 2, 3]));
      await harness.waitFor('pool', 'be Ready with 4 members again', (c) => isReadyAt(c, 4));
    }
  });

  it('shrinks a distributed-replicate volume by its last set, committing only after the migration completed', async () => {
    await applyVolume(
      'grow',
      replica3({ brickTemplate: { path: '/bricks/{volume}-{set}', sets: 1 } }),
    );
    const shrunk = await waitForVolume(
      'grow',
      'be one set again',
      (volume) => isReady(volume) && volume?.status?.bricks?.length === 3,
      150_000,
    );
    expect(shrunk?.status?.type).to.equal('Replicate');
    expect((await glusterTruth('grow')).bricks).to.deep.equal([
      `${n(0).ipv4}:/bricks/grow-0`,
      `${n(1).ipv4}:/bricks/grow-0`,
      `${n(2).ipv4}:/bricks/grow-0`,
    ]);
    const events = await harness.events('grow');
    // The start may be reported failed when the CLI timed out while glusterd went on with it:
    // the next pass sees the task and follows it, and commits only once it completed.
    const started = events.findIndex((event) =>
      /^RemovingBricks(Failed)?: Starting to remove/.test(event),
    );
    const committed = events.findIndex((event) =>
      event.startsWith('RemovingBricks: Committing the removal'),
    );
    expect(started, events.join('\n')).to.be.at.least(0);
    expect(committed, events.join('\n')).to.be.greaterThan(started);
  });

  it('refuses to replace a brick while its set lacks quorum, and replaces it once the set is whole', async () => {
    const bricksOn = (indexes: number[]) =>
      indexes.map((index) => ({ node: n(index).ipv4, path: '/bricks/rep' }));
    const spec = (indexes: number[]): GlusterVolumeSpec => ({
      clusterRef: { name: 'pool' },
      layout: { type: 'Replicate', replica: 3 },
      bricks: bricksOn(indexes),
    });
    await applyVolume('rep', spec([0, 1, 2]));
    await waitForVolume('rep', 'be Ready', isReady);
    await pool().pool.killBrick(n(1), 'rep', '/bricks/rep');
    try {
      await waitForVolume(
        'rep',
        'see the brick offline',
        (volume) => conditionOf(volume, 'Degraded') === 'True BrickOffline',
      );
      // n3's brick moves to n4 while n2's is down: n1 alone of the others is online.
      await applyVolume('rep', spec([0, 1, 3]));
      const refused = await waitForVolume(
        'rep',
        'hold the replacement back for quorum',
        (volume) =>
          volume?.status?.observedGeneration === volume?.metadata.generation &&
          JSON.stringify(volume?.status?.conditions ?? []).includes('ReplaceBlockedNoQuorum'),
      );
      expect(refused?.status?.bricks?.map((brick) => brick.node)).to.deep.equal([
        n(0).ipv4,
        n(1).ipv4,
        n(2).ipv4,
      ]);
      expect((await glusterTruth('rep')).bricks).to.include(`${n(2).ipv4}:/bricks/rep`);
    } finally {
      await pool().pool.startBricks('rep');
    }
    const replaced = await waitForVolume(
      'rep',
      'have replaced the brick and be Ready',
      (volume) =>
        isReady(volume) &&
        volume?.status?.bricks?.some((brick) => brick.node === n(3).ipv4) === true,
      150_000,
    );
    expect(replaced?.status?.bricks?.map((brick) => brick.node)).to.deep.equal([
      n(0).ipv4,
      n(1).ipv4,
      n(3).ipv4,
    ]);
    expect((await glusterTruth('rep')).bricks).to.deep.equal([
      `${n(0).ipv4}:/bricks/rep`,
      `${n(1).ipv4}:/bricks/rep`,
      `${n(3).ipv4}:/bricks/rep`,
    ]);
  });

  it('leaves the volume as it is when a resource with deletionPolicy Retain is deleted', async () => {
    const before = await glusterTruth('arb');
    await deleteVolumeResource('arb');
    expect(await glusterTruth('arb')).to.deep.equal(before);
  });

  it('with deletionPolicy Delete, stops and deletes the volume, and keeps the bricks and their data', async () => {
    await applyVolume('ec', {
      clusterRef: { name: 'pool' },
      layout: { type: 'Disperse', disperse: 3, redundancy: 1 },
      brickTemplate: { path: '/bricks/{volume}', sets: 1 },
      deletionPolicy: 'Delete',
    });
    await waitForVolume('ec', 'carry the finalizer', (volume) =>
      (volume?.metadata.finalizers ?? []).includes('glusteroperator.io/volume'),
    );
    client ??= await pool().pool.startClient();
    const mount = await client.mount('ec', { server: n(0) });
    const write = await client.exec(['sh', '-c', `echo kept > ${mount}/kept; sync`]);
    expect(write.exitCode, write.stderr).to.equal(0);
    await client.unmount(mount);
    await deleteVolumeResource('ec');
    expect((await glusterTruth('ec')).exists).to.equal(false);
    for (const index of [0, 1, 2]) {
      const listing = await pool().pool.execOnNode(n(index), ['ls', '-A', '/bricks/ec']);
      expect(listing.exitCode).to.equal(0);
      expect(listing.stdout).to.include('kept');
    }
  });
});
