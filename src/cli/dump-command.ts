import { CouldNotRunError } from '../exec/exec-errors.js';
import { GlusterCliError } from '../gluster/gluster-errors.js';
import type { PoolMember } from '../gluster/peer.js';
import { getPoolList } from '../gluster/pool-list.js';
import { dumpInventory, serializePeerInventory } from '../inventory/index.js';
import type { CommandContext } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { resolveNodeTarget } from './node-target.js';
import { namesToResolve, poolInventory } from './pool-inventory.js';

/**
 * `dump`: the pool as a node sees it, written as peers.json (to -o, else stdout). Asked of
 * --via, else of the first node of the source that answers.
 */
export async function runDumpCommand(ctx: CommandContext): Promise<ExitCode> {
  const target = await resolveNodeTarget(ctx.flags, ctx.io, {
    required: ctx.flags.via === undefined,
  });
  const candidates = ctx.flags.via !== undefined ? [ctx.flags.via] : (target?.nodes ?? []);
  const { cli } = await ctx.connect(target);
  let asked: { node: string; members: PoolMember[] } | undefined;
  let lastError: unknown;
  for (const node of candidates) {
    try {
      const members = await ctx.progress.timed(`  ${node}: pool list`, () =>
        getPoolList(cli, node, { signal: ctx.signal }),
      );
      asked = { node, members };
      break;
    } catch (error) {
      // The next node may answer; anything but an unreachable node or glusterd is a real error.
      if (!(error instanceof CouldNotRunError || error instanceof GlusterCliError)) throw error;
      ctx.signal.throwIfAborted();
      lastError = error;
    }
  }
  if (!asked) throw lastError;
  const addresses = new Map<string, string>();
  for (const name of namesToResolve(asked.members)) {
    const [address] = await ctx.resolver(name).catch(() => [] as string[]);
    if (address === undefined) {
      ctx.io.stderr(`warning: ${name} does not resolve here; its ip_address is the name itself\n`);
    } else addresses.set(name, address);
  }
  const inventory = poolInventory(asked.members, {
    askedNode: asked.node,
    addresses,
    now: ctx.io.now(),
  });
  if (ctx.flags.out === undefined) {
    ctx.io.stdout(serializePeerInventory(inventory));
  } else {
    const written = await dumpInventory({ inventory, path: undefined }, ctx.flags.out);
    ctx.progress.step(`Wrote ${inventory.replicas.length} peer(s) to ${written}`);
  }
  return EXIT.ok;
}
