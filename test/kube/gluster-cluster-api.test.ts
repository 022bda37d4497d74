import { expect } from 'chai';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  FINALIZER,
  PLURAL,
  type GlusterCluster,
  type GlusterClusterStatus,
} from '../../src/api/gluster-cluster.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  createGlusterClusterApi,
  type GlusterClusterApi,
  type GlusterClusterWatchEvent,
} from '../../src/kube/gluster-cluster-api.js';
import {
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
} from '../../src/kube/kube-errors.js';
import { writeStatusIfChanged } from '../../src/kube/status-writer.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';
import { rejection } from '../support/rejection.js';

/** A GlusterCluster the CRD in crds/ accepts. */
function aGlusterCluster(
  name: string,
  options: { addresses?: readonly string[]; finalizers?: readonly string[] } = {},
): GlusterCluster {
  return {
    apiVersion: `${API_GROUP}/${API_VERSION}`,
    kind: 'GlusterCluster',
    metadata: {
      name,
      namespace: '',
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
    },
    spec: {
      nodes: (options.addresses ?? ['10.250.0.11', '10.250.0.12']).map((address) => ({ address })),
      ssh: { secretRef: { name: 'gluster-ssh' } },
    },
  };
}

/** Every field of the status the CRD declares, so a round trip shows nothing is pruned. */
function aFullStatus(generation: number, connected: number): GlusterClusterStatus {
  return {
    observedGeneration: generation,
    conditions: [
      {
        type: 'Ready',
        status: connected === 2 ? 'True' : 'False',
        observedGeneration: generation,
        lastTransitionTime: '2026-11-22T03:00:00Z',
        reason: connected === 2 ? 'PoolReady' : 'NodesDisconnected',
        message: `${String(connected)} of 2 nodes are connected`,
      },
      {
        type: 'Degraded',
        status: connected === 2 ? 'False' : 'True',
        observedGeneration: generation,
        lastTransitionTime: '2026-11-22T03:00:00Z',
        reason: 'MemberDown',
        message: 'gluster-2 is disconnected',
      },
    ],
    commandNode: '10.250.0.11',
    opVersion: 100000,
    members: 2,
    connected,
    nodes: [
      {
        address: '10.250.0.11',
        name: 'gluster-1',
        zone: 'rack-a',
        uuid: '6f1c1f8e-1111-4c4c-9a9a-000000000001',
        state: 'Connected',
        stateStr: 'Peer in Cluster',
        sshReachable: true,
        glusterdRunning: true,
        glusterVersion: '10.3',
        lastSeen: '2026-11-22T03:00:00Z',
      },
      {
        address: '10.250.0.12',
        state: connected === 2 ? 'Connected' : 'Disconnected',
        sshReachable: true,
        glusterdRunning: connected === 2,
        message: 'glusterd does not answer',
        views: [{ observer: 'gluster-1', status: 'Disconnected' }],
      },
    ],
    unmanagedMembers: [
      { hostname: '10.250.0.99', uuid: '6f1c1f8e-1111-4c4c-9a9a-000000000099', connected: false },
    ],
  };
}

describe('GlusterClusterApi on a real API server', function () {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let admin: CustomObjectsApi;
  let namespace: string;
  let api: GlusterClusterApi;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    kc = loadKubeConfig(cp.kubeconfigPath);
    admin = kc.makeApiClient(CustomObjectsApi);
    namespace = await createTestNamespace(kc, 'gc-api');
    api = createGlusterClusterApi(kc, { namespace });
  });

  const ref = { group: API_GROUP, version: API_VERSION, plural: PLURAL };
  /** Creates as a person would (kubectl apply), not through the operator's port. */
  const create = async (cluster: GlusterCluster): Promise<GlusterCluster> =>
    (await admin.createNamespacedCustomObject({
      ...ref,
      namespace,
      body: { ...cluster, metadata: { ...cluster.metadata, namespace } },
    })) as GlusterCluster;
  /** A person editing spec. */
  const editSpec = async (
    cluster: GlusterCluster,
    addresses: readonly string[],
  ): Promise<GlusterCluster> =>
    (await admin.replaceNamespacedCustomObject({
      ...ref,
      namespace,
      name: cluster.metadata.name,
      body: {
        ...cluster,
        spec: { ...cluster.spec, nodes: addresses.map((address) => ({ address })) },
      },
    })) as GlusterCluster;

  describe('get and list', function () {
    it('gets an object, and a NotFoundError for one that does not exist', async function () {
      const created = await create(aGlusterCluster('get-me'));
      const fetched = await api.get(namespace, 'get-me');
      expect(fetched.metadata.uid).to.equal(created.metadata.uid);
      expect(fetched.spec.nodes!.map((node) => node.address)).to.deep.equal([
        '10.250.0.11',
        '10.250.0.12',
      ]);

      const error = await rejection(api.get(namespace, 'missing'));
      expect(error).to.be.instanceOf(NotFoundError);
      expect(error.message).to.equal(
        `Failed to get GlusterCluster ${namespace}/missing: 404 NotFound: glusterclusters.glusteroperator.io "missing" not found`,
      );
    });

    it('lists the namespace it was made for, with a resourceVersion to watch from', async function () {
      await create(aGlusterCluster('listed-1'));
      await create(aGlusterCluster('listed-2'));
      const elsewhere = await createTestNamespace(kc, 'gc-api-other');
      await admin.createNamespacedCustomObject({
        ...ref,
        namespace: elsewhere,
        body: { ...aGlusterCluster('other'), metadata: { name: 'other', namespace: elsewhere } },
      });

      const scoped = await api.list();
      const names = scoped.items.map((item) => item.metadata.name);
      expect(names).to.include.members(['listed-1', 'listed-2']);
      expect(names).to.not.include('other');
      expect(scoped.resourceVersion).to.match(/^\d+$/);

      const everywhere = await createGlusterClusterApi(kc).list();
      expect(
        everywhere.items.map((item) => `${item.metadata.namespace}/${item.metadata.name}`),
      ).to.include.members([`${namespace}/listed-1`, `${elsewhere}/other`]);
    });

    it('reads every page of a list', async function () {
      const paged = createGlusterClusterApi(kc, { namespace, listPageSize: 1 });
      const all = await api.list();
      const pages = await paged.list();
      expect(all.items.length).to.be.greaterThan(1);
      expect(pages.items.map((item) => item.metadata.name)).to.deep.equal(
        all.items.map((item) => item.metadata.name),
      );
    });

    it('maps a refusal by RBAC to a ForbiddenError', async function () {
      const nobody = loadKubeConfig(await cp.serviceAccountKubeconfig(namespace, 'nobody'));
      const error = await rejection(createGlusterClusterApi(nobody, { namespace }).list());
      expect(error).to.be.instanceOf(ForbiddenError);
      expect((error as ForbiddenError).code).to.equal(403);
    });
  });

  describe('status', function () {
    it('writes status through /status only: spec and generation stay as they are', async function () {
      const created = await create(aGlusterCluster('status-only'));
      expect(created.metadata.generation).to.equal(1);
      const status = aFullStatus(1, 2);

      // Even a body with another spec changes nothing but status.
      const written = await api.replaceStatus({
        ...created,
        spec: { ...created.spec, nodes: [{ address: '10.250.0.77' }] },
        status,
      });
      expect(written.metadata.generation).to.equal(1);
      expect(written.spec).to.deep.equal(created.spec);
      expect(written.status).to.deep.equal(status);
      expect(written.metadata.resourceVersion).to.not.equal(created.metadata.resourceVersion);

      const fetched = await api.get(namespace, 'status-only');
      expect(fetched.status, 'the CRD keeps every status field').to.deep.equal(status);
      expect(fetched.metadata.generation).to.equal(1);
    });

    it('refuses a stale status write with a ConflictError, and one without a resourceVersion', async function () {
      const created = await create(aGlusterCluster('stale-status'));
      await editSpec(created, ['10.250.0.11']);
      const error = await rejection(api.replaceStatus({ ...created, status: aFullStatus(1, 2) }));
      expect(error).to.be.instanceOf(ConflictError);
      expect((error as ConflictError).code).to.equal(409);

      const withoutVersion = { ...created.metadata };
      delete withoutVersion.resourceVersion;
      expect(
        await rejection(api.replaceStatus({ ...created, metadata: withoutVersion })),
      ).to.be.instanceOf(InvalidArgumentError);
    });

    it('writes only when the status changed: an unchanged one sends nothing and leaves the resourceVersion alone', async function () {
      await create(aGlusterCluster('unchanged'));
      const read = await api.get(namespace, 'unchanged');
      const first = await writeStatusIfChanged(api, read, aFullStatus(1, 2));
      expect(first).to.deep.equal({ outcome: 'written', conflicts: 0 });

      const written = await api.get(namespace, 'unchanged');
      expect(written.status).to.deep.equal(aFullStatus(1, 2));
      expect(written.metadata.resourceVersion).to.not.equal(read.metadata.resourceVersion);
      const again = await writeStatusIfChanged(api, written, aFullStatus(1, 2));
      expect(again).to.deep.equal({ outcome: 'unchanged', conflicts: 0 });
      const stored = await api.get(namespace, 'unchanged');
      expect(stored.metadata.resourceVersion).to.equal(written.metadata.resourceVersion);

      const changed = await writeStatusIfChanged(api, stored, aFullStatus(1, 1));
      expect(changed).to.deep.equal({ outcome: 'written', conflicts: 0 });
      expect((await api.get(namespace, 'unchanged')).status?.connected).to.equal(1);
    });

    describe('meets a real conflict when the object changes between the read and the write', function () {
      /** Someone changing metadata only: no new generation. */
      const addLabel = (current: GlusterCluster): Promise<unknown> =>
        admin.replaceNamespacedCustomObject({
          ...ref,
          namespace,
          name: current.metadata.name,
          body: { ...current, metadata: { ...current.metadata, labels: { team: 'storage' } } },
        });
      /** Another writer, acting on the object as it is now. */
      const cases: readonly {
        name: string;
        object: string;
        /** Right before the first write. */
        change: (current: GlusterCluster) => Promise<unknown>;
        /** Right before the writer reads the object again after the conflict. */
        beforeRead?: (current: GlusterCluster) => Promise<unknown>;
        outcome: 'written' | 'superseded';
        check: (stored: GlusterCluster | undefined, computed: GlusterClusterStatus) => void;
      }[] = [
        {
          name: 'a spec edit (a new generation): superseded, the old observation is not written',
          object: 'race-spec-edit',
          change: (current) => editSpec(current, ['10.250.0.11', '10.250.0.12', '10.250.0.13']),
          outcome: 'superseded',
          check: (stored) => {
            expect(stored?.metadata.generation).to.equal(2);
            expect(stored?.spec.nodes).to.have.length(3);
            expect(stored?.status, 'nothing was written').to.equal(undefined);
          },
        },
        {
          name: 'a label added (same generation): written on the fresh object',
          object: 'race-label',
          change: (current) => addLabel(current),
          outcome: 'written',
          check: (stored, computed) => {
            expect(stored?.metadata.generation).to.equal(1);
            // ObjectMeta declares only what the operator reads; labels are there all the same.
            expect(
              (stored?.metadata as { labels?: Record<string, string> } | undefined)?.labels,
            ).to.deep.equal({ team: 'storage' });
            expect(stored?.status).to.deep.equal(computed);
          },
        },
        {
          name: 'another status write (same generation): written over it',
          object: 'race-status',
          change: (current) => api.replaceStatus({ ...current, status: aFullStatus(1, 1) }),
          outcome: 'written',
          check: (stored, computed) => {
            expect(stored?.metadata.generation).to.equal(1);
            expect(stored?.status).to.deep.equal(computed);
          },
        },
        {
          name: 'a label added, then the object deleted before the read again: superseded',
          object: 'race-delete',
          change: (current) => addLabel(current),
          beforeRead: (current) =>
            admin.deleteNamespacedCustomObject({ ...ref, namespace, name: current.metadata.name }),
          outcome: 'superseded',
          check: (stored) => {
            expect(stored).to.equal(undefined);
          },
        },
      ];
      for (const tc of cases) {
        it(tc.name, async function () {
          const name = tc.object;
          await create(aGlusterCluster(name));
          const snapshot = await api.get(namespace, name);
          expect(snapshot.metadata.generation).to.equal(1);
          // The other writer acts after the pass read the object, right before its first write.
          let writes = 0;
          const racing: Pick<GlusterClusterApi, 'get' | 'replaceStatus'> = {
            get: async (ns, objectName) => {
              if (tc.beforeRead) await tc.beforeRead(await api.get(namespace, name));
              return api.get(ns, objectName);
            },
            replaceStatus: async (cluster) => {
              if (++writes === 1) await tc.change(await api.get(namespace, name));
              return api.replaceStatus(cluster);
            },
          };
          const computed = aFullStatus(1, 2);
          const result = await writeStatusIfChanged(racing, snapshot, computed);
          expect(result).to.deep.equal({ outcome: tc.outcome, conflicts: 1 });
          expect(writes).to.equal(tc.outcome === 'written' ? 2 : 1);
          const stored = await api.get(namespace, name).catch((error: unknown) => {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          });
          tc.check(stored, computed);
        });
      }
    });
  });

  describe('finalizers', function () {
    it('adds the finalizer once, keeping the others, without touching spec or generation', async function () {
      const created = await create(
        aGlusterCluster('finalized', { finalizers: ['example.com/other'] }),
      );
      const added = await api.addFinalizer(namespace, 'finalized');
      expect(added.metadata.finalizers).to.deep.equal(['example.com/other', FINALIZER]);
      expect(added.metadata.generation).to.equal(created.metadata.generation);
      expect(added.spec).to.deep.equal(created.spec);

      const again = await api.addFinalizer(namespace, 'finalized');
      expect(again.metadata.resourceVersion, 'no write when present').to.equal(
        added.metadata.resourceVersion,
      );

      const removed = await api.removeFinalizer(namespace, 'finalized');
      expect(removed.metadata.finalizers).to.deep.equal(['example.com/other']);
      const removedAgain = await api.removeFinalizer(namespace, 'finalized');
      expect(removedAgain.metadata.resourceVersion, 'no write when absent').to.equal(
        removed.metadata.resourceVersion,
      );
    });

    it('holds a deletion until the finalizer is removed', async function () {
      await create(aGlusterCluster('deleting'));
      await api.addFinalizer(namespace, 'deleting');
      await admin.deleteNamespacedCustomObject({ ...ref, namespace, name: 'deleting' });

      const terminating = await api.get(namespace, 'deleting');
      expect(terminating.metadata.deletionTimestamp).to.be.a('string');

      await api.removeFinalizer(namespace, 'deleting');
      expect(await rejection(api.get(namespace, 'deleting'))).to.be.instanceOf(NotFoundError);
      expect(await rejection(api.addFinalizer(namespace, 'deleting'))).to.be.instanceOf(
        NotFoundError,
      );
    });
  });

  describe('watch', function () {
    it('delivers ADDED, MODIFIED and DELETED from a list resourceVersion, then ends when aborted', async function () {
      const { resourceVersion } = await api.list();
      const events: GlusterClusterWatchEvent[] = [];
      const controller = new AbortController();
      const session = await api.watch(
        resourceVersion,
        (event) => events.push(event),
        controller.signal,
      );
      const created = await create(aGlusterCluster('watched'));
      await editSpec(created, ['10.250.0.11']);
      await admin.deleteNamespacedCustomObject({ ...ref, namespace, name: 'watched' });

      const deadline = Date.now() + 10_000;
      const forWatched = (): string[] =>
        events.flatMap((event) =>
          event.type !== 'BOOKMARK' && event.object.metadata.name === 'watched' ? [event.type] : [],
        );
      while (!forWatched().includes('DELETED') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(forWatched()).to.deep.equal(['ADDED', 'MODIFIED', 'DELETED']);

      controller.abort();
      expect(await session.ended).to.equal('aborted');
    });

    it('ends with a GoneError when the resourceVersion has expired', async function () {
      // Revision 1 predates the watch cache's window (it opened when the CRD was established),
      // and etcd's compaction has removed it too.
      await cp.compactEtcd();
      const controller = new AbortController();
      let outcome: unknown;
      let timer: NodeJS.Timeout | undefined;
      try {
        const session = await api.watch('1', () => undefined, controller.signal);
        outcome = await Promise.race([
          session.ended.catch((error: unknown) => error),
          new Promise((resolve) => {
            timer = setTimeout(() => {
              resolve('still open');
            }, 5_000);
          }),
        ]);
      } catch (error) {
        // A watch served by etcd itself refuses the request with 410 instead.
        outcome = error;
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
      expect(outcome).to.be.instanceOf(GoneError);
      expect((outcome as GoneError).code).to.equal(410);
      expect((outcome as GoneError).reason).to.equal('Expired');
    });

    it('fails the call when the server refuses the watch', async function () {
      const nobody = loadKubeConfig(await cp.serviceAccountKubeconfig(namespace, 'nobody'));
      const controller = new AbortController();
      const error = await rejection(
        createGlusterClusterApi(nobody, { namespace }).watch(
          '0',
          () => undefined,
          controller.signal,
        ),
      );
      controller.abort();
      expect(error).to.be.instanceOf(ForbiddenError);
      expect((error as ForbiddenError).code).to.equal(403);
    });
  });
});
