import type { GlusterCluster, GlusterNodeSpec } from '../api/gluster-cluster.js';
import { checkHostAddress } from '../api/host-address.js';
import type { InventoryPeer, LoadedInventory } from '../inventory/index.js';
import { inventoryLookupPaths, loadInventory, loadInventoryFrom } from '../inventory/index.js';
import { resolveDesiredNodes } from '../core/desired-nodes.js';
import { InputFileError, UsageError } from './cli-errors.js';
import { loadClusterManifest } from './cluster-manifest.js';
import { loadKubeAccess, readClusterFromApi } from './kube-access.js';
import type { CliIo } from './cli-io.js';
import type { SshDefaults } from './ssh-access.js';

/** The nodes a command works on, where they came from, and what that source says about SSH. */
export interface NodeTarget {
  readonly nodes: readonly string[];
  /** For messages: "--node", "peers.json at /etc/fluidfs/peers.json", "GlusterCluster ns/name". */
  readonly source: string;
  /** Present when the nodes came from a GlusterCluster (-f or --cluster). */
  readonly cluster?: GlusterCluster;
  /** The cluster's nodes in force (spec.nodes, or an inventory's list in force). */
  readonly specNodes?: readonly GlusterNodeSpec[];
  readonly sshDefaults: SshDefaults;
}

export interface TargetFlags {
  readonly node?: readonly string[] | undefined;
  readonly 'peers-file'?: string | undefined;
  readonly peers?: boolean | undefined;
  readonly 'use-hostnames'?: boolean | undefined;
  readonly file?: string | undefined;
  readonly cluster?: string | undefined;
  readonly kubeconfig?: string | undefined;
  readonly namespace?: string | undefined;
  /** The node to run on instead of the source's first (peers, dump). */
  readonly via?: string | undefined;
}

const SOURCE_FLAGS = '--node, --peers-file, --peers, -f or --cluster';

/**
 * Reads the one node source the flags name. Every address is checked (checkHostAddress) before
 * anything connects anywhere: a hostile or mistyped address stops the command here.
 * @returns undefined when no source was given and `required` is false
 */
export async function resolveNodeTarget(
  flags: TargetFlags,
  io: CliIo,
  options: { readonly required: boolean; readonly clusterOnly?: boolean },
): Promise<NodeTarget | undefined> {
  if (flags.via !== undefined) assertAddress(flags.via, '--via');
  const given = [
    (flags.node?.length ?? 0) > 0 ? '--node' : undefined,
    flags['peers-file'] !== undefined ? '--peers-file' : undefined,
    flags.peers ? '--peers' : undefined,
    flags.file !== undefined || flags.cluster !== undefined ? '-f/--cluster' : undefined,
  ].filter((name) => name !== undefined);
  if (given.length > 1) {
    throw new UsageError(`Give one node source, not ${given.join(' and ')}`);
  }
  if (options.clusterOnly && flags.file === undefined && flags.cluster === undefined) {
    throw new UsageError(
      'Say which GlusterCluster: -f <manifest.yaml>, or --cluster <name> [-n <namespace>]',
    );
  }
  if (given.length === 0) {
    if (options.required) throw new UsageError(`Say which nodes: ${SOURCE_FLAGS}`);
    return undefined;
  }
  if (flags.node && flags.node.length > 0) {
    for (const address of flags.node) assertAddress(address, '--node');
    return { nodes: unique(flags.node), source: '--node', sshDefaults: {} };
  }
  if (flags['peers-file'] !== undefined || flags.peers) {
    const loaded =
      flags['peers-file'] !== undefined
        ? await loadInventoryFrom(flags['peers-file'])
        : await loadInventory({ env: io.env, cwd: io.cwd, home: io.home });
    return inventoryTarget(loaded, flags['use-hostnames'] ?? false, io);
  }
  if (flags.file !== undefined) {
    const cluster = await loadClusterManifest(flags.file, {
      namespace: flags.namespace ?? 'default',
      ...(flags.cluster === undefined ? {} : { name: flags.cluster }),
    });
    return clusterTarget(cluster, `GlusterCluster ${cluster.metadata.name} in ${flags.file}`);
  }
  const access = loadKubeAccess(flags);
  const name = flags.cluster ?? '';
  const { cluster, credentials } = await readClusterFromApi(access, name);
  const where = `${access.namespace}/${name}`;
  return clusterTarget(cluster, `GlusterCluster ${where}`, {
    privateKey: credentials.privateKey,
    knownHosts: credentials.knownHosts,
    source: `Secret ${access.namespace}/${cluster.spec.ssh.secretRef.name}`,
  });
}

function clusterTarget(
  cluster: GlusterCluster,
  source: string,
  credentials?: SshDefaults['credentials'],
): NodeTarget {
  const { ssh } = cluster.spec;
  const specNodes = nodesInForce(cluster, source);
  return {
    nodes: specNodes.map((node) => node.address),
    source,
    cluster,
    specNodes,
    sshDefaults: {
      user: ssh.user,
      port: ssh.port,
      sudo: ssh.sudo,
      ...(credentials ? { credentials } : {}),
    },
  };
}

/** peers.json: each replica by its ip_address, or its hostname with --use-hostnames. */
function inventoryTarget(loaded: LoadedInventory, useHostnames: boolean, io: CliIo): NodeTarget {
  if (loaded.path === undefined) {
    throw new UsageError(
      `No peers.json found (looked in ${inventoryLookupPaths({ env: io.env, cwd: io.cwd, home: io.home }).join(', ')}); pass --peers-file <path>`,
    );
  }
  const path = loaded.path;
  const nodes = loaded.inventory.replicas.map((peer: InventoryPeer, index) => {
    const address = useHostnames ? peer.hostname : peer.ip_address;
    const field = `replicas[${index}].${useHostnames ? 'hostname' : 'ip_address'}`;
    if (address === undefined || address === '') {
      throw new InputFileError(`${path}: ${field} (peer ${peer.name}) is empty`, path);
    }
    const check = checkHostAddress(address);
    if (!check.valid) throw new InputFileError(`${path}: ${field}: ${check.reason}`, path);
    return address;
  });
  if (nodes.length === 0) throw new InputFileError(`${path} lists no replicas`, path);
  return { nodes: unique(nodes), source: `peers.json at ${path}`, sshDefaults: {} };
}

/** Refuses an address that is not a host name, IPv4 or IPv6 address, before anything runs. */
export function assertAddress(address: string, flag: string): void {
  const check = checkHostAddress(address);
  if (!check.valid) throw new UsageError(`${flag}: ${check.reason}; nothing was run`);
}

function unique(addresses: readonly string[]): string[] {
  return [...new Set(addresses)];
}

/**
 * spec.nodes, or for an inventory source the list the operator has in force (status.inventory,
 * the last good read), as the reconciler resolves it when the inventory is not read anew.
 */
function nodesInForce(cluster: GlusterCluster, source: string): readonly GlusterNodeSpec[] {
  const { spec } = cluster;
  if (!spec.inventory) return spec.nodes ?? [];
  const inForce = cluster.status?.inventory;
  const nodes = inForce
    ? resolveDesiredNodes({ spec, source: inForce.source, previous: inForce }).nodes
    : [];
  if (nodes.length === 0) {
    throw new UsageError(
      `${source} takes its nodes from spec.inventory, and the operator has no list in force for it yet (status.inventory.nodes); give the nodes with --node or --peers-file instead`,
    );
  }
  return nodes;
}
