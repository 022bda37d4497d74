import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadInventoryFrom } from '../../../src/inventory/index.js';
import { findNeedles, keyNeedles, unpackBundle } from '../../support/bundle-archive.js';
import { poolSnapshot } from '../../support/gluster-truth.js';
import { useGlusterTestPool } from '../../support/test-pool.js';
import type { CliProcessRun as Run } from './cli-process.js';
import { runCliProcess } from './cli-process.js';

describe('the CLI as a process, on real glusterd nodes', function () {
  this.timeout(120_000);
  const pool = useGlusterTestPool('cli', 3);
  const n = (index: number) => pool().node(index);
  const ssh = (): string[] => [
    '--ssh-user',
    pool().pool.sshUser,
    '--ssh-key',
    pool().pool.ed25519KeyPath,
    '--known-hosts',
    pool().pool.knownHostsPath,
  ];
  const nodes = (...indexes: number[]): string[] =>
    indexes.flatMap((index) => ['--node', n(index).ipv4]);
  const cli = (...args: string[]): Promise<Run> => runCliProcess([...args, ...ssh()]);

  it('status of three lone nodes: each sees the others NotInPool, exit 3', async () => {
    const run = await cli('status', ...nodes(0, 1, 2), '--output', 'json');
    expect(run.exitCode, run.stderr).to.equal(3);
    const report = JSON.parse(run.stdout) as {
      isFullMesh: boolean;
      nodes: {
        sshReachable: boolean;
        glusterdRunning: boolean;
        glusterVersion: string;
        members: unknown[];
      }[];
      links: { status: string }[];
    };
    expect(report.isFullMesh).to.equal(false);
    expect(
      report.nodes.map((node) => [
        node.sshReachable,
        node.glusterdRunning,
        node.glusterVersion,
        node.members.length,
      ]),
    ).to.deep.equal([
      [true, true, '10.3', 1],
      [true, true, '10.3', 1],
      [true, true, '10.3', 1],
    ]);
    expect(new Set(report.links.map((link) => link.status))).to.deep.equal(new Set(['NotInPool']));
    expect(run.stderr).to.include('Gathering views from 3 node(s) of --node…');
  });

  it('peers probe, then wait: the node joins', async () => {
    const probe = await cli('peers', 'probe', n(1).ipv4, '--via', n(0).ipv4);
    expect(probe.exitCode, probe.stderr).to.equal(0);
    expect(probe.stdout).to.match(new RegExp(`^Probed ${n(1).ipv4} from ${n(0).ipv4}`));
    const wait = await cli('peers', 'wait', n(1).ipv4, '--via', n(0).ipv4, '--timeout', '60s');
    expect(wait.exitCode, wait.stdout + wait.stderr).to.equal(0);
    const again = await cli('peers', 'probe', n(1).ipv4, '--via', n(0).ipv4);
    expect(again.exitCode).to.equal(0);
    expect(again.stdout).to.include('already a member');
    const truth = await poolSnapshot(pool().pool, [n(0), n(1)]);
    expect(truth['n1']).to.have.length(2);
  });

  it('peers create-cluster: all three, a full mesh', async () => {
    const run = await cli('peers', 'create-cluster', ...nodes(0, 1, 2));
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`probe ${n(2).ipv4} on ${n(0).ipv4}: probed`);
    expect(run.stdout).to.include('Full mesh');
  });

  it('status: a table of a full mesh, exit 0', async () => {
    const run = await cli('status', ...nodes(0, 1, 2));
    expect(run.exitCode, run.stderr).to.equal(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).to.match(/^NODE +SSH +GLUSTERD +VERSION +UUID +MEMBERS$/);
    for (const index of [0, 1, 2]) {
      expect(run.stdout).to.match(
        new RegExp(
          `${n(index).ipv4.replace(/\./g, '\\.')} +ok +running +10\\.3 +[0-9a-f-]{36} +3\\n`,
        ),
      );
    }
    expect(run.stdout).to.include('Every node sees every other connected.');
    expect(run.stdout).not.to.match(/NotInPool|Disconnected/);
  });

  it('peers list and status --via a node', async () => {
    const list = await cli('peers', 'list', '--via', n(0).ipv4, '--output', 'json');
    expect(list.exitCode, list.stderr).to.equal(0);
    const { peers } = JSON.parse(list.stdout) as {
      peers: { isLocal: boolean; isConnected: boolean }[];
    };
    expect(peers).to.have.length(3);
    expect(peers.filter((peer) => peer.isLocal)).to.have.length(1);
    const status = await cli('peers', 'status', '--via', n(0).ipv4);
    expect(status.exitCode).to.equal(0);
    expect(status.stdout.trim().split('\n')).to.have.length(3); // header + two peers
  });

  it('dump writes a peers.json that loads back, and serves as a node source', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cli-dump-')), 'peers.json');
    const run = await cli('dump', '--node', n(0).ipv4, '-o', path);
    expect(run.exitCode, run.stderr).to.equal(0);
    const loaded = await loadInventoryFrom(path);
    expect(loaded.inventory.replicas.map((peer) => peer.pid)).to.deep.equal([1, 2, 3]);
    expect(loaded.inventory.replicas[0]?.ip_address).to.equal(n(0).ipv4);
    expect(new Set(loaded.inventory.replicas.map((peer) => peer.ip_address))).to.deep.equal(
      new Set([n(0).ipv4, n(1).ipv4, n(2).ipv4]),
    );
    expect(loaded.inventory.replicas.every((peer) => peer.port === 24007)).to.equal(true);
    const validate = await cli('peers', 'validate', '--peers-file', path);
    expect(validate.exitCode, validate.stderr).to.equal(0);
  });

  it('support-bundle: every node in it, exit 3 for the gaps, and no secret anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
    const key = readFileSync(pool().pool.ed25519KeyPath, 'utf8');
    // A hostile operator log: the SSH key and an API key, as a careless line might hold them.
    const operatorLog = join(dir, 'operator.log');
    writeFileSync(
      operatorLog,
      `{"level":"info","message":"Started"}\n${key}\nX-Api-Key: 0123456789abcdef-api-key\n`,
    );
    const out = join(dir, 'bundle.tar.gz');
    const run = await cli(
      'support-bundle',
      '-o',
      out,
      ...nodes(0, 1, 2),
      '--operator-log',
      operatorLog,
    );
    // Exit 3: written, with gaps (the sudo user may not read glusterd's log; no Kubernetes).
    expect([0, 3], run.stderr).to.include(run.exitCode);
    const bundle = await unpackBundle(out);
    try {
      for (const node of [n(0), n(1), n(2)]) {
        const poolList = [...bundle.files].find(
          ([file]) => file.includes(node.ipv4) && file.endsWith('pool-list.xml'),
        );
        expect(poolList?.[1], `pool-list.xml of ${node.ipv4}`).to.contain('<peerStatus>');
      }
      // The hostile log is in the bundle (so the key had a way in), redacted.
      const log = [...bundle.files].find(([file]) => file.startsWith('operator/'));
      expect(log?.[1]).to.contain('"message":"Started"');
      expect(
        findNeedles(bundle.files, [...keyNeedles(key), '0123456789abcdef-api-key']),
      ).to.deep.equal([]);
    } finally {
      await bundle.remove();
    }
  });

  it('a hostile --node is refused before anything runs, and the pool is unchanged', async () => {
    const before = await poolSnapshot(pool().pool, [n(0), n(1), n(2)]);
    const run = await cli(
      'peers',
      'detach',
      `${n(2).ipv4};gluster peer detach ${n(1).ipv4}`,
      '--via',
      n(0).ipv4,
    );
    expect(run.exitCode).to.equal(64);
    expect(run.stderr).to.match(
      /^error: peers detach: .* is not a valid host name.*nothing was run/,
    );
    const status = await cli('status', '--node', n(0).ipv4, '--node', '$(reboot)');
    expect(status.exitCode).to.equal(64);
    expect(await poolSnapshot(pool().pool, [n(0), n(1), n(2)])).to.deep.equal(before);
  });

  it('an unreachable node: a clear error and exit 69', async () => {
    const absent = n(0).ipv4.replace(/\.\d+$/, '.99');
    // Known to known_hosts, so the CLI gets as far as connecting to an address nobody has.
    const knownHosts = join(mkdtempSync(join(tmpdir(), 'cli-kh-')), 'known_hosts');
    const key = readFileSync(pool().pool.knownHostsPath, 'utf8')
      .split('\n')[0]
      ?.split(' ')
      .slice(1)
      .join(' ');
    writeFileSync(knownHosts, `${absent} ${key ?? ''}\n`);
    const run = await runCliProcess([
      'peers',
      'list',
      '--via',
      absent,
      '--timeout',
      '5s',
      '--ssh-user',
      pool().pool.sshUser,
      '--ssh-key',
      pool().pool.ed25519KeyPath,
      '--known-hosts',
      knownHosts,
    ]);
    expect(run.exitCode, run.stderr).to.equal(69);
    expect(run.stderr).to.match(
      new RegExp(`^error: .*${absent.replace(/\./g, '\\.')}.*Check the address, that sshd runs`),
    );
  });

  it('an unknown host key: exit 69, pointing at --known-hosts', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'cli-kh-')), 'known_hosts');
    writeFileSync(empty, '');
    const run = await runCliProcess([
      'peers',
      'list',
      '--via',
      n(0).ipv4,
      '--ssh-user',
      pool().pool.sshUser,
      '--ssh-key',
      pool().pool.ed25519KeyPath,
      '--known-hosts',
      empty,
    ]);
    expect(run.exitCode).to.equal(69);
    expect(run.stderr).to.include('Check --known-hosts');
  });

  it('peers detach, then validate the rest', async () => {
    const run = await cli('peers', 'detach', n(2).ipv4, '--via', n(0).ipv4);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(run.stdout).to.include(`Detached ${n(2).ipv4} on ${n(0).ipv4}`);
    const validate = await cli('peers', 'validate', ...nodes(0, 1));
    expect(validate.exitCode, validate.stdout).to.equal(0);
    expect((await poolSnapshot(pool().pool, [n(2)]))['n3']).to.deep.equal([n(2).hostname]);
  });

  it('peers delete-cluster: each node alone again', async () => {
    const run = await cli('peers', 'delete-cluster', ...nodes(0, 1));
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(
      Object.values(await poolSnapshot(pool().pool, [n(0), n(1)])).map((names) => names.length),
    ).to.deep.equal([1, 1]);
  });
});
