import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import type { V1Deployment, V1NetworkPolicy } from '@kubernetes/client-node';
import { TESTBED_IPV4_RANGE, TESTBED_IPV6_RANGE } from '../../testbed/pool-layout.js';
import type { TestNode } from '../../testbed/gluster-test-pool.js';
import type { ControlPlane } from '../support/control-plane.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { freePort } from '../support/free-ports.js';
import { findObject, renderChart } from '../support/helm-chart.js';
import {
  evaluateEgress,
  evaluateIngress,
  selectsPod,
  type Peer,
} from '../support/network-policy-evaluator.js';
import type { OperatorHarness } from '../support/operator-harness.js';
import { createPoolHarness, isReadyAt } from '../support/operator-harness.js';
import { spawnOperator, type OperatorProcess } from '../support/operator-process.js';
import {
  classifySockets,
  formatEndpoint,
  sampleProcessSockets,
  type ProtocolEndpoint,
  type SocketClassification,
  type SocketSamples,
} from '../support/process-sockets.js';
import { resolveTestTools } from '../support/test-tools.js';
import { useGlusterTestPool } from '../support/test-pool.js';
import { operatorContainer, plainEnv } from '../support/operator-container.js';

/**
 * The chart's NetworkPolicy (networkPolicy.enabled) against the traffic of the real operator.
 *
 * The test control plane has no network plugin: a NetworkPolicy is stored there but nothing
 * enforces it, so installing it proves nothing about traffic. Instead: the chart is rendered by
 * the real helm with values for this environment (the API server's address and port, the
 * testbed's subnets as the storage nodes, DNS and metricsFrom left at the chart's defaults); the
 * operator runs as its own process with the rendered Deployment's environment, forms a real
 * 3-node pool to Ready (over IPv4) and reads the same nodes over IPv6 (a paused GlusterCluster);
 * meanwhile its sockets are sampled from /proc every 100 ms. Every remote endpoint it connected
 * to (TCP and UDP, IPv4 and IPv6) must be allowed by an egress rule, and every port it listens
 * on must be the http port, open to metricsFrom's namespaces by an ingress rule, as
 * test/support/network-policy-evaluator.ts reads the policy.
 *
 * What this cannot prove without a CNI that enforces policies:
 * - that a CNI applies the policy as the API documents it (the evaluator is our reading);
 * - the translation a pod's traffic goes through: here the operator reaches the API server's
 *   endpoint address directly (as a pod's traffic looks after the kubernetes Service's DNAT,
 *   which is what policies see), and the machine's resolver stands in for kube-dns (in a pod,
 *   /etc/resolv.conf names the kube-dns Service, whose endpoints the DNS rule's selectors pick);
 * - kubelet probes, which come from the node and which most CNIs let through regardless;
 * - a connection opened and closed between two samples (the operator's connections are
 *   long-lived: SSH connections are kept per node, the API client keeps its connections alive).
 * The operator opens every connection in its own process (ssh2 and client-node; src/main.ts
 * runs no command locally), so sampling that process sees all of its traffic.
 */
describe("the chart's NetworkPolicy allows the traffic of the real operator, and only that", function () {
  this.timeout(300_000);
  const NAME = 'gluster-operator';
  const NODES = [0, 1, 2];
  /** In a pod, the DNS rule's selectors pick these; here the machine's resolver plays them. */
  const KUBE_DNS = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
  const SCRAPER = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };

  let operator: OperatorProcess | undefined;
  // Registered before the pool's own `after`, so the operator stops before its nodes go away.
  after(async () => {
    await operator?.stop();
  });
  const pool = useGlusterTestPool('netpol', 3);
  const n = (index: number): TestNode => pool().node(index);

  let cp: ControlPlane;
  let harness: OperatorHarness;
  let policy: V1NetworkPolicy;
  let deployment: V1Deployment;
  let apiServer: { ip: string; port: number };
  let httpPort: number;
  let traffic: SocketClassification | undefined;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS); // the first run may build helm
    await resolveTestTools();
    cp = await getControlPlane();
    harness = await createPoolHarness('netpol', pool());
    const server = new URL(cp.server);
    apiServer = { ip: server.hostname.replace(/^\[|\]$/g, ''), port: Number(server.port) };
    // The chart's http port is the one the process listens on: HTTP_PORT comes from it.
    httpPort = await freePort();
    const objects = await renderForThisEnvironment([TESTBED_IPV4_RANGE, TESTBED_IPV6_RANGE]);
    policy = findObject(objects, 'NetworkPolicy', NAME);
    deployment = findObject(objects, 'Deployment', NAME);
  });

  /** The chart with the policy on, for the API server, the testbed's nodes and httpPort. */
  async function renderForThisEnvironment(storageCidrs: readonly string[]) {
    const values = path.join(cp.dir, `network-policy-values-${harness.namespace}.json`);
    writeFileSync(
      values,
      JSON.stringify({
        watchNamespace: harness.namespace,
        http: { port: httpPort },
        networkPolicy: {
          enabled: true,
          apiServer: { cidrs: [hostCidr(apiServer.ip)], ports: [apiServer.port] },
          storageNodes: { cidrs: storageCidrs },
        },
      }),
    );
    return renderChart({ namespace: harness.namespace, valuesFiles: [values] });
  }

  it('the sampler sees TCP and UDP, IPv4 and IPv6, listening and connected (a process of known sockets)', async () => {
    // Connections to this machine's own loopback only: UDP connect() sends nothing.
    const script = `
      const net = require('node:net'), dgram = require('node:dgram');
      const server = net.createServer(() => {}).listen(0, '::1', () => {
        const tcpPort = server.address().port;
        net.connect(tcpPort, '::1', () => {
          const udp4 = dgram.createSocket('udp4');
          udp4.connect(9, '127.0.0.1', () => {
            const udp6 = dgram.createSocket('udp6');
            udp6.connect(9, '::1', () => {
              const bound = dgram.createSocket('udp4');
              bound.bind(0, '127.0.0.1', () => {
                console.log(JSON.stringify({ tcpPort, boundPort: bound.address().port }));
              });
            });
          });
        });
      });
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ports = await new Promise<{ tcpPort: number; boundPort: number }>((resolve, reject) => {
        child.stdout.once('data', (chunk: Buffer) => {
          resolve(JSON.parse(chunk.toString()) as { tcpPort: number; boundPort: number });
        });
        child.once('exit', () => {
          reject(new Error('the calibration process ended early'));
        });
      });
      const sampler = sampleProcessSockets(child.pid!);
      await sleep(300);
      const { sockets, samples } = await sampler.stop();
      expect(samples).to.be.at.least(2);
      const seen = classifySockets(sockets);
      expect(seen.outbound.map(formatEndpoint)).to.deep.equal([
        `TCP [::1]:${String(ports.tcpPort)}`,
        'UDP 127.0.0.1:9',
        'UDP [::1]:9',
      ]);
      expect(seen.listening.map(formatEndpoint)).to.deep.equal([
        `TCP [::1]:${String(ports.tcpPort)}`,
        `UDP 127.0.0.1:${String(ports.boundPort)}`,
      ]);
      // The server's end of its own connection: accepted on the listener.
      expect(seen.inbound.map(({ ip }) => ip)).to.deep.equal(['::1']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("renders a policy that selects the operator's pods and isolates both directions", () => {
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    expect(selectsPod(policy, harness.namespace, labels)).to.equal(true);
    expect(policy.spec?.policyTypes).to.deep.equal(['Ingress', 'Egress']);
    const env = plainEnv(operatorContainer(deployment).env);
    expect(env).to.include({ WATCH_NAMESPACE: harness.namespace, HTTP_PORT: String(httpPort) });
  });

  it('forms a 3-node pool to Ready and reads it over IPv6, its sockets sampled all along', async function () {
    this.timeout(360_000);
    const shipped = plainEnv(operatorContainer(deployment).env);
    const podName = `${NAME}-netpol-0`;
    // As test/kube/helm-chart.test.ts: the Deployment's environment, then what a pod gets from
    // elsewhere (its identity, the credentials) and a loopback listener on the chart's port.
    operator = await spawnOperator({
      kubeconfigPath: cp.kubeconfigPath,
      watchNamespace: shipped['WATCH_NAMESPACE'] ?? '',
      podName,
      httpPort,
      baseEnv: 'pod',
      env: {
        ...shipped,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        POD_NAME: podName,
        POD_NAMESPACE: harness.namespace,
        // No events receiver: the chart's policy opens its port (8090) to the storage nodes, a
        // rule test/kube/helm-chart.test.ts checks; this test checks what the operator itself does.
        EVENTS_PORT: '0',
      },
    });
    const running = operator;
    const sampler = sampleProcessSockets(running.pid, { intervalMs: 100 });
    let sampling: SocketSamples;
    try {
      await harness.apply('pool', {
        nodes: NODES.map((index) => ({ address: n(index).ipv4, name: n(index).name })),
        ssh: { secretRef: { name: 'gluster-ssh' } },
        resyncInterval: '10m',
      });
      await harness.waitFor('pool', 'be Ready with 3 members', (c) => isReadyAt(c, 3), 240_000);
      // The same nodes by their IPv6 addresses, observed only: SSH over IPv6 to each.
      await harness.apply('view6', {
        nodes: NODES.map((index) => ({ address: n(index).ipv6, name: n(index).name })),
        ssh: { secretRef: { name: 'gluster-ssh' } },
        paused: true,
        resyncInterval: '10m',
      });
      const view = await harness.waitFor(
        'view6',
        'report its 3 nodes',
        (c) =>
          c.status?.observedGeneration === c.metadata.generation && c.status?.nodes?.length === 3,
        120_000,
      );
      // A scraper's requests: connections accepted on the http port.
      for (let i = 0; i < 3; i++) {
        expect((await fetch(`${running.url}/readyz`)).status).to.equal(200);
      }
      await sleep(1_000);
      process.stderr.write(
        `      view6 over IPv6: ${JSON.stringify(view.status?.nodes?.map((node) => node.state))}\n`,
      );
    } finally {
      sampling = await sampler.stop();
      traffic = classifySockets(sampling.sockets);
    }
    const list = (endpoints: readonly ProtocolEndpoint[]): string =>
      endpoints.map(formatEndpoint).join(', ') || '(none)';
    process.stderr.write(
      `      ${String(sampling.samples)} samples, at most ${String(sampling.longestGapMs)} ms apart; outbound: ${list(traffic.outbound)}\n` +
        `      listening: ${list(traffic.listening)}; inbound: ${list(traffic.inbound)}\n`,
    );
    // Sampled throughout: the run takes several seconds.
    expect(sampling.samples).to.be.at.least(10);
  });

  it('connected only to endpoints an egress rule allows: the API server and SSH to each node, over IPv4 and IPv6', function () {
    if (traffic === undefined) this.skip();
    const outbound = traffic.outbound;
    expect(outbound.length, 'outbound endpoints seen').to.be.above(0);
    const denied = outbound
      .map((endpoint) => evaluateEgress(policy, toEgress(endpoint)))
      .filter((decision) => !decision.allowed)
      .map((decision) => decision.message);
    expect(denied, 'endpoints the policy would block').to.deep.equal([]);

    const seen = outbound.map(formatEndpoint);
    const expected = [
      formatEndpoint({ protocol: 'TCP', ...apiServer }),
      ...NODES.flatMap((index) => [
        formatEndpoint({ protocol: 'TCP', ip: n(index).ipv4, port: 22 }),
        formatEndpoint({ protocol: 'TCP', ip: n(index).ipv6, port: 22 }),
      ]),
    ];
    expect(seen).to.include.members(expected);
    const dns = outbound.filter((endpoint) => isResolver(endpoint));
    process.stderr.write(
      dns.length === 0
        ? '      no DNS traffic: every address given is an IP (the DNS rule is checked below)\n'
        : `      DNS: ${dns.map(formatEndpoint).join(', ')}\n`,
    );
  });

  it('listens on the http port alone, which an ingress rule opens to the namespaces of metricsFrom', function () {
    if (traffic === undefined) this.skip();
    expect(
      traffic.listening.map(({ protocol, port }) => `${protocol} ${String(port)}`),
    ).to.deep.equal([`TCP ${String(httpPort)}`]);
    for (const { protocol, port } of traffic.listening) {
      const decision = evaluateIngress(policy, { from: { pod: SCRAPER }, port, protocol });
      expect(decision.allowed, decision.message).to.equal(true);
    }
    // The scraper's connections (the test's own requests) all came in on it.
    expect(traffic.inbound.length, 'connections accepted').to.be.above(0);
  });

  it('has teeth: rendered without the IPv6 CIDR, the policy would block exactly the SSH over IPv6 seen', async function () {
    if (traffic === undefined) this.skip();
    const ipv4Only = findObject(
      await renderForThisEnvironment([TESTBED_IPV4_RANGE]),
      'NetworkPolicy',
      NAME,
    );
    const blocked = traffic.outbound.filter(
      (endpoint) => !evaluateEgress(ipv4Only, toEgress(endpoint)).allowed,
    );
    expect(blocked.map(formatEndpoint).sort()).to.deep.equal(
      NODES.map((index) => formatEndpoint({ protocol: 'TCP', ip: n(index).ipv6, port: 22 })).sort(),
    );
  });

  describe('negative controls: the policy denies what the operator must not do (evaluated, never sent)', () => {
    const denies = (name: string, query: () => Parameters<typeof evaluateEgress>[1]): void => {
      it(`denies ${name}`, () => {
        const decision = evaluateEgress(policy, query());
        expect(decision.allowed, decision.message).to.equal(false);
      });
    };
    denies('SSH to an address outside the storage CIDRs (IPv4)', () => ({
      to: { ip: '192.0.2.22' },
      port: 22,
      protocol: 'TCP',
    }));
    denies('SSH to the /16 next to the testbed', () => ({
      to: { ip: '10.251.0.11' },
      port: 22,
      protocol: 'TCP',
    }));
    denies('SSH to an address outside the storage CIDRs (IPv6)', () => ({
      to: { ip: 'fd42:676f:71::11' },
      port: 22,
      protocol: 'TCP',
    }));
    denies('HTTPS to an arbitrary public IPv4 address', () => ({
      to: { ip: '203.0.113.80' },
      port: 443,
      protocol: 'TCP',
    }));
    denies('HTTPS to an arbitrary public IPv6 address', () => ({
      to: { ip: '2001:db8::80' },
      port: 443,
      protocol: 'TCP',
    }));
    denies("glusterd's own port on a node (every gluster command goes through SSH)", () => ({
      to: { ip: n(0).ipv4 },
      port: 24007,
      protocol: 'TCP',
    }));
    denies("etcd, on the API server's address but another port", () => ({
      to: { ip: apiServer.ip },
      port: Number(new URL(cp.etcdUrl).port),
      protocol: 'TCP',
    }));
    denies('DNS to a resolver outside the cluster (the DNS rule selects pods)', () => ({
      to: { ip: '198.51.100.53' },
      port: 53,
      protocol: 'UDP',
    }));

    it('allows DNS to kube-dns over UDP and TCP, and nothing else of kube-dns', () => {
      for (const protocol of ['UDP', 'TCP'] as const) {
        const decision = evaluateEgress(policy, { to: { pod: KUBE_DNS }, port: 53, protocol });
        expect(decision.allowed, decision.message).to.equal(true);
      }
      expect(
        evaluateEgress(policy, { to: { pod: KUBE_DNS }, port: 9153, protocol: 'TCP' }).allowed,
      ).to.equal(false);
    });

    it('denies the http port to other namespaces, and any other port to metricsFrom', () => {
      const other = evaluateIngress(policy, {
        from: { pod: { namespace: 'default', labels: SCRAPER.labels } },
        port: httpPort,
        protocol: 'TCP',
      });
      expect(other.allowed, other.message).to.equal(false);
      const anotherPort = evaluateIngress(policy, {
        from: { pod: SCRAPER },
        port: httpPort + 1,
        protocol: 'TCP',
      });
      expect(anotherPort.allowed, anotherPort.message).to.equal(false);
      const outside = evaluateIngress(policy, {
        from: { ip: '203.0.113.80' },
        port: httpPort,
        protocol: 'TCP',
      });
      expect(outside.allowed, outside.message).to.equal(false);
    });
  });

  /** The egress query for an endpoint: the machine's resolver plays kube-dns. */
  function toEgress(endpoint: ProtocolEndpoint): Parameters<typeof evaluateEgress>[1] {
    const to: Peer = isResolver(endpoint)
      ? { ip: endpoint.ip, pod: KUBE_DNS }
      : { ip: endpoint.ip };
    return { to, port: endpoint.port, protocol: endpoint.protocol };
  }
});

/** The nameservers of /etc/resolv.conf, port 53. */
function isResolver(endpoint: ProtocolEndpoint): boolean {
  return endpoint.port === 53 && resolvers().includes(endpoint.ip);
}

let resolverCache: string[] | undefined;
function resolvers(): string[] {
  resolverCache ??= readFileSync('/etc/resolv.conf', 'utf8')
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((address): address is string => address !== undefined);
  return resolverCache;
}

function hostCidr(ip: string): string {
  return `${ip}/${isIP(ip) === 6 ? '128' : '32'}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
