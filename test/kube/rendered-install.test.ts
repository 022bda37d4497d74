import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { runCommand } from '../support/run-command.js';

/**
 * install/gluster-operator.yaml, the one-file install, is generated from deploy/ and crds/ by
 * scripts/render-install (kubectl kustomize, then prettier). Here it is rendered again: a change to
 * deploy/ or crds/ committed without rendering fails CI. Needs kubectl, hence the kube tier.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const INSTALL_FILE = path.join(REPO, 'install', 'gluster-operator.yaml');
const RENDER = path.join(REPO, 'scripts', 'render-install');

/** "Kind namespace/name" of each document, for a message a person can act on. */
function describeDocuments(yaml: string): Map<string, string> {
  const documents = new Map<string, string>();
  for (const object of loadAllYaml(yaml) as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
  }[]) {
    const { kind = '?', metadata = {} } = object;
    const name = [metadata.namespace, metadata.name].filter(Boolean).join('/');
    documents.set(`${kind} ${name}`, JSON.stringify(object));
  }
  return documents;
}

describe('install/gluster-operator.yaml', function () {
  this.timeout(60_000);

  it('is what scripts/render-install makes of deploy/ and crds/ now', async () => {
    const rendered = await runCommand(RENDER, ['--stdout'], { cwd: REPO });
    expect(rendered.exitCode, rendered.stderr).to.equal(0);
    const committed = await readFile(INSTALL_FILE, 'utf8').catch((error: unknown) => {
      throw new Error(`${INSTALL_FILE} is missing: run scripts/render-install and commit it`, {
        cause: error,
      });
    });
    if (committed === rendered.stdout) return;
    // Another kubectl or prettier may lay the same objects out differently: only content counts.
    const want = describeDocuments(rendered.stdout);
    const have = describeDocuments(committed);
    const differing = [...new Set([...want.keys(), ...have.keys()])].filter(
      (key) => want.get(key) !== have.get(key),
    );
    expect(
      differing,
      'install/gluster-operator.yaml differs from deploy/ and crds/ in these objects: run scripts/render-install and commit the result',
    ).to.deep.equal([]);
  });

  it('holds the CRDs, the Deployment and what glusterd events need', async () => {
    const documents = describeDocuments(await readFile(INSTALL_FILE, 'utf8'));
    expect([...documents.keys()]).to.include.members([
      'CustomResourceDefinition glusterclusters.glusteroperator.io',
      'CustomResourceDefinition glustervolumes.glusteroperator.io',
      'Deployment gluster-operator/gluster-operator',
      'Service gluster-operator/gluster-operator-events',
      'Role gluster-operator/gluster-operator-events-key',
      'RoleBinding gluster-operator/gluster-operator-events-key',
    ]);
  });
});
