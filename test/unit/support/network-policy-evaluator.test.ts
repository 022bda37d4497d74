import { expect } from 'chai';
import type {
  V1NetworkPolicy,
  V1NetworkPolicyEgressRule,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicySpec,
} from '@kubernetes/client-node';
import {
  evaluateEgress,
  evaluateIngress,
  matchesSelector,
  policyDirections,
  selectsPod,
  type EgressQuery,
  type IngressQuery,
  type PolicyDecision,
} from '../../support/network-policy-evaluator.js';

const NAMESPACE = 'gluster-operator';
const SELECTOR = {
  'app.kubernetes.io/name': 'gluster-operator',
  'app.kubernetes.io/instance': 'gluster-operator',
};

/** Changes the (fresh) policy aPolicy builds. */
type Modifier = (policy: V1NetworkPolicy & { spec: V1NetworkPolicySpec }) => void;

/** A policy in the operator's namespace selecting its pods, with the modifiers applied. */
function aPolicy(...modifiers: Modifier[]): V1NetworkPolicy {
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'gluster-operator', namespace: NAMESPACE },
    spec: { podSelector: { matchLabels: SELECTOR } },
  };
  for (const modify of modifiers) modify(policy);
  return policy;
}
const withTypes =
  (...policyTypes: string[]): Modifier =>
  (policy) => {
    policy.spec.policyTypes = policyTypes;
  };
const withEgress =
  (...egress: V1NetworkPolicyEgressRule[]): Modifier =>
  (policy) => {
    policy.spec.egress = egress;
  };
const withIngress =
  (...ingress: V1NetworkPolicyIngressRule[]): Modifier =>
  (policy) => {
    policy.spec.ingress = ingress;
  };

/** What the chart renders (networkPolicy.enabled), typed as client-node types it (`_from`). */
const CHART_POLICY = aPolicy(
  withTypes('Ingress', 'Egress'),
  withIngress({
    _from: [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ],
    ports: [{ protocol: 'TCP', port: 8080 }],
  }),
  withEgress(
    {
      to: [{ ipBlock: { cidr: '192.0.2.10/32' } }, { ipBlock: { cidr: '192.0.2.11/32' } }],
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 6443 },
      ],
    },
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
    {
      to: [{ ipBlock: { cidr: '10.250.0.0/16' } }, { ipBlock: { cidr: 'fd42:676f:70::/48' } }],
      ports: [{ protocol: 'TCP', port: 22 }],
    },
  ),
);

const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

interface EgressCase {
  readonly name: string;
  readonly policy?: V1NetworkPolicy;
  readonly query: EgressQuery;
  readonly allowed: boolean;
  /** Matched against the decision's message. */
  readonly message?: RegExp;
}

describe('network-policy-evaluator', () => {
  describe('egress', () => {
    const cases: EgressCase[] = [
      // The chart's policy.
      {
        name: 'the API server on 443',
        query: { to: { ip: '192.0.2.10' }, port: 443, protocol: 'TCP' },
        allowed: true,
        message:
          /egress\[0\] allows TCP 443 to 192\.0\.2\.10 \(ipBlock 192\.0\.2\.10\/32; TCP 443\)/,
      },
      {
        name: 'the second API server endpoint on 6443',
        query: { to: { ip: '192.0.2.11' }, port: 6443, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'denies the API server address on another port (etcd)',
        query: { to: { ip: '192.0.2.10' }, port: 2379, protocol: 'TCP' },
        allowed: false,
        message:
          /no egress rule allows TCP 2379 to 192\.0\.2\.10 \(egress\[0\]: TCP 2379 not among its ports; egress\[1\]: peer not selected; egress\[2\]: peer not selected\)/,
      },
      {
        name: 'denies UDP to the API server port',
        query: { to: { ip: '192.0.2.10' }, port: 443, protocol: 'UDP' },
        allowed: false,
      },
      {
        name: 'SSH to a node in the IPv4 CIDR',
        query: { to: { ip: '10.250.3.12' }, port: 22, protocol: 'TCP' },
        allowed: true,
        message: /egress\[2\].*ipBlock 10\.250\.0\.0\/16/,
      },
      {
        name: 'SSH to a node in the IPv6 CIDR, written in full and upper case',
        query: { to: { ip: 'FD42:676F:0070:0003:0:0:0:12' }, port: 22, protocol: 'TCP' },
        allowed: true,
        message: /to fd42:676f:70:3::12 .*ipBlock fd42:676f:70::\/48/,
      },
      {
        name: 'SSH to an IPv4-mapped IPv6 address of a node (IPv4 on the wire)',
        query: { to: { ip: '::ffff:10.250.0.11' }, port: 22, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'denies SSH just outside the IPv4 CIDR',
        query: { to: { ip: '10.251.0.11' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'denies SSH just outside the IPv6 CIDR',
        query: { to: { ip: 'fd42:676f:71::11' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'denies SSH to a public address',
        query: { to: { ip: '198.51.100.7' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'denies another port on a node',
        query: { to: { ip: '10.250.0.11' }, port: 24007, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'denies HTTPS to a public IPv4 address',
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'denies HTTPS to a public IPv6 address',
        query: { to: { ip: '2001:db8::80' }, port: 443, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'DNS over UDP to kube-dns',
        query: { to: { ip: '10.96.0.10', pod: KUBE_DNS }, port: 53, protocol: 'UDP' },
        allowed: true,
        message:
          /egress\[1\] allows UDP 53 to 10\.96\.0\.10 pod kube-system\/\{k8s-app=kube-dns\} \(namespaceSelector and podSelector; UDP 53\)/,
      },
      {
        name: 'DNS over TCP to kube-dns',
        query: { to: { pod: KUBE_DNS }, port: 53, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'denies DNS to a resolver outside the cluster (selectors match pods only)',
        query: { to: { ip: '8.8.8.8' }, port: 53, protocol: 'UDP' },
        allowed: false,
      },
      {
        name: 'denies DNS to another pod of kube-system',
        query: {
          to: { pod: { namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } } },
          port: 53,
          protocol: 'UDP',
        },
        allowed: false,
      },
      {
        name: 'denies DNS to a kube-dns look-alike in another namespace',
        query: {
          to: { pod: { namespace: 'default', labels: { 'k8s-app': 'kube-dns' } } },
          port: 53,
          protocol: 'UDP',
        },
        allowed: false,
      },
      {
        name: 'denies another port of kube-dns',
        query: { to: { pod: KUBE_DNS }, port: 9153, protocol: 'TCP' },
        allowed: false,
      },

      // policyTypes and empty rules.
      {
        name: 'an empty egress rule allows everything',
        policy: aPolicy(withTypes('Egress'), withEgress({})),
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: true,
        message: /any peer; any port/,
      },
      {
        name: 'Egress with no rules denies everything',
        policy: aPolicy(withTypes('Egress')),
        query: { to: { ip: '10.250.0.11' }, port: 22, protocol: 'TCP' },
        allowed: false,
        message: /there are none/,
      },
      {
        name: 'Egress with an empty list of rules denies everything',
        policy: aPolicy(withTypes('Ingress', 'Egress'), withEgress()),
        query: { to: { ip: '10.250.0.11' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'no policyTypes and no egress rules: egress is not restricted',
        policy: aPolicy(withIngress({})),
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: true,
        message: /does not restrict egress/,
      },
      {
        name: 'no policyTypes but egress rules: egress is restricted to them',
        policy: aPolicy(withEgress({ ports: [{ port: 22 }] })),
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'policyTypes Ingress only: egress rules restrict nothing',
        policy: aPolicy(withTypes('Ingress'), withEgress({ ports: [{ port: 22 }] })),
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'a rule without ports allows every port of its peers',
        policy: aPolicy(withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] })),
        query: { to: { ip: '10.1.2.3' }, port: 65535, protocol: 'UDP' },
        allowed: true,
      },
      {
        name: 'a rule without peers allows its ports to anyone',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'TCP', port: 443 }] })),
        query: { to: { ip: '2001:db8::1' }, port: 443, protocol: 'TCP' },
        allowed: true,
      },

      // ipBlock.
      {
        name: 'ipBlock except: outside the exception',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }),
        ),
        query: { to: { ip: '10.2.0.1' }, port: 22, protocol: 'TCP' },
        allowed: true,
        message: /ipBlock 10\.0\.0\.0\/8 except 10\.1\.0\.0\/16/,
      },
      {
        name: 'ipBlock except: inside the exception',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }),
        ),
        query: { to: { ip: '10.1.255.255' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'ipBlock except, IPv6: outside the exception',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }),
        ),
        query: { to: { ip: '2001:db8:2::1' }, port: 22, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'ipBlock except, IPv6: inside the exception',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }),
        ),
        query: { to: { ip: '2001:db8:1:ffff::1' }, port: 22, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: '0.0.0.0/0 does not cover IPv6',
        policy: aPolicy(withEgress({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })),
        query: { to: { ip: '2001:db8::1' }, port: 443, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: '::/0 covers every IPv6 address',
        policy: aPolicy(withEgress({ to: [{ ipBlock: { cidr: '::/0' } }] })),
        query: { to: { ip: '2001:db8::1' }, port: 443, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'an ipBlock does not match a pod given without its address',
        policy: aPolicy(withEgress({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] })),
        query: { to: { pod: KUBE_DNS }, port: 53, protocol: 'UDP' },
        allowed: false,
      },

      // Ports.
      {
        name: 'endPort: the first port of the range',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] })),
        query: { to: { ip: '10.0.0.1' }, port: 32000, protocol: 'TCP' },
        allowed: true,
        message: /TCP 32000-32768/,
      },
      {
        name: 'endPort: the last port of the range',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] })),
        query: { to: { ip: '10.0.0.1' }, port: 32768, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'endPort: denies the port after the range',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] })),
        query: { to: { ip: '10.0.0.1' }, port: 32769, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'endPort: denies the port before the range',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] })),
        query: { to: { ip: '10.0.0.1' }, port: 31999, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'a port entry without a number allows every port of its protocol',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'UDP' }] })),
        query: { to: { ip: '10.0.0.1' }, port: 5353, protocol: 'UDP' },
        allowed: true,
        message: /any UDP port/,
      },
      {
        name: 'a port entry without a number allows no other protocol',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'UDP' }] })),
        query: { to: { ip: '10.0.0.1' }, port: 5353, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'the protocol defaults to TCP',
        policy: aPolicy(withEgress({ ports: [{ port: 443 }] })),
        query: { to: { ip: '10.0.0.1' }, port: 443, protocol: 'UDP' },
        allowed: false,
      },
      {
        name: "a named port: the destination pod's port of that name",
        policy: aPolicy(withEgress({ ports: [{ port: 'metrics' }] })),
        query: {
          to: { ip: '10.0.0.1' },
          port: 9090,
          protocol: 'TCP',
          namedPorts: { metrics: 9090 },
        },
        allowed: true,
      },
      {
        name: 'a named port does not match an address without named ports',
        policy: aPolicy(withEgress({ ports: [{ port: 'metrics' }] })),
        query: { to: { ip: '10.0.0.1' }, port: 9090, protocol: 'TCP' },
        allowed: false,
      },

      // Selectors.
      {
        name: "a podSelector alone: a pod of the policy's namespace",
        policy: aPolicy(withEgress({ to: [{ podSelector: { matchLabels: { app: 'db' } } }] })),
        query: {
          to: { pod: { namespace: NAMESPACE, labels: { app: 'db' } } },
          port: 5432,
          protocol: 'TCP',
        },
        allowed: true,
        message: /podSelector in the policy's namespace/,
      },
      {
        name: 'a podSelector alone: not the same labels in another namespace',
        policy: aPolicy(withEgress({ to: [{ podSelector: { matchLabels: { app: 'db' } } }] })),
        query: {
          to: { pod: { namespace: 'other', labels: { app: 'db' } } },
          port: 5432,
          protocol: 'TCP',
        },
        allowed: false,
      },
      {
        name: 'an empty namespaceSelector: every pod of every namespace',
        policy: aPolicy(withEgress({ to: [{ namespaceSelector: {} }] })),
        query: { to: { pod: { namespace: 'anywhere' } }, port: 5432, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'an empty namespaceSelector: not an address outside the cluster',
        policy: aPolicy(withEgress({ to: [{ namespaceSelector: {} }] })),
        query: { to: { ip: '203.0.113.80' }, port: 443, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: "a namespaceSelector on the namespace's own labels",
        policy: aPolicy(
          withEgress({ to: [{ namespaceSelector: { matchLabels: { team: 'storage' } } }] }),
        ),
        query: {
          to: { pod: { namespace: 'ops', namespaceLabels: { team: 'storage' } } },
          port: 80,
          protocol: 'TCP',
        },
        allowed: true,
      },
    ];
    for (const tc of cases) {
      it(`${tc.allowed ? 'allows' : 'denies'}: ${tc.name}`, () => {
        const decision = evaluateEgress(tc.policy ?? CHART_POLICY, tc.query);
        expect(decision.allowed, decision.message).to.equal(tc.allowed);
        if (tc.message) expect(decision.message).to.match(tc.message);
      });
    }
  });

  describe('ingress', () => {
    const monitoring = { namespace: 'monitoring', labels: { app: 'prometheus' } };
    const cases: {
      name: string;
      policy?: V1NetworkPolicy;
      query: IngressQuery;
      allowed: boolean;
      reason?: PolicyDecision['reason'];
    }[] = [
      {
        name: 'any pod of the monitoring namespace to the http port',
        query: { from: { pod: monitoring }, port: 8080, protocol: 'TCP' },
        allowed: true,
        reason: 'RuleAllows',
      },
      {
        name: 'another port',
        query: { from: { pod: monitoring }, port: 9090, protocol: 'TCP' },
        allowed: false,
        reason: 'NoRuleAllows',
      },
      {
        name: 'UDP to the http port',
        query: { from: { pod: monitoring }, port: 8080, protocol: 'UDP' },
        allowed: false,
      },
      {
        name: 'a pod of another namespace',
        query: { from: { pod: { namespace: 'default' } }, port: 8080, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'a namespace that only claims the name as another label',
        query: {
          from: { pod: { namespace: 'default', namespaceLabels: { name: 'monitoring' } } },
          port: 8080,
          protocol: 'TCP',
        },
        allowed: false,
      },
      {
        name: 'an address outside the cluster',
        query: { from: { ip: '203.0.113.80' }, port: 8080, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'a policy of Egress only does not restrict ingress',
        policy: aPolicy(withTypes('Egress')),
        query: { from: { ip: '203.0.113.80' }, port: 8080, protocol: 'TCP' },
        allowed: true,
        reason: 'NotIsolated',
      },
      {
        name: 'no policyTypes: ingress is restricted even without ingress rules',
        policy: aPolicy(),
        query: { from: { pod: monitoring }, port: 8080, protocol: 'TCP' },
        allowed: false,
      },
      {
        name: 'a rule of plain YAML (`from`) reads as client-node typed (`_from`)',
        policy: aPolicy(
          withIngress({
            from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }],
          } as V1NetworkPolicyIngressRule),
        ),
        query: { from: { pod: monitoring }, port: 8080, protocol: 'TCP' },
        allowed: true,
      },
      {
        name: 'a rule of plain YAML (`from`) denies what it does not select',
        policy: aPolicy(
          withIngress({
            from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }],
          } as V1NetworkPolicyIngressRule),
        ),
        query: {
          from: { pod: { namespace: 'monitoring', labels: { app: 'grafana' } } },
          port: 8080,
          protocol: 'TCP',
        },
        allowed: false,
      },
    ];
    for (const tc of cases) {
      it(`${tc.allowed ? 'allows' : 'denies'}: ${tc.name}`, () => {
        const decision = evaluateIngress(tc.policy ?? CHART_POLICY, tc.query);
        expect(decision.allowed, decision.message).to.equal(tc.allowed);
        if (tc.reason) expect(decision.reason).to.equal(tc.reason);
      });
    }
  });

  describe('label selectors', () => {
    const labels = { app: 'db', tier: 'backend' };
    const cases: {
      name: string;
      selector: Parameters<typeof matchesSelector>[0];
      matches: boolean;
    }[] = [
      { name: 'the empty selector', selector: {}, matches: true },
      { name: 'matchLabels, all present', selector: { matchLabels: labels }, matches: true },
      {
        name: 'matchLabels, one differs',
        selector: { matchLabels: { app: 'db', tier: 'front' } },
        matches: false,
      },
      {
        name: 'In',
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }] },
        matches: true,
      },
      {
        name: 'In, not among the values',
        selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
        matches: false,
      },
      {
        name: 'In, label absent',
        selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
        matches: false,
      },
      {
        name: 'NotIn, label absent',
        selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
        matches: true,
      },
      {
        name: 'NotIn, among the values',
        selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] },
        matches: false,
      },
      {
        name: 'Exists',
        selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
        matches: true,
      },
      {
        name: 'Exists, absent',
        selector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] },
        matches: false,
      },
      {
        name: 'DoesNotExist',
        selector: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
        matches: true,
      },
      {
        name: 'DoesNotExist, present',
        selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
        matches: false,
      },
      {
        name: 'matchLabels and matchExpressions together (AND)',
        selector: {
          matchLabels: { app: 'db' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }],
        },
        matches: false,
      },
    ];
    for (const tc of cases) {
      it(`${tc.matches ? 'matches' : 'does not match'}: ${tc.name}`, () => {
        expect(matchesSelector(tc.selector, labels)).to.equal(tc.matches);
      });
    }
  });

  describe('which pods and directions a policy covers', () => {
    it("selects the operator's pods in its namespace only", () => {
      expect(
        selectsPod(CHART_POLICY, NAMESPACE, { ...SELECTOR, 'pod-template-hash': 'x' }),
      ).to.equal(true);
      expect(selectsPod(CHART_POLICY, 'other', SELECTOR)).to.equal(false);
      expect(
        selectsPod(CHART_POLICY, NAMESPACE, { 'app.kubernetes.io/name': 'gluster-operator' }),
      ).to.equal(false);
    });

    it('defaults policyTypes from the rules present', () => {
      expect([...policyDirections(aPolicy())]).to.deep.equal(['Ingress']);
      expect([...policyDirections(aPolicy(withEgress({})))]).to.deep.equal(['Ingress', 'Egress']);
      expect([...policyDirections(aPolicy(withTypes('Egress'), withIngress({})))]).to.deep.equal([
        'Egress',
      ]);
    });
  });

  describe('refuses what the API server refuses, rather than guess', () => {
    const query: EgressQuery = { to: { ip: '10.0.0.1', pod: KUBE_DNS }, port: 53, protocol: 'UDP' };
    const cases: { name: string; policy: V1NetworkPolicy; error: RegExp }[] = [
      {
        name: 'a peer with an ipBlock and a selector',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }),
        ),
        error: /ipBlock may have no selector/,
      },
      {
        name: 'an empty peer',
        policy: aPolicy(withEgress({ to: [{}] })),
        error: /needs an ipBlock/,
      },
      {
        name: 'a CIDR that is not one',
        policy: aPolicy(withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/33' } }] })),
        error: /prefix too long/,
      },
      {
        name: 'an except outside its CIDR',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }),
        ),
        error: /not a strict subset/,
      },
      {
        name: 'an except of the other family',
        policy: aPolicy(
          withEgress({ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['fd00::/64'] } }] }),
        ),
        error: /not a strict subset/,
      },
      {
        name: 'an unknown selector operator',
        policy: aPolicy(
          withEgress({
            to: [{ namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Gt' }] } }],
          }),
        ),
        error: /unknown label selector operator Gt/,
      },
      {
        name: 'an endPort without a numeric port',
        policy: aPolicy(withEgress({ ports: [{ port: 'dns', endPort: 60 }] })),
        error: /endPort 60/,
      },
      {
        name: 'an endPort below its port',
        policy: aPolicy(withEgress({ ports: [{ port: 60, endPort: 53 }] })),
        error: /endPort 53/,
      },
      {
        name: 'an unknown protocol',
        policy: aPolicy(withEgress({ ports: [{ protocol: 'ICMP' }] })),
        error: /unknown protocol ICMP/,
      },
      {
        name: 'a broken rule after the one that would allow the traffic',
        policy: aPolicy(withEgress({}, { to: [{}] })),
        error: /egress\[1\]: a peer needs an ipBlock/,
      },
      {
        name: 'a broken ingress rule, when egress is asked about',
        policy: aPolicy(withEgress({}), withIngress({ _from: [{ ipBlock: { cidr: 'nope' } }] })),
        error: /Not a CIDR: nope/,
      },
      {
        name: 'an unknown policyType',
        policy: aPolicy(withTypes('Outgoing')),
        error: /Unknown policyType Outgoing/,
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(() => evaluateEgress(tc.policy, query)).to.throw(tc.error);
      });
    }

    it('a rule with both _from and from', () => {
      const policy = aPolicy(
        withIngress({ _from: [{ namespaceSelector: {} }], from: [] } as V1NetworkPolicyIngressRule),
      );
      expect(() =>
        evaluateIngress(policy, { from: { pod: KUBE_DNS }, port: 8080, protocol: 'TCP' }),
      ).to.throw(/both _from and from/);
    });
  });
});
