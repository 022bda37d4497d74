import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { Executor } from '../exec/executor.js';
import { KnownHosts } from '../exec/known-hosts.js';
import { SshExecutor } from '../exec/ssh-executor.js';
import type { Logger } from '../observability/logger.js';
import { InputFileError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';

/** How the CLI logs in to the nodes. The key text is kept to be redacted, never printed. */
export interface SshSettings {
  readonly user: string;
  readonly port: number;
  readonly sudo: boolean;
  readonly privateKey: string;
  /** Where the key came from, for messages ("~/.ssh/id_ed25519", "Secret ns/name"). */
  readonly privateKeySource: string;
  readonly hostKeys: KnownHosts | 'insecure-accept-any';
  readonly knownHostsSource: string;
}

export interface SshFlags {
  readonly user?: string | undefined;
  readonly port?: number | undefined;
  readonly sudo?: boolean | undefined;
  readonly keyPath?: string | undefined;
  readonly knownHostsPath?: string | undefined;
  readonly insecureSkipHostKeyCheck?: boolean | undefined;
}

/** What a GlusterCluster (spec.ssh and its Secret) says, used where no flag says otherwise. */
export interface SshDefaults {
  readonly user?: string | undefined;
  readonly port?: number | undefined;
  readonly sudo?: boolean | undefined;
  readonly credentials?: {
    readonly privateKey: string;
    readonly knownHosts: string;
    readonly source: string;
  };
}

/**
 * Flags first, then the cluster's own settings, then the defaults: root, port 22, the user's
 * ~/.ssh/id_ed25519 (else id_rsa) and ~/.ssh/known_hosts. Host keys are always checked unless
 * --insecure-skip-host-key-check says otherwise, and then a warning says so.
 */
export async function resolveSshSettings(
  flags: SshFlags,
  defaults: SshDefaults,
  io: CliIo,
): Promise<SshSettings> {
  const fromSecret = defaults.credentials;
  let privateKey: string;
  let privateKeySource: string;
  if (flags.keyPath !== undefined) {
    privateKey = await readInput(flags.keyPath, 'SSH private key (--ssh-key)');
    privateKeySource = flags.keyPath;
  } else if (fromSecret) {
    privateKey = fromSecret.privateKey;
    privateKeySource = fromSecret.source;
  } else {
    const candidates = ['id_ed25519', 'id_rsa'].map((file) => join(io.home, '.ssh', file));
    const found = await firstReadable(candidates);
    if (!found) {
      throw new InputFileError(
        `No SSH private key: looked for ${candidates.join(' and ')}; pass --ssh-key <path>`,
        candidates[0] ?? '',
      );
    }
    [privateKeySource, privateKey] = found;
  }

  let hostKeys: KnownHosts | 'insecure-accept-any';
  let knownHostsSource: string;
  if (flags.insecureSkipHostKeyCheck) {
    io.stderr(
      'WARNING: --insecure-skip-host-key-check: host keys are not checked, so any machine at these addresses can pose as a node and receive gluster commands. Use it only in a lab.\n',
    );
    hostKeys = 'insecure-accept-any';
    knownHostsSource = '(not checked)';
  } else if (flags.knownHostsPath === undefined && fromSecret) {
    hostKeys = parseKnownHosts(fromSecret.knownHosts, fromSecret.source);
    knownHostsSource = fromSecret.source;
  } else {
    const path = flags.knownHostsPath ?? join(io.home, '.ssh', 'known_hosts');
    const text = await readInput(path, 'known_hosts (--known-hosts)');
    hostKeys = parseKnownHosts(text, path);
    knownHostsSource = path;
  }
  return {
    user: flags.user ?? defaults.user ?? 'root',
    port: flags.port ?? defaults.port ?? 22,
    sudo: flags.sudo ?? defaults.sudo ?? false,
    privateKey,
    privateKeySource,
    hostKeys,
    knownHostsSource,
  };
}

export function createSshExecutor(
  settings: SshSettings,
  options: { readonly commandTimeoutMs: number; readonly logger: Logger },
): Executor {
  return new SshExecutor({
    user: settings.user,
    port: settings.port,
    sudo: settings.sudo,
    privateKey: settings.privateKey,
    hostKeys: settings.hostKeys,
    connectTimeoutMs: Math.min(10_000, options.commandTimeoutMs),
    defaultCommandTimeoutMs: options.commandTimeoutMs,
    logger: options.logger,
  });
}

function parseKnownHosts(text: string, source: string): KnownHosts {
  try {
    return KnownHosts.parse(text);
  } catch (cause) {
    if (!(cause instanceof InvalidArgumentError)) throw cause;
    throw new InputFileError(`${source} is not a known_hosts file: ${cause.message}`, source, {
      cause,
    });
  }
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new InputFileError(`Could not read the ${what} at ${path}: ${why}`, path, { cause });
  }
}

async function firstReadable(paths: readonly string[]): Promise<[string, string] | undefined> {
  for (const path of paths) {
    try {
      return [path, await readFile(path, 'utf8')];
    } catch {
      // Not there: try the next default.
    }
  }
  return undefined;
}
