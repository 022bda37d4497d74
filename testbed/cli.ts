import { parseArgs } from 'node:util';
import {
  destroyAllTestPools,
  destroyStaleTestPools,
  listTestPools,
  openGlusterTestPool,
  startGlusterTestPool,
  type GlusterTestPool,
} from './gluster-test-pool.js';
import { TestbedError } from './testbed-error.js';

const USAGE = `Usage: tsx testbed/cli.ts <command>
  up --name N --nodes K [--brick-size-mib 1024]
                               start a pool and leave it running
  down --name N | --all        remove one pool, or every pool and leftover
  list                         show pools
  prune                        remove pools whose owner process is gone
  fault <kind> --name N --node n2 [--port 24007]
        kinds: stop-glusterd start-glusterd cut-link restore-link drop-outbound restore-outbound
               drop-inbound restore-inbound (--port: default 24007 outbound, 22 inbound)
  fault kill-brick --name N --node n2 --volume V --brick /bricks/V/brick
  fault start-bricks --name N --volume V [--node n1]    (gluster volume start V force)
  exec --name N --node n1 -- gluster --mode=script --xml pool list`;

/** The flags of a fault, read when the fault needs them (so each says what it misses). */
interface FaultArgs {
  node(): string;
  nodeOrNone(): string | undefined;
  port(defaultPort: number): number;
  volume(): string;
  brick(): string;
}

const FAULTS = {
  'stop-glusterd': (p, a) => p.stopGlusterd(a.node()),
  'start-glusterd': (p, a) => p.startGlusterd(a.node()),
  'cut-link': (p, a) => p.cutLink(a.node()),
  'restore-link': (p, a) => p.restoreLink(a.node()),
  'drop-outbound': (p, a) => p.dropOutbound(a.node(), a.port(24007)),
  'restore-outbound': (p, a) => p.restoreOutbound(a.node()),
  'drop-inbound': (p, a) => p.dropInbound(a.node(), a.port(22)),
  'restore-inbound': (p, a) => p.restoreInbound(a.node()),
  'kill-brick': (p, a) => p.killBrick(a.node(), a.volume(), a.brick()),
  'start-bricks': (p, a) => p.startBricks(a.volume(), a.nodeOrNone()),
} satisfies Record<string, (pool: GlusterTestPool, args: FaultArgs) => Promise<void>>;

/** Returns the process exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      nodes: { type: 'string' },
      node: { type: 'string' },
      port: { type: 'string' },
      volume: { type: 'string' },
      brick: { type: 'string' },
      'brick-size-mib': { type: 'string' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  switch (command) {
    case 'up': {
      const pool = await startGlusterTestPool({
        name: required(values.name, '--name'),
        nodeCount: toInteger(required(values.nodes, '--nodes'), '--nodes'),
        detached: true,
        ...(values['brick-size-mib'] === undefined
          ? {}
          : { brickSizeMiB: toInteger(values['brick-size-mib'], '--brick-size-mib') }),
      });
      printPool(pool);
      return 0;
    }
    case 'down':
      if (values.all === true) await destroyAllTestPools();
      else await openGlusterTestPool(required(values.name, '--name')).destroy();
      return 0;
    case 'prune':
      await destroyStaleTestPools();
      return 0;
    case 'list':
      for (const pool of listTestPools()) {
        const owner =
          pool.ownerPid === null
            ? 'detached'
            : `owner ${pool.ownerPid}${pool.isStale ? ' (dead)' : ''}`;
        process.stdout.write(`${pool.name}\tindex ${pool.index}\t${owner}\n`);
        for (const n of pool.nodes) {
          process.stdout.write(`  ${n.name}\t${n.hostname}\t${n.ipv4}\t${n.ipv6}\t${n.netns}\n`);
        }
      }
      return 0;
    case 'fault': {
      const kind = rest[0];
      if (kind === undefined || !(kind in FAULTS)) {
        throw new TestbedError(
          `Unknown fault ${String(kind)}; one of ${Object.keys(FAULTS).join(', ')}`,
        );
      }
      const pool = openGlusterTestPool(required(values.name, '--name'));
      await FAULTS[kind as keyof typeof FAULTS](pool, {
        node: () => required(values.node, '--node'),
        nodeOrNone: () => values.node,
        port: (defaultPort) =>
          values.port === undefined ? defaultPort : toInteger(values.port, '--port'),
        volume: () => required(values.volume, '--volume'),
        brick: () => required(values.brick, '--brick'),
      });
      return 0;
    }
    case 'exec': {
      if (rest.length === 0) throw new TestbedError('exec needs a command after --');
      const pool = openGlusterTestPool(required(values.name, '--name'));
      const r = await pool.execOnNode(required(values.node, '--node'), rest);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.exitCode;
    }
    default:
      throw new TestbedError(`Unknown command ${command}\n${USAGE}`);
  }
}

function printPool(pool: GlusterTestPool): void {
  const lines = [
    `pool ${pool.name} (host ${pool.hostIpv4}, ${pool.hostIpv6})`,
    ...pool.nodes.map((n) => `  ${n.name}\t${n.hostname}\t${n.ipv4}\t${n.ipv6}\tnetns ${n.netns}`),
    `ssh user:     ${pool.sshUser}`,
    `ed25519 key:  ${pool.ed25519KeyPath}`,
    `rsa key:      ${pool.rsaKeyPath}`,
    `known_hosts:  ${pool.knownHostsPath}`,
    `hosts file:   ${pool.hostsFile}`,
    `state dir:    ${pool.stateDir}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new TestbedError(`${flag} is required`);
  return value;
}

function toInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new TestbedError(`${flag} must be an integer, got ${value}`);
  return n;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`testbed: ${err instanceof Error ? err.message : String(err)}\n`);
  for (let cause = err instanceof Error ? err.cause : undefined; cause !== undefined;) {
    process.stderr.write(
      `  cause: ${cause instanceof Error ? cause.message : JSON.stringify(cause)}\n`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  process.exitCode = 1;
}
