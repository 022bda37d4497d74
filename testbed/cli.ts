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
  up --name N --nodes K        start a pool and leave it running
  down --name N | --all        remove one pool, or every pool and leftover
  list                         show pools
  prune                        remove pools whose owner process is gone
  fault <kind> --name N --node n2 [--port 24007]
        kinds: stop-glusterd start-glusterd cut-link restore-link drop-outbound restore-outbound
               drop-inbound restore-inbound (--port: default 24007 outbound, 22 inbound)
  exec --name N --node n1 -- gluster --mode=script --xml pool list`;

const FAULTS = {
  'stop-glusterd': (p, n) => p.stopGlusterd(n),
  'start-glusterd': (p, n) => p.startGlusterd(n),
  'cut-link': (p, n) => p.cutLink(n),
  'restore-link': (p, n) => p.restoreLink(n),
  'drop-outbound': (p, n, port) => p.dropOutbound(n, port),
  'restore-outbound': (p, n) => p.restoreOutbound(n),
  'drop-inbound': (p, n, port) => p.dropInbound(n, port),
  'restore-inbound': (p, n) => p.restoreInbound(n),
} satisfies Record<string, (pool: GlusterTestPool, node: string, port: number) => Promise<void>>;

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
      const defaultPort = kind === 'drop-inbound' ? 22 : 24007;
      const port = values.port === undefined ? defaultPort : toInteger(values.port, '--port');
      await FAULTS[kind as keyof typeof FAULTS](pool, required(values.node, '--node'), port);
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
