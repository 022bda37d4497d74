import { expect } from 'chai';
import type { V1Container, V1Deployment, V1EnvVar } from '@kubernetes/client-node';

/** The Deployment's one container, which must be named `operator`. */
export function operatorContainer(deployment: V1Deployment): V1Container {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  expect(containers.map((container) => container.name)).to.deep.equal(['operator']);
  return containers[0]!;
}

/** The variables with a literal value (the API server stores an empty value as none). */
export function plainEnv(env: readonly V1EnvVar[] | undefined): Record<string, string> {
  return Object.fromEntries(
    (env ?? [])
      .filter((entry) => entry.valueFrom === undefined)
      .map((entry) => [entry.name, entry.value ?? '']),
  );
}
