import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import {
  formPool,
  parsePeerRows,
  runGluster,
  waitForPeerConnected,
} from '../../testbed/gluster-commands.js';
import {
  startGlusterTestPool,
  type GlusterTestPool,
  type TestNode,
} from '../../testbed/gluster-test-pool.js';
import { runCommand, type CommandResult } from '../../testbed/run-command.js';

describe('GlusterTestPool against real glusterd and sshd', function () {
  this.timeout(120_000);
  let pool: GlusterTestPool;
  let n1: TestNode;
  let n2: TestNode;
  let n3: TestNode;

  before(async function () {
    pool = await startGlusterTestPool({ name: 'tb-pool', nodeCount: 3 });
    [n1, n2, n3] = pool.nodes as [TestNode, TestNode, TestNode];
  });

  after(async function () {
    await pool.destroy();
  });

  it('starts every node as a lone glusterd with its own identity, hostname and hosts file', async function () {
    const hostsFile = await readFile(pool.hostsFile, 'utf8');
    const uuids = new Set<string>();
    for (const node of pool.nodes) {
      const rows = parsePeerRows(await runGluster(pool, node, ['pool', 'list']));
      expect(rows.map((r) => r.hostname)).to.deep.equal(['localhost']);
      const info = await pool.execOnNode(node, ['cat', '/var/lib/glusterd/glusterd.info']);
      uuids.add(/^UUID=(.+)$/m.exec(info.stdout)?.[1] ?? '');
      expect((await pool.execOnNode(node, ['hostname'])).stdout.trim()).to.equal(node.hostname);
      expect((await pool.execOnNode(node, ['cat', '/etc/hosts'])).stdout).to.equal(hostsFile);
    }
    expect(uuids.size).to.equal(3);
  });

  it('reports the exit code, stdout and stderr of commands run on a node', async function () {
    const r = await pool.execOnNode(n1, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r).to.deep.equal({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    const err = await pool.execOnNode(n1, ['sleep', '5'], { timeoutMs: 200 }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(Error).with.property('name', 'TestbedCommandTimeoutError');
  });

  it('accepts both client keys, with a distinct host key per node, over IPv4, IPv6 and by name', async function () {
    const knownHosts = (await readFile(pool.knownHostsPath, 'utf8')).trim().split('\n');
    expect(knownHosts).to.have.length(3);
    expect(new Set(knownHosts.map((l) => l.split(' ')[2])).size).to.equal(3);
    expect(await readFile(pool.rsaKeyPath, 'utf8')).to.match(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(await readFile(pool.ed25519KeyPath, 'utf8')).to.match(
      /^-----BEGIN OPENSSH PRIVATE KEY-----/,
    );
    for (const node of pool.nodes) {
      const v4 = await ssh(pool, pool.ed25519KeyPath, node.ipv4, ['hostname']);
      expect(v4.stdout.trim(), v4.stderr).to.equal(node.hostname);
      const v6 = await ssh(pool, pool.rsaKeyPath, node.ipv6, ['hostname']);
      expect(v6.stdout.trim(), v6.stderr).to.equal(node.hostname);
      // The root namespace cannot resolve node names: check the name's known_hosts entry by alias.
      const byName = await ssh(
        pool,
        pool.rsaKeyPath,
        node.ipv4,
        ['true'],
        ['-o', `HostKeyAlias=${node.hostname}`],
      );
      expect(byName.exitCode, byName.stderr).to.equal(0);
    }
    // n1's key presented for n2's name must be refused: the host keys really differ.
    const wrong = await ssh(
      pool,
      pool.rsaKeyPath,
      n1.ipv4,
      ['true'],
      ['-o', `HostKeyAlias=${n2.hostname}`],
    );
    expect(wrong.exitCode).to.equal(255);
    expect(wrong.stderr).to.match(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('lets the nodes probe each other by name into one pool', async function () {
    await formPool(pool, n1, [n2, n3]);
    const rows = parsePeerRows(await runGluster(pool, n3, ['pool', 'list']));
    expect(rows).to.have.length(3);
    expect(rows.every((r) => r.connected)).to.equal(true);
  });

  it('stops and starts glusterd on one node', async function () {
    await pool.stopGlusterd(n3);
    const down = await runGluster(pool, n3, ['pool', 'list']);
    expect(down.exitCode).to.not.equal(0);
    await waitForPeerConnected(pool, n1, n3, false);
    await pool.stopGlusterd(n3); // idempotent

    await pool.startGlusterd(n3);
    await waitForPeerConnected(pool, n1, n3, true);
    await pool.startGlusterd(n3); // idempotent
  });

  it('cuts and restores a node link', async function () {
    await pool.cutLink(n2);
    expect((await tcpCheck(pool, n1, n2.ipv4, 24007)).exitCode).to.not.equal(0);
    expect((await tcpCheck(pool, n2, n1.ipv4, 24007)).exitCode).to.not.equal(0);
    expect((await tcpCheck(pool, n3, n1.ipv4, 24007)).exitCode).to.equal(0);

    await pool.restoreLink(n2);
    expect((await tcpCheck(pool, n1, n2.ipv4, 24007)).exitCode).to.equal(0);
    expect((await tcpCheck(pool, n2, n1.ipv6, 24007)).exitCode).to.not.equal(0); // inet only
    expect((await tcpCheck(pool, n2, n1.ipv4, 24007)).exitCode).to.equal(0);
  });

  it("drops only one node's outbound traffic to port 24007", async function () {
    await pool.dropOutbound(n2);
    // Dropped, not refused: the connection attempt hangs until the check's timeout (124).
    expect((await tcpCheck(pool, n2, n1.ipv4, 24007)).exitCode).to.equal(124);
    expect((await tcpCheck(pool, n2, n1.ipv4, 22)).exitCode).to.equal(0);
    expect((await tcpCheck(pool, n1, n2.ipv4, 24007)).exitCode).to.equal(0);
    expect((await tcpCheck(pool, n3, n1.ipv4, 24007)).exitCode).to.equal(0);

    await pool.restoreOutbound(n2);
    expect((await tcpCheck(pool, n2, n1.ipv4, 24007)).exitCode).to.equal(0);
    const ruleset = await pool.execOnNode(n2, ['nft', 'list', 'ruleset']);
    expect(ruleset.stdout).to.not.contain('gop_testbed');
    await pool.restoreOutbound(n2); // idempotent
  });
});

/** TCP connect from inside `from`; exit 0 connected, 1 refused or unreachable, 124 timed out. */
function tcpCheck(
  pool: GlusterTestPool,
  from: TestNode,
  host: string,
  port: number,
): Promise<CommandResult> {
  // The address and port are arguments of a fixed script, never part of it.
  return pool.execOnNode(from, [
    'timeout',
    '2',
    'bash',
    '-c',
    'exec 3<>"/dev/tcp/$1/$2"',
    'tcp-check',
    host,
    String(port),
  ]);
}

function ssh(
  pool: GlusterTestPool,
  key: string,
  host: string,
  argv: readonly string[],
  extra: readonly string[] = [],
): Promise<CommandResult> {
  return runCommand(
    [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${pool.knownHostsPath}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=5',
      ...extra,
      `${pool.sshUser}@${host}`,
      '--',
      ...argv,
    ],
    { timeoutMs: 15_000 },
  );
}
