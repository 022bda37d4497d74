import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadYaml, type V1ConfigMap } from '@kubernetes/client-node';
import { expect } from 'chai';

const fileOf = (relative: string) =>
  fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const SCRIPT_FILE = fileOf('deploy/argocd/glustercluster-health.lua');
const PATCH_FILE = fileOf('deploy/argocd/argocd-cm-patch.yaml');
const DOCS_FILE = fileOf('docs/glustercluster-reference.md');
const KUSTOMIZATION_FILE = fileOf('deploy/kustomization.yaml');
/** The argocd-cm key Argo CD reads a health check for group glusteroperator.io, kind GlusterCluster from. */
const HEALTH_KEY = 'resource.customizations.health.glusteroperator.io_GlusterCluster';
/** The comment that marks the docs' copy of the script. */
const DOCS_MARKER = '<!-- deploy/argocd/glustercluster-health.lua -->\n\n```lua\n';

/** The fenced block right after the marker, or undefined when there is none or more than one. */
function scriptInDocs(markdown: string): string | undefined {
  const start = markdown.indexOf(DOCS_MARKER);
  if (start < 0 || markdown.indexOf(DOCS_MARKER, start + 1) >= 0) return undefined;
  const body = start + DOCS_MARKER.length;
  const end = markdown.indexOf('\n```\n', body);
  return end < 0 ? undefined : markdown.slice(body, end + 1);
}

// The script lives in one file; the docs and the argocd-cm patch carry copies that must not drift.
describe('deploy/argocd: one health script, copied verbatim', () => {
  let script: string;
  before(async () => {
    script = await readFile(SCRIPT_FILE, 'utf8');
  });

  it('docs/glustercluster-reference.md shows the script byte for byte', async () => {
    const inDocs = scriptInDocs(await readFile(DOCS_FILE, 'utf8'));
    expect(inDocs, `one \`\`\`lua block after ${DOCS_MARKER.split('\n')[0]!}`).to.be.a('string');
    expect(inDocs).to.equal(script);
  });

  it('the argocd-cm patch carries the script under the key Argo CD reads', async () => {
    const patch = loadYaml<V1ConfigMap>(await readFile(PATCH_FILE, 'utf8'));
    expect(patch).to.include({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(patch.metadata?.name).to.equal('argocd-cm');
    // A namespace would make `kubectl patch -n <Argo CD's namespace>` refuse it elsewhere.
    expect(patch.metadata).not.to.have.property('namespace');
    expect(Object.keys(patch.data ?? {})).to.deep.equal([HEALTH_KEY]);
    expect(patch.data?.[HEALTH_KEY]).to.equal(script);
  });

  it('is not part of the operator install (kubectl apply -k deploy/)', async () => {
    const kustomization = await readFile(KUSTOMIZATION_FILE, 'utf8');
    expect(kustomization).not.to.include('argocd');
  });
});
