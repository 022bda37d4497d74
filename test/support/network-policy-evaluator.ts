import type {
  V1LabelSelector,
  V1NetworkPolicy,
  V1NetworkPolicyPeer,
  V1NetworkPolicyPort,
} from '@kubernetes/client-node';
import { cidrContains, formatIp, parseCidr, parseIp, type IpAddress } from './ip-cidr.js';

/**
 * What a networking.k8s.io/v1 NetworkPolicy allows, evaluated the way the API documents it, for
 * tests of the chart's policy against observed traffic (test/e2e/network-policy.test.ts): the
 * test control plane has no network plugin, so nothing enforces a stored policy.
 *
 * Covered: policyTypes (and their default from the rules present), ingress and egress rules,
 * `from`/`to` peers (ipBlock with except; namespaceSelector and podSelector with matchLabels and
 * matchExpressions, alone or together), ports (protocol, number, name, endPort) and the empty
 * forms meaning "all". The policy is assumed to select the pod whose traffic is asked about
 * (`selectsPod` says whether it does) and to be the only one selecting it.
 *
 * Peers are what the traffic's other end is: an address (`ip`), a pod (`pod`), or both. An
 * ipBlock matches by address only, selectors by labels only, so an address outside the cluster
 * never matches a selector: only an ipBlock lets traffic out of the cluster.
 *
 * Policies are taken as client-node types them (`_from`, what helm-chart.ts's parseManifests and
 * the API client give) or as plain YAML (`from`). Anything the API server would refuse (a peer
 * with ipBlock and selectors, an empty peer, an unknown selector operator, a bad CIDR) throws:
 * a test must never pass because a policy was misread.
 */

export type Labels = Readonly<Record<string, string>>;
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** A pod at the other end of the traffic. */
export interface PodPeer {
  /** Its namespace's name; `kubernetes.io/metadata.name` is added to its labels, as the API server does. */
  readonly namespace: string;
  readonly namespaceLabels?: Labels;
  readonly labels?: Labels;
}

/** The other end of the traffic: an address, a pod, or a pod with its address. */
export interface Peer {
  readonly ip?: string;
  readonly pod?: PodPeer;
}

export interface TrafficQuery {
  readonly port: number;
  readonly protocol: Protocol;
  /**
   * The destination pod's named container ports (`http` → 8080), for rules that name a port;
   * an address outside the cluster has none.
   */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

export interface EgressQuery extends TrafficQuery {
  readonly to: Peer;
}

export interface IngressQuery extends TrafficQuery {
  readonly from: Peer;
}

export interface PolicyDecision {
  readonly allowed: boolean;
  /** `NotIsolated` (the policy does not restrict this direction), `RuleAllows` or `NoRuleAllows`. */
  readonly reason: 'NotIsolated' | 'RuleAllows' | 'NoRuleAllows';
  /** What decided it, e.g. `egress[2] allows TCP 22 to 10.250.0.11 (ipBlock 10.250.0.0/16)`. */
  readonly message: string;
}

type Direction = 'Ingress' | 'Egress';
/** A rule in either typing: client-node's (`_from`) or plain YAML's (`from`). */
interface RuleInput {
  readonly _from?: readonly V1NetworkPolicyPeer[];
  readonly from?: readonly V1NetworkPolicyPeer[];
  readonly to?: readonly V1NetworkPolicyPeer[];
  readonly ports?: readonly V1NetworkPolicyPort[];
}

export function evaluateEgress(policy: V1NetworkPolicy, query: EgressQuery): PolicyDecision {
  return evaluate(policy, 'Egress', query.to, query);
}

export function evaluateIngress(policy: V1NetworkPolicy, query: IngressQuery): PolicyDecision {
  return evaluate(policy, 'Ingress', query.from, query);
}

export function allowsEgress(policy: V1NetworkPolicy, query: EgressQuery): boolean {
  return evaluateEgress(policy, query).allowed;
}

export function allowsIngress(policy: V1NetworkPolicy, query: IngressQuery): boolean {
  return evaluateIngress(policy, query).allowed;
}

/** Whether the policy applies to a pod with these labels in this namespace. */
export function selectsPod(policy: V1NetworkPolicy, namespace: string, labels: Labels): boolean {
  return (
    policy.metadata?.namespace === namespace &&
    matchesSelector(policy.spec?.podSelector ?? {}, labels)
  );
}

/**
 * The directions the policy isolates: `policyTypes` when given, else Ingress always and Egress
 * when it has egress rules (the API server's default).
 */
export function policyDirections(policy: V1NetworkPolicy): ReadonlySet<Direction> {
  const given = policy.spec?.policyTypes;
  if (given !== undefined && given.length > 0) {
    for (const type of given) {
      if (type !== 'Ingress' && type !== 'Egress') throw new Error(`Unknown policyType ${type}`);
    }
    return new Set(given as Direction[]);
  }
  return new Set<Direction>(
    (policy.spec?.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'],
  );
}

/** Whether the selector matches these labels; an empty selector matches everything. */
export function matchesSelector(selector: V1LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const value = labels[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        throw new Error(`Unknown label selector operator ${requirement.operator}`);
    }
  }
  return true;
}

function evaluate(
  policy: V1NetworkPolicy,
  direction: Direction,
  peer: Peer,
  traffic: TrafficQuery,
): PolicyDecision {
  const rules = validatePolicy(policy);
  const what = describeTraffic(direction, peer, traffic);
  if (!policyDirections(policy).has(direction)) {
    return {
      allowed: true,
      reason: 'NotIsolated',
      message: `the policy does not restrict ${direction.toLowerCase()}: ${what} is not its concern`,
    };
  }
  const field = direction === 'Ingress' ? 'ingress' : 'egress';
  const ip = peer.ip === undefined ? undefined : parseIp(peer.ip);
  const misses: string[] = [];
  for (const [index, rule] of rules[field].entries()) {
    const name = `${field}[${String(index)}]`;
    const peerMatch = matchPeers(policy, rule.peers, ip, peer.pod);
    const portMatch = matchPorts(rule.ports, traffic);
    if (peerMatch.matched && portMatch.matched) {
      return {
        allowed: true,
        reason: 'RuleAllows',
        message: `${name} allows ${what} (${peerMatch.by}; ${portMatch.by})`,
      };
    }
    misses.push(`${name}: ${peerMatch.matched ? portMatch.by : peerMatch.by}`);
  }
  return {
    allowed: false,
    reason: 'NoRuleAllows',
    message: `no ${field} rule allows ${what}${misses.length > 0 ? ` (${misses.join('; ')})` : ' (there are none)'}`,
  };
}

/** A rule of either direction, its peers in one field. */
interface Rule {
  readonly peers: readonly V1NetworkPolicyPeer[];
  readonly ports: readonly V1NetworkPolicyPort[];
}

/**
 * The policy's rules, after checking the whole policy (not only the rules a query reaches) for
 * what the API server would refuse.
 * @throws Error naming the first thing refused
 */
function validatePolicy(policy: V1NetworkPolicy): { ingress: Rule[]; egress: Rule[] } {
  policyDirections(policy); // refuses an unknown policyType
  const rulesOf = (field: 'ingress' | 'egress'): Rule[] =>
    ((policy.spec?.[field] ?? []) as readonly RuleInput[]).map((rule, index) => {
      const name = `${field}[${String(index)}]`;
      if (rule._from !== undefined && rule.from !== undefined) {
        throw new Error(`${name} has both _from and from: pass the policy in one typing`);
      }
      const peers = (field === 'ingress' ? (rule._from ?? rule.from) : rule.to) ?? [];
      const ports = rule.ports ?? [];
      for (const candidate of peers) validatePeer(candidate, name);
      for (const entry of ports) validatePort(entry, name);
      return { peers, ports };
    });
  if (policy.spec?.podSelector !== undefined)
    validateSelector(policy.spec.podSelector, 'podSelector');
  return { ingress: rulesOf('ingress'), egress: rulesOf('egress') };
}

function validatePeer(peer: V1NetworkPolicyPeer, rule: string): void {
  const { ipBlock, namespaceSelector, podSelector } = peer;
  if (ipBlock !== undefined) {
    if (namespaceSelector !== undefined || podSelector !== undefined) {
      throw new Error(
        `${rule}: a peer with an ipBlock may have no selector (the API server refuses it)`,
      );
    }
    const block = parseCidr(ipBlock.cidr);
    for (const except of ipBlock.except ?? []) {
      const excluded = parseCidr(except);
      if (
        excluded.prefixLength <= block.prefixLength ||
        !cidrContains(block, { family: excluded.family, value: excluded.network })
      ) {
        throw new Error(
          `${rule}: ipBlock ${ipBlock.cidr}: except ${except} is not a strict subset of it`,
        );
      }
    }
    return;
  }
  if (namespaceSelector === undefined && podSelector === undefined) {
    throw new Error(`${rule}: a peer needs an ipBlock, a namespaceSelector or a podSelector`);
  }
  if (namespaceSelector !== undefined) validateSelector(namespaceSelector, rule);
  if (podSelector !== undefined) validateSelector(podSelector, rule);
}

function validatePort(entry: V1NetworkPolicyPort, rule: string): void {
  const { port, endPort, protocol } = entry;
  if (protocol !== undefined && !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    throw new Error(`${rule}: unknown protocol ${protocol}`);
  }
  if (endPort !== undefined && (typeof port !== 'number' || endPort < port)) {
    throw new Error(`${rule}: endPort ${String(endPort)} needs a numeric port no greater than it`);
  }
}

function validateSelector(selector: V1LabelSelector, where: string): void {
  for (const { operator } of selector.matchExpressions ?? []) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) {
      throw new Error(`${where}: unknown label selector operator ${operator}`);
    }
  }
}

interface Match {
  readonly matched: boolean;
  /** Why it matched, or why not. */
  readonly by: string;
}

function matchPeers(
  policy: V1NetworkPolicy,
  peers: readonly V1NetworkPolicyPeer[],
  ip: IpAddress | undefined,
  pod: PodPeer | undefined,
): Match {
  if (peers.length === 0) return { matched: true, by: 'any peer' };
  for (const candidate of peers) {
    const by = matchPeer(policy, candidate, ip, pod);
    if (by !== undefined) return { matched: true, by };
  }
  return { matched: false, by: 'peer not selected' };
}

/** How the policy's (valid) peer selects the traffic's peer, or undefined when it does not. */
function matchPeer(
  policy: V1NetworkPolicy,
  candidate: V1NetworkPolicyPeer,
  ip: IpAddress | undefined,
  pod: PodPeer | undefined,
): string | undefined {
  const { ipBlock, namespaceSelector, podSelector } = candidate;
  if (ipBlock !== undefined) {
    if (ip === undefined || !cidrContains(parseCidr(ipBlock.cidr), ip)) return undefined;
    const except = ipBlock.except ?? [];
    if (except.some((text) => cidrContains(parseCidr(text), ip))) return undefined;
    return `ipBlock ${ipBlock.cidr}${except.length > 0 ? ` except ${except.join(', ')}` : ''}`;
  }
  if (pod === undefined) return undefined;
  const namespaceLabels = {
    ...pod.namespaceLabels,
    'kubernetes.io/metadata.name': pod.namespace,
  };
  const inNamespace =
    namespaceSelector === undefined
      ? pod.namespace === policy.metadata?.namespace
      : matchesSelector(namespaceSelector, namespaceLabels);
  if (!inNamespace) return undefined;
  if (podSelector !== undefined && !matchesSelector(podSelector, pod.labels ?? {}))
    return undefined;
  return namespaceSelector === undefined
    ? "podSelector in the policy's namespace"
    : podSelector === undefined
      ? 'namespaceSelector'
      : 'namespaceSelector and podSelector';
}

function matchPorts(ports: readonly V1NetworkPolicyPort[], traffic: TrafficQuery): Match {
  if (ports.length === 0) return { matched: true, by: 'any port' };
  for (const { protocol = 'TCP', port, endPort } of ports) {
    if (protocol !== traffic.protocol) continue;
    if (port === undefined) return { matched: true, by: `any ${protocol} port` };
    if (typeof port === 'string') {
      if (traffic.namedPorts?.[port] === traffic.port) {
        return { matched: true, by: `${protocol} port ${port}` };
      }
      continue;
    }
    const last = endPort ?? port;
    if (traffic.port >= port && traffic.port <= last) {
      return {
        matched: true,
        by: `${protocol} ${endPort === undefined ? String(port) : `${String(port)}-${String(last)}`}`,
      };
    }
  }
  return { matched: false, by: `${traffic.protocol} ${String(traffic.port)} not among its ports` };
}

function describeTraffic(direction: Direction, peer: Peer, traffic: TrafficQuery): string {
  const parts: string[] = [];
  if (peer.ip !== undefined) parts.push(formatIp(parseIp(peer.ip)));
  if (peer.pod !== undefined) {
    const labels = Object.entries(peer.pod.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    parts.push(`pod ${peer.pod.namespace}/{${labels.join(',')}}`);
  }
  const end = parts.length > 0 ? parts.join(' ') : 'an unknown peer';
  return `${traffic.protocol} ${String(traffic.port)} ${direction === 'Egress' ? 'to' : 'from'} ${end}`;
}
