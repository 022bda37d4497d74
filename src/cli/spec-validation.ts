import type { GlusterCluster } from '../api/gluster-cluster.js';
import { API_GROUP, API_VERSION, KIND } from '../api/gluster-cluster.js';
import { checkHostAddress } from '../api/host-address.js';
import { SPEC_RULES } from '../api/spec-rules.js';
import { parseDurationMs } from '../core/duration.js';
import { normalizeHost } from '../gluster/host-identity.js';

type Json = Record<string, unknown>;

/**
 * Every problem with `value` as a GlusterCluster, each naming its field; empty when the API
 * server would accept it. Pure.
 */
export function checkGlusterCluster(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return ['the document is not an object'];
  if (value['apiVersion'] !== `${API_GROUP}/${API_VERSION}`) {
    problems.push(`apiVersion must be ${API_GROUP}/${API_VERSION}`);
  }
  if (value['kind'] !== KIND) problems.push(`kind must be ${KIND}`);
  const metadata = value['metadata'];
  if (!isObject(metadata) || typeof metadata['name'] !== 'string' || metadata['name'] === '') {
    problems.push('metadata.name is required');
  }
  const spec = value['spec'];
  if (!isObject(spec)) return [...problems, 'spec is required'];
  if ((spec['nodes'] === undefined) === (spec['inventory'] === undefined)) {
    problems.push('set exactly one of spec.nodes and spec.inventory');
  }
  if (spec['nodes'] !== undefined) problems.push(...checkNodes(spec['nodes']));
  problems.push(...checkSsh(spec['ssh']));
  checkEnum(problems, spec, 'removalPolicy', SPEC_RULES.removalPolicies);
  checkEnum(problems, spec, 'deletionPolicy', SPEC_RULES.deletionPolicies);
  checkBoolean(problems, spec, 'paused', 'spec.paused');
  const resync = spec['resyncInterval'];
  if (resync !== undefined) {
    const ms =
      typeof resync === 'string' && new RegExp(SPEC_RULES.resyncPattern).test(resync)
        ? parseDurationMs(resync)
        : undefined;
    if (ms === undefined || ms < SPEC_RULES.resyncMinMs || ms > SPEC_RULES.resyncMaxMs) {
      problems.push(
        'spec.resyncInterval must be a duration such as 30s, 5m or 1h30m, from 10s to 24h',
      );
    }
  }
  return problems;
}

/** The value as a GlusterCluster, once checkGlusterCluster found nothing wrong. */
export function asGlusterCluster(value: unknown, namespace: string): GlusterCluster {
  const cluster = value as GlusterCluster;
  // A manifest usually has no namespace: it goes where -n (kubectl apply --namespace) says.
  return {
    ...cluster,
    metadata: { ...cluster.metadata, namespace: cluster.metadata.namespace || namespace },
  };
}

function checkNodes(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) return ['spec.nodes is required: a list of nodes'];
  if (nodes.length < 1 || nodes.length > SPEC_RULES.maxNodes) {
    return [`spec.nodes must have 1 to ${SPEC_RULES.maxNodes} nodes, not ${nodes.length}`];
  }
  const problems: string[] = [];
  const addresses = new Map<string, number>();
  const names = new Map<string, number>();
  nodes.forEach((node: unknown, index) => {
    const path = `spec.nodes[${index}]`;
    if (!isObject(node)) {
      problems.push(`${path} must be an object with an address`);
      return;
    }
    const address = node['address'];
    if (typeof address !== 'string') {
      problems.push(`${path}.address is required`);
      return;
    }
    const check = checkHostAddress(address);
    if (!check.valid) {
      problems.push(`${path}.address: ${check.reason}`);
      return;
    }
    const key = normalizeHost(address);
    const earlier = addresses.get(key);
    if (earlier !== undefined)
      problems.push(`${path}.address is the same node as spec.nodes[${earlier}]`);
    else addresses.set(key, index);
    checkString(
      problems,
      node,
      'name',
      `${path}.name`,
      SPEC_RULES.namePattern,
      SPEC_RULES.nameMaxLength,
    );
    checkString(
      problems,
      node,
      'zone',
      `${path}.zone`,
      SPEC_RULES.zonePattern,
      SPEC_RULES.zoneMaxLength,
    );
    checkBoolean(problems, node, 'allowForceDetach', `${path}.allowForceDetach`);
    checkBoolean(problems, node, 'reclaimFromOtherPool', `${path}.reclaimFromOtherPool`);
    // A node without a name goes by its address (the CRD's rule compares them as written).
    const name = typeof node['name'] === 'string' ? node['name'] : address;
    const sameName = names.get(name);
    if (sameName !== undefined)
      problems.push(`${path} has the same name as spec.nodes[${sameName}]`);
    else names.set(name, index);
  });
  return problems;
}

function checkSsh(ssh: unknown): string[] {
  if (!isObject(ssh)) return ['spec.ssh is required (at least ssh.secretRef.name)'];
  const problems: string[] = [];
  const secretRef = ssh['secretRef'];
  if (!isObject(secretRef) || secretRef['name'] === undefined) {
    problems.push('spec.ssh.secretRef.name is required');
  } else {
    checkString(
      problems,
      secretRef,
      'name',
      'spec.ssh.secretRef.name',
      SPEC_RULES.secretNamePattern,
      SPEC_RULES.secretNameMaxLength,
    );
  }
  checkString(
    problems,
    ssh,
    'user',
    'spec.ssh.user',
    SPEC_RULES.userPattern,
    SPEC_RULES.userMaxLength,
  );
  const port = ssh['port'];
  if (
    port !== undefined &&
    !(Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535)
  ) {
    problems.push('spec.ssh.port must be an integer from 1 to 65535');
  }
  checkBoolean(problems, ssh, 'sudo', 'spec.ssh.sudo');
  return problems;
}

function checkString(
  problems: string[],
  object: Json,
  key: string,
  path: string,
  pattern: string,
  maxLength: number,
): void {
  const value = object[key];
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length > maxLength || !new RegExp(pattern).test(value)) {
    problems.push(`${path} must match ${pattern} and be at most ${maxLength} characters`);
  }
}

function checkBoolean(problems: string[], object: Json, key: string, path: string): void {
  const value = object[key];
  if (value !== undefined && typeof value !== 'boolean')
    problems.push(`${path} must be true or false`);
}

function checkEnum(problems: string[], spec: Json, key: string, allowed: readonly string[]): void {
  const value = spec[key];
  if (value !== undefined && (typeof value !== 'string' || !allowed.includes(value))) {
    problems.push(`spec.${key} must be one of ${allowed.join(', ')}`);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
