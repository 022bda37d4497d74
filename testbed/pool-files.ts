import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBrickImage } from './brick-filesystem.js';
import { renderHostsFile, type NodeLayout, type PoolLayout } from './pool-layout.js';
import { poolDir } from './pool-state.js';
import { runChecked } from './run-command.js';

/** Files shared by the pool's nodes and its clients. */
export interface PoolFiles {
  readonly dir: string;
  readonly hostsFile: string;
  readonly resolvConf: string;
  readonly authorizedKeys: string;
  readonly ed25519KeyPath: string;
  readonly rsaKeyPath: string;
  readonly knownHostsPath: string;
  /** The nodes' /etc/passwd, /etc/group and /etc/shadow: this machine's, plus SUDO_USER. */
  readonly passwd: string;
  readonly group: string;
  readonly shadow: string;
  /** The nodes' /etc/sudoers.d: SUDO_USER may run gluster as root, and nothing else. */
  readonly sudoersDir: string;
}

/**
 * A non-root user on every node, for testing `sudo -n`: it logs in with the pool's keys and its
 * sudoers rule allows exactly `/usr/sbin/gluster` without a password.
 */
export const SUDO_USER = { name: 'gluster-admin', uid: 64201, gid: 64201 } as const;

/** One node's directories (bind-mounted over the system paths inside it) and sshd files. */
export interface NodeFiles {
  readonly dir: string;
  /** → /var/lib/glusterd */
  readonly lib: string;
  /** → /run */
  readonly run: string;
  /** → /var/log/glusterfs */
  readonly log: string;
  /** XFS image, loop-mounted at /bricks inside the node. */
  readonly brickImage: string;
  /** → /home: holds SUDO_USER's home. */
  readonly users: string;
  /**
   * → /root: a node's own, empty home, as on a real machine. Without it the nodes share this
   * machine's /root, whose .bashrc (which bash runs for every SSH command) may be anything.
   */
  readonly home: string;
  readonly hostKey: string;
  readonly sshdConfig: string;
  readonly sshdLog: string;
  /** stdout/stderr of daemon start-ups, for when one fails before it has a log of its own. */
  readonly startLog: string;
}

/** One client's directories, bind-mounted over the system paths inside it. */
export interface ClientFiles {
  readonly dir: string;
  /** → /var/lib/glusterd: empty, so the client never reads this machine's (secure-access). */
  readonly lib: string;
  /** → /run: mount(8) keeps its notes on mounts under /run/mount. */
  readonly run: string;
  /** → /var/log/glusterfs: the FUSE client's log, `mnt-<volume>.log`. */
  readonly log: string;
}

/** Where each client directory appears inside the client's mount namespace. */
export const CLIENT_MOUNTS = [
  ['lib', '/var/lib/glusterd'],
  ['run', '/run'],
  ['log', '/var/log/glusterfs'],
] as const satisfies readonly (readonly [keyof ClientFiles, string])[];

/** Where each node directory appears inside the node's mount namespace (bind mounts). */
export const NODE_MOUNTS = [
  ['lib', '/var/lib/glusterd'],
  ['run', '/run'],
  ['log', '/var/log/glusterfs'],
  ['home', '/root'],
  ['users', '/home'],
] as const satisfies readonly (readonly [keyof NodeFiles, string])[];

export function poolFiles(poolName: string): PoolFiles {
  const dir = poolDir(poolName);
  return {
    dir,
    hostsFile: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
    authorizedKeys: join(dir, 'authorized_keys'),
    ed25519KeyPath: join(dir, 'id_ed25519'),
    rsaKeyPath: join(dir, 'id_rsa'),
    knownHostsPath: join(dir, 'known_hosts'),
    passwd: join(dir, 'passwd'),
    group: join(dir, 'group'),
    shadow: join(dir, 'shadow'),
    sudoersDir: join(dir, 'sudoers.d'),
  };
}

export function nodeFiles(poolName: string, nodeName: string): NodeFiles {
  const dir = join(poolDir(poolName), nodeName);
  return {
    dir,
    lib: join(dir, 'lib'),
    run: join(dir, 'run'),
    log: join(dir, 'log'),
    brickImage: join(dir, 'bricks.img'),
    home: join(dir, 'home'),
    users: join(dir, 'users'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    sshdConfig: join(dir, 'sshd_config'),
    sshdLog: join(dir, 'sshd.log'),
    startLog: join(dir, 'start.log'),
  };
}

export function clientFiles(poolName: string, clientName: string): ClientFiles {
  const dir = join(poolDir(poolName), clientName);
  return { dir, lib: join(dir, 'lib'), run: join(dir, 'run'), log: join(dir, 'log') };
}

/**
 * Creates every file the nodes need before any daemon starts: directories, keys, configs, and
 * each node's brick filesystem image of `brickSizeMiB` (sparse).
 */
export async function writePoolFiles(layout: PoolLayout, brickSizeMiB: number): Promise<void> {
  const files = poolFiles(layout.name);
  // Traversable, because sshd reads authorized_keys as the logging-in user (SUDO_USER too);
  // the private keys inside stay 0600.
  await mkdir(files.dir, { recursive: true, mode: 0o755 });
  await Promise.all([
    writeFile(files.hostsFile, renderHostsFile(layout)),
    // No nameserver: glibc then asks 127.0.0.1 inside the node, where nothing answers, so an
    // unknown name fails at once and no query ever leaves the node.
    writeFile(files.resolvConf, 'options timeout:1 attempts:1\n'),
    generateKey(files.ed25519KeyPath, ['-t', 'ed25519'], `testbed-${layout.name}`),
    // PEM, not the OpenSSH format: clients that only read PKCS#1 must be testable too.
    generateKey(
      files.rsaKeyPath,
      ['-t', 'rsa', '-b', '3072', '-m', 'PEM'],
      `testbed-${layout.name}`,
    ),
    writeUserFiles(files),
    ...layout.nodes.map((node) => writeNodeFiles(layout.name, node, brickSizeMiB)),
  ]);
  const clientKeys = await Promise.all([
    readFile(`${files.ed25519KeyPath}.pub`, 'utf8'),
    readFile(`${files.rsaKeyPath}.pub`, 'utf8'),
  ]);
  await writeFile(files.authorizedKeys, clientKeys.join(''), { mode: 0o644 });
  const hostKeys = await Promise.all(
    layout.nodes.map(async (node) => {
      const [type, key] = (
        await readFile(`${nodeFiles(layout.name, node.name).hostKey}.pub`, 'utf8')
      )
        .trim()
        .split(' ');
      return `${node.hostname},${node.ipv4},${node.ipv6} ${type ?? ''} ${key ?? ''}\n`;
    }),
  );
  await writeFile(files.knownHostsPath, hostKeys.join(''));
}

/** This machine's users plus SUDO_USER, and its sudoers rule, for the nodes' /etc. */
async function writeUserFiles(files: PoolFiles): Promise<void> {
  const { name, uid, gid } = SUDO_USER;
  const [passwd, group, shadow] = await Promise.all(
    ['/etc/passwd', '/etc/group', '/etc/shadow'].map((path) => readFile(path, 'utf8')),
  );
  const withLine = (text: string | undefined, line: string): string =>
    `${(text ?? '').trimEnd()}\n${line}\n`;
  await Promise.all([
    writeFile(files.passwd, withLine(passwd, `${name}:x:${uid}:${gid}::/home/${name}:/bin/bash`), {
      mode: 0o644,
    }),
    writeFile(files.group, withLine(group, `${name}:x:${gid}:`), { mode: 0o644 }),
    // "*": no password, and not locked ("!"), which sshd without PAM would refuse for keys too.
    writeFile(files.shadow, withLine(shadow, `${name}:*:19000:0:99999:7:::`), { mode: 0o640 }),
    mkdir(files.sudoersDir, { mode: 0o755 }),
  ]);
  // sudo ignores a sudoers file that is not root-owned and 0440.
  await writeFile(
    join(files.sudoersDir, name),
    `${name} ALL=(root) NOPASSWD: /usr/sbin/gluster\n`,
    { mode: 0o440 },
  );
}

async function writeNodeFiles(
  poolName: string,
  node: NodeLayout,
  brickSizeMiB: number,
): Promise<void> {
  const files = nodeFiles(poolName, node.name);
  await Promise.all(
    NODE_MOUNTS.map(([key]) => mkdir(files[key], { recursive: true, mode: 0o755 })),
  );
  await createBrickImage(files.brickImage, brickSizeMiB);
  // sshd refuses to start without its privilege-separation directory under /run.
  await mkdir(join(files.run, 'sshd'), { mode: 0o755 });
  const home = join(files.users, SUDO_USER.name);
  await mkdir(home, { mode: 0o755 });
  await chown(home, SUDO_USER.uid, SUDO_USER.gid);
  await generateKey(files.hostKey, ['-t', 'ed25519'], node.hostname);
  await writeFile(files.sshdConfig, renderSshdConfig(poolName, node));
}

function renderSshdConfig(poolName: string, node: NodeLayout): string {
  const files = nodeFiles(poolName, node.name);
  return [
    `ListenAddress ${node.ipv4}`,
    `ListenAddress ${node.ipv6}`,
    'Port 22',
    `HostKey ${files.hostKey}`,
    // Inside the node, /run is the node's own run directory.
    'PidFile /run/sshd.pid',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    `AuthorizedKeysFile ${poolFiles(poolName).authorizedKeys}`,
    // The pool directory sits under the world-writable /tmp, which StrictModes rejects.
    'StrictModes no',
    'UseDNS no',
    // Many parallel sessions from tests and benchmarks must not be throttled.
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

async function generateKey(
  path: string,
  typeArgs: readonly string[],
  comment: string,
): Promise<void> {
  await runChecked(['ssh-keygen', '-q', ...typeArgs, '-N', '', '-C', comment, '-f', path]);
}
