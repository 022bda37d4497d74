import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../core/duration.js';
import { UsageError } from './cli-errors.js';

/** Every flag the CLI knows; which command takes which is in COMMAND_FLAGS. */
const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  output: { type: 'string' },
  timeout: { type: 'string' },
  // SSH
  'ssh-user': { type: 'string' },
  'ssh-key': { type: 'string' },
  'known-hosts': { type: 'string' },
  'insecure-skip-host-key-check': { type: 'boolean' },
  'ssh-port': { type: 'string' },
  sudo: { type: 'boolean' },
  // Kubernetes
  kubeconfig: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  cluster: { type: 'string' },
  // GlusterVolumes
  volume: { type: 'string' },
  volumes: { type: 'boolean' },
  // Node sources
  node: { type: 'string', multiple: true },
  'peers-file': { type: 'string' },
  peers: { type: 'boolean' },
  'use-hostnames': { type: 'boolean' },
  file: { type: 'string', short: 'f' },
  // Per command
  via: { type: 'string' },
  force: { type: 'boolean' },
  connected: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  'operator-log': { type: 'string', multiple: true },
  'log-lines': { type: 'string' },
  'operator-namespace': { type: 'string' },
  'operator-selector': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type OptionName = keyof typeof OPTIONS;

export type CommandName = 'plan' | 'status' | 'peers' | 'dump' | 'support-bundle' | 'help';
export const COMMANDS: readonly CommandName[] = [
  'plan',
  'status',
  'peers',
  'dump',
  'support-bundle',
  'help',
];

export type PeersSubcommand =
  | 'probe'
  | 'detach'
  | 'list'
  | 'status'
  | 'validate'
  | 'wait'
  | 'create-cluster'
  | 'delete-cluster';
export const PEERS_SUBCOMMANDS: readonly PeersSubcommand[] = [
  'probe',
  'detach',
  'list',
  'status',
  'validate',
  'wait',
  'create-cluster',
  'delete-cluster',
];

const GLOBAL: readonly OptionName[] = ['help', 'verbose', 'quiet', 'output', 'timeout'];
const SSH: readonly OptionName[] = [
  'ssh-user',
  'ssh-key',
  'known-hosts',
  'insecure-skip-host-key-check',
  'ssh-port',
  'sudo',
];
const KUBE: readonly OptionName[] = ['kubeconfig', 'namespace', 'cluster'];
const SOURCES: readonly OptionName[] = ['node', 'peers-file', 'peers', 'use-hostnames', 'file'];

/** The flags each command accepts besides the global ones: a flag it would ignore is an error. */
const COMMAND_FLAGS: Readonly<Record<CommandName, readonly OptionName[]>> = {
  plan: [...SSH, ...KUBE, 'file', 'volume'],
  status: [...SSH, ...KUBE, ...SOURCES, 'volume', 'volumes'],
  peers: [...SSH, ...KUBE, ...SOURCES, 'via', 'force', 'connected'],
  dump: [...SSH, ...KUBE, ...SOURCES, 'via', 'out'],
  'support-bundle': [
    ...SSH,
    ...KUBE,
    ...SOURCES,
    'out',
    'operator-log',
    'log-lines',
    'operator-namespace',
    'operator-selector',
  ],
  help: [],
};

/** The flags as parsed: every value optional, repeatable flags as arrays. */
export type CliFlags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];

export interface ParsedCommandLine {
  readonly command: CommandName | undefined;
  /** Positionals after the command (for peers: the subcommand first). */
  readonly args: readonly string[];
  readonly values: CliFlags;
}

/** Splits argv into the command, its arguments and its flags; refuses anything unknown. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const [first, ...args] = parsed.positionals;
  if (first === undefined) return { command: undefined, args, values: parsed.values };
  const command = COMMANDS.find((name) => name === first);
  if (!command) {
    throw new UsageError(`Unknown command "${first}"; the commands are ${COMMANDS.join(', ')}`);
  }
  const allowed = new Set<string>([...GLOBAL, ...COMMAND_FLAGS[command]]);
  for (const token of parsed.tokens) {
    if (token.kind === 'option' && !allowed.has(token.name)) {
      throw new UsageError(`${command} does not take --${token.name}; see ${command} --help`);
    }
  }
  return { command, args, values: parsed.values };
}

export type OutputFormat = 'table' | 'json';

export function outputFormat(values: CliFlags): OutputFormat {
  const format = values.output ?? 'table';
  if (format !== 'table' && format !== 'json') {
    throw new UsageError(`--output must be table or json, not "${format}"`);
  }
  return format;
}

/** An integer flag within bounds, or the default when absent. */
export function integerFlag(
  name: string,
  text: string | undefined,
  fallback: number,
  bounds: { readonly min: number; readonly max: number },
): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(
      `--${name} must be an integer from ${bounds.min} to ${bounds.max}, not "${text}"`,
    );
  }
  return value;
}

/** A duration flag ("30s", "2m", "1m30s"; a bare number is seconds). */
export function durationFlag(name: string, text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--${name} must be a duration such as 30s, 2m or 1m30s, not "${text}"`);
  }
  return ms;
}
