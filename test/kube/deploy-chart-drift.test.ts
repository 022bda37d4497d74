import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Container,
  V1Deployment,
} from '@kubernetes/client-node';
import {
  findObject,
  objectKey,
  parseManifests,
  renderChart,
  type ManifestObject,
} from '../support/helm-chart.js';
import { resolveKubeTestBinaries } from '../support/kube-test-binaries.js';
import { runCommand } from '../support/run-command.js';
import { resolveTestTools } from '../support/test-tools.js';
import { operatorContainer } from '../support/operator-container.js';

/**
 * deploy/ (kustomize) and charts/gluster-operator (helm, default values, release and namespace
 * gluster-operator) install the same operator: the same objects under the same names, the same
 * RBAC, environment, security context and CRD. They may differ only in labels (the chart's carry
 * the release) and in the Namespace object (helm's --create-namespace makes it).
 */

const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));
const NAME = 'gluster-operator';

type Labels = Record<string, string>;

/** The operator Deployment's pod selector. */
function podSelector(objects: readonly ManifestObject[]): Labels {
  const deployment = findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject;
  return deployment.spec?.selector.matchLabels ?? {};
}

function isSameLabels(value: unknown, labels: Labels): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length === Object.keys(labels).length &&
    entries.every(([key, item]) => labels[key] === item)
  );
}

/**
 * A deep copy without labels, with every map equal to the pod selector replaced by a marker, so
 * that `helm.sh/chart` and `app.kubernetes.io/instance` do not count as drift while a selector
 * that picks other pods still does.
 */
function normalise(value: unknown, selector: Labels): unknown {
  if (isSameLabels(value, selector)) return '<pod selector>';
  if (Array.isArray(value)) return value.map((item) => normalise(item, selector));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, item]) => key !== 'labels' && item !== undefined)
      .map(([key, item]) => [key, normalise(item, selector)]),
  );
}

function operatorContainerOf(objects: readonly ManifestObject[]): V1Container {
  return operatorContainer(findObject(objects, 'Deployment', NAME));
}

describe('deploy/ and charts/gluster-operator install the same operator', function () {
  this.timeout(60_000);
  let deploy: ManifestObject[];
  let chart: ManifestObject[];

  before(async function () {
    this.timeout(0); // the first run builds helm (scripts/test-tools) and kubectl's source
    await resolveTestTools();
    const { kubectl } = await resolveKubeTestBinaries();
    const built = await runCommand(kubectl, ['kustomize', DEPLOY_DIR]);
    expect(built.exitCode, built.stderr).to.equal(0);
    deploy = parseManifests(built.stdout).filter((object) => object.kind !== 'Namespace');
    chart = await renderChart({ includeCrds: true });
  });

  it('renders the same objects under the same names (the Namespace aside)', () => {
    expect(chart.map(objectKey).sort()).to.deep.equal(deploy.map(objectKey).sort());
  });

  it('grants the same rules in every ClusterRole and Role, bound to the same subjects', () => {
    for (const kind of ['ClusterRole', 'Role']) {
      for (const role of deploy.filter((object) => object.kind === kind)) {
        const twin = findObject(chart, kind, role.metadata.name) as V1ClusterRole & ManifestObject;
        expect(twin.rules, `${kind} ${role.metadata.name}`).to.deep.equal(
          (role as V1ClusterRole & ManifestObject).rules,
        );
      }
    }
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      for (const binding of deploy.filter((object) => object.kind === kind)) {
        const twin = findObject(chart, kind, binding.metadata.name) as V1ClusterRoleBinding &
          ManifestObject;
        const own = binding as V1ClusterRoleBinding & ManifestObject;
        expect(twin.roleRef, `${kind} ${binding.metadata.name}`).to.deep.equal(own.roleRef);
        expect(twin.subjects, `${kind} ${binding.metadata.name}`).to.deep.equal(own.subjects);
      }
    }
  });

  it('sets the same environment: every name, value and source, in the same order', () => {
    expect(operatorContainerOf(chart).env).to.deep.equal(operatorContainerOf(deploy).env);
  });

  it('runs with the same security contexts, image, ports, probes and resources', () => {
    const ours = operatorContainerOf(chart);
    const theirs = operatorContainerOf(deploy);
    for (const field of [
      'securityContext',
      'image',
      'imagePullPolicy',
      'ports',
      'livenessProbe',
      'readinessProbe',
      'resources',
    ] as const) {
      expect(ours[field], field).to.deep.equal(theirs[field]);
    }
    const podSecurity = (objects: readonly ManifestObject[]): unknown =>
      (findObject(objects, 'Deployment', NAME) as V1Deployment & ManifestObject).spec?.template.spec
        ?.securityContext;
    expect(podSecurity(chart)).to.deep.equal(podSecurity(deploy));
  });

  it('installs the same CRDs', () => {
    for (const name of [
      'glusterclusters.glusteroperator.io',
      'glustervolumes.glusteroperator.io',
    ]) {
      expect(findObject(chart, 'CustomResourceDefinition', name), name).to.deep.equal(
        findObject(deploy, 'CustomResourceDefinition', name),
      );
    }
  });

  it('differs in nothing else but labels', () => {
    const chartSelector = podSelector(chart);
    const deploySelector = podSelector(deploy);
    for (const object of deploy) {
      const twin = findObject(chart, object.kind, object.metadata.name);
      expect(normalise(twin, chartSelector), objectKey(object)).to.deep.equal(
        normalise(object, deploySelector),
      );
    }
  });
});
