import { createCluster } from '../gluster/create-cluster.js';
import { deleteCluster } from '../gluster/delete-cluster.js';
import type { MeshReport } from '../gluster/mesh-validation.js';
import { validatePeersAreConnected } from '../gluster/mesh-validation.js';
import type { Peer } from '../gluster/peer.js';
import { waitForPeersToConnect } from '../gluster/peer-connectivity.js';
import { peerDetach } from '../gluster/peer-detach.js';
import { peerProbe } from '../gluster/peer-probe.js';
import { getPeerStatus } from '../gluster/peer-status.js';
import { getPoolList } from '../gluster/pool-list.js';
import { UsageError } from './cli-errors.js';
import type { PeersSubcommand } from './cli-options.js';
import { PEERS_SUBCOMMANDS } from './cli-options.js';
import type { CommandContext } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import type { NodeTarget } from './node-target.js';
import { assertAddress, resolveNodeTarget } from './node-target.js';
import { formatJson, formatTable } from './table.js';

/** `peers <operation>`: the peer library's operations, one to one, against nodes over SSH. */
export async function runPeersCommand(ctx: CommandContext): Promise<ExitCode> {
  const [name, ...hosts] = ctx.args;
  const sub = PEERS_SUBCOMMANDS.find((candidate) => candidate === name);
  if (!sub) {
    throw new UsageError(
      name === undefined
        ? `peers needs an operation: ${PEERS_SUBCOMMANDS.join(', ')}`
        : `Unknown peers operation "${name}"; the operations are ${PEERS_SUBCOMMANDS.join(', ')}`,
    );
  }
  checkArguments(sub, hosts);
  if (ctx.flags.force && sub !== 'detach') throw new UsageError('--force is for peers detach only');
  if (ctx.flags.connected !== undefined && sub !== 'wait') {
    throw new UsageError('--connected is for peers wait only');
  }
  for (const host of hosts) assertAddress(host, `peers ${sub}`);
  const needsNodes = sub === 'validate' || sub === 'create-cluster' || sub === 'delete-cluster';
  const target = await resolveNodeTarget(ctx.flags, ctx.io, {
    required: needsNodes || ctx.flags.via === undefined,
  });
  const call = { signal: ctx.signal, resolver: ctx.resolver };

  switch (sub) {
    case 'probe': {
      const [server = ''] = hosts;
      const node = via(ctx, target);
      const { cli } = await ctx.connect(target);
      const result = await peerProbe(cli, { server, node }, call);
      const text: Record<typeof result.outcome, string> = {
        probed: `Probed ${server} from ${node}; it joins once the handshake spreads (peers wait ${server} --via ${node})`,
        'already-member': `${server} is already a member of ${node}'s pool; nothing to do`,
        'local-node': `${server} is ${node} itself; nothing to do`,
        'in-progress': `glusterd on ${node} is still probing ${server} (an earlier probe has not finished); check again with peers list`,
      };
      return finish(
        ctx,
        { outcome: result.outcome, server, node, message: result.message },
        text[result.outcome],
      );
    }
    case 'detach': {
      const [server = ''] = hosts;
      const node = via(ctx, target);
      const force = ctx.flags.force ?? false;
      if (force) {
        ctx.io.stderr(
          "WARNING: --force skips glusterd's own checks (another member down, quorum); a member that is down keeps the old pool in its view. Bricks are still checked.\n",
        );
      }
      const { cli } = await ctx.connect(target);
      const result = await peerDetach(cli, { server, node, force }, call);
      return finish(
        ctx,
        { outcome: result.outcome, server, node, force, message: result.message },
        result.outcome === 'detached'
          ? `Detached ${server} on ${node}${force ? ' (forced)' : ''}`
          : `${server} is not a member of ${node}'s pool; nothing to do`,
      );
    }
    case 'list':
    case 'status': {
      const node = via(ctx, target);
      const { cli } = await ctx.connect(target);
      const peers: readonly (Peer & { isLocal?: boolean })[] =
        sub === 'list' ? await getPoolList(cli, node, call) : await getPeerStatus(cli, node, call);
      if (ctx.format === 'json') ctx.io.stdout(formatJson({ node, peers }));
      else ctx.io.stdout(formatPeers(peers, node));
      return EXIT.ok;
    }
    case 'validate': {
      const nodes = target?.nodes ?? [];
      const { cli } = await ctx.connect(target);
      ctx.progress.step(`Asking ${nodes.length} node(s) for their pool…`);
      const mesh = await validatePeersAreConnected(cli, nodes, call);
      if (ctx.format === 'json') ctx.io.stdout(formatJson(mesh));
      else ctx.io.stdout(formatMesh(mesh));
      return mesh.isFullMesh ? EXIT.ok : EXIT.attention;
    }
    case 'wait': {
      const node = via(ctx, target);
      const { cli } = await ctx.connect(target);
      ctx.progress.step(
        `Waiting up to ${ctx.timeoutMs / 1000}s for ${node} to see ${hosts.join(', ')} connected…`,
      );
      const result = await waitForPeersToConnect(
        cli,
        { node, servers: hosts },
        { ...call, timeoutMs: ctx.timeoutMs },
      );
      if (ctx.format === 'json') {
        ctx.io.stdout(
          formatJson({
            node,
            isConnected: result.isConnected,
            attempts: result.attempts,
            connections: result.connections,
            lastError: result.lastError?.message ?? null,
          }),
        );
      } else {
        ctx.io.stdout(
          formatTable(
            ['PEER', 'STATUS'],
            result.connections.map((c) => [c.server, c.status]),
          ),
        );
        ctx.io.stdout(
          result.isConnected
            ? `All connected (${result.attempts} look(s)).\n`
            : `Not all connected after ${ctx.timeoutMs / 1000}s${result.lastError ? `; last error: ${result.lastError.message}` : ''}.\n`,
        );
      }
      return result.isConnected ? EXIT.ok : EXIT.attention;
    }
    case 'create-cluster': {
      const nodes = target?.nodes ?? [];
      const { cli } = await ctx.connect(target);
      ctx.progress.step(`Forming one pool of ${nodes.join(', ')} from ${nodes[0] ?? ''}…`);
      const result = await ctx.progress.timed('create-cluster', () =>
        createCluster(cli, nodes, { ...call, connectTimeoutMs: ctx.timeoutMs }),
      );
      if (ctx.format === 'json') ctx.io.stdout(formatJson(result));
      else {
        ctx.io.stdout(formatActions(result.actions));
        ctx.io.stdout(formatMesh(result.mesh));
      }
      return result.mesh.isFullMesh ? EXIT.ok : EXIT.attention;
    }
    case 'delete-cluster': {
      const nodes = target?.nodes ?? [];
      const { cli } = await ctx.connect(target);
      ctx.progress.step(
        `Detaching ${nodes.slice(1).join(', ')} from ${nodes[0] ?? ''}, one at a time…`,
      );
      const result = await ctx.progress.timed('delete-cluster', () =>
        deleteCluster(cli, nodes, call),
      );
      if (ctx.format === 'json') ctx.io.stdout(formatJson(result));
      else ctx.io.stdout(formatActions(result.actions));
      return EXIT.ok;
    }
  }
}

function checkArguments(sub: PeersSubcommand, hosts: readonly string[]): void {
  const wanted: Record<PeersSubcommand, [number, number, string]> = {
    probe: [1, 1, '<host>'],
    detach: [1, 1, '<host>'],
    list: [0, 0, ''],
    status: [0, 0, ''],
    validate: [0, 0, ''],
    wait: [1, Infinity, '<host...>'],
    'create-cluster': [0, 0, ''],
    'delete-cluster': [0, 0, ''],
  };
  const [min, max, usage] = wanted[sub];
  if (hosts.length < min || hosts.length > max) {
    throw new UsageError(
      usage === ''
        ? `peers ${sub} takes no arguments (the nodes come from --node, --peers-file, --peers, -f or --cluster)`
        : `Usage: peers ${sub} ${usage} [--via <node>]`,
    );
  }
}

/** Where to run a single-node operation: --via, else the first node of the node source. */
function via(ctx: CommandContext, target: NodeTarget | undefined): string {
  const node = ctx.flags.via ?? target?.nodes[0];
  if (node === undefined) throw new UsageError('Say which node to run it on: --via <node>');
  return node;
}

function finish(ctx: CommandContext, json: Record<string, unknown>, text: string): ExitCode {
  ctx.io.stdout(ctx.format === 'json' ? formatJson(json) : `${text}\n`);
  return EXIT.ok;
}

function formatPeers(peers: readonly (Peer & { isLocal?: boolean })[], node: string): string {
  if (peers.length === 0) return `${node} has no peers (a pool of its own).\n`;
  return formatTable(
    ['UUID', 'HOSTNAME', 'CONNECTED', 'STATE'],
    peers.map((peer) => [
      peer.uuid,
      peer.isLocal ? `${peer.hostname} (${node}, asked)` : peer.hostname,
      peer.isConnected ? 'yes' : 'no',
      peer.stateStr ?? (peer.isLocal ? '-' : '?'),
    ]),
  );
}

function formatMesh(mesh: MeshReport): string {
  const links = formatTable(
    ['OBSERVER', 'SEES', 'STATUS'],
    mesh.links.map((link) => [link.observer, link.target, link.status]),
  );
  return mesh.isFullMesh
    ? `${links}Full mesh: every node sees every other connected.\n`
    : `${links}Problems:\n${mesh.problems.map((problem) => `  ${problem}\n`).join('')}`;
}

function formatActions(
  actions: readonly { verb: string; node: string; server: string; outcome: string }[],
): string {
  if (actions.length === 0) return 'No change was needed.\n';
  return actions
    .map((action) => `${action.verb} ${action.server} on ${action.node}: ${action.outcome}\n`)
    .join('');
}
