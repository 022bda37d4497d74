import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { expect } from 'chai';
import { AuthenticationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { PooledKubeConfig } from '../../src/kube/pooled-kube-config.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import type { ControlPlane } from '../support/control-plane.js';

/** Inodes of this process's sockets. */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // The fd closed while we looked.
    }
  }
  return inodes;
}

/** This process's ESTABLISHED TCP connections to `port` on loopback, as socket inodes. */
function establishedTo(port: number): Set<string> {
  const own = ownSocketInodes();
  const found = new Set<string>();
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [remote, state, inode] = [fields[2], fields[3], fields[9]];
      if (remote?.endsWith(`:${portHex}`) && state === '01' && inode && own.has(inode)) {
        found.add(inode);
      }
    }
  }
  return found;
}

function newSince(before: Set<string>, after: Set<string>): number {
  return [...after].filter((inode) => !before.has(inode)).length;
}

async function whoAmI(kc: KubeConfig): Promise<string | undefined> {
  const review = await kc
    .makeApiClient(AuthenticationV1Api)
    .createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1' } });
  return review.status?.userInfo?.username;
}

describe('PooledKubeConfig against the real API server', function () {
  let cp: ControlPlane;
  let port: number;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    cp = await getControlPlane();
    port = Number(new URL(cp.server).port);
  });

  it('sends many requests over one connection, where plain client-node opens one each', async () => {
    const requests = 30;
    const run = async (kc: KubeConfig): Promise<number> => {
      const before = establishedTo(port);
      const core = kc.makeApiClient(CoreV1Api);
      for (let i = 0; i < requests; i++) await core.listNamespace({ limit: 1 });
      return newSince(before, establishedTo(port));
    };

    const pooled = new PooledKubeConfig();
    pooled.loadFromFile(cp.kubeconfigPath);
    const pooledConnections = await run(pooled);
    await pooled.closeConnections();

    const plain = new KubeConfig();
    plain.loadFromFile(cp.kubeconfigPath);
    const plainConnections = await run(plain);

    expect(pooledConnections, 'connections opened by 30 pooled requests').to.be.within(1, 2);
    // The reason PooledKubeConfig exists. If this fails, client-node now pools on its own and
    // PooledKubeConfig can go.
    expect(plainConnections, 'connections opened by 30 plain client-node requests').to.be.above(
      requests / 2,
    );
  });

  it('opens a new pool when the client certificate changes, so requests carry the new identity', async () => {
    const kc = new PooledKubeConfig();
    kc.loadFromFile(await cp.userKubeconfig('pooled-first'));
    expect(await whoAmI(kc)).to.equal('pooled-first');
    expect(await whoAmI(kc)).to.equal('pooled-first');

    // Same object, rotated credentials (as after a kubeconfig or certificate reload).
    kc.loadFromFile(await cp.userKubeconfig('pooled-second'));
    expect(await whoAmI(kc)).to.equal('pooled-second');
    await kc.closeConnections();
  });

  it('closes its connections on closeConnections, and later requests still work', async () => {
    const kc = new PooledKubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const before = establishedTo(port);
    const core = kc.makeApiClient(CoreV1Api);
    await core.listNamespace({ limit: 1 });
    const open = [...establishedTo(port)].filter((inode) => !before.has(inode));
    expect(open).to.have.length(1);

    await kc.closeConnections();
    const deadline = Date.now() + 5_000;
    while (establishedTo(port).has(open[0]!) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(establishedTo(port).has(open[0]!), 'the pooled connection is closed').to.equal(false);
    expect((await core.listNamespace({ limit: 1 })).items.length).to.be.at.least(1);
  });
});
