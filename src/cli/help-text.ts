import type { CommandName } from './cli-options.js';

const SSH = `SSH (how the nodes are reached):
  --ssh-user <user>        default root (or spec.ssh.user)
  --ssh-key <path>         default ~/.ssh/id_ed25519, else ~/.ssh/id_rsa (or the cluster's Secret)
  --known-hosts <path>     default ~/.ssh/known_hosts (or the cluster's Secret); host keys are always checked
  --insecure-skip-host-key-check   do not check host keys (labs only; warns)
  --ssh-port <port>        default 22 (or spec.ssh.port)
  --sudo                   run gluster through sudo -n (or spec.ssh.sudo)`;

const SOURCES = `Nodes (one source):
  --node <address>         repeatable; a host name, IPv4 or IPv6 address
  --peers-file <path>      a peers.json; nodes by ip_address (by hostname with --use-hostnames)
  --peers                  the first peers.json of $PEERS_PATH, ./peers.json, ~/.fluidfs/peers.json, /etc/fluidfs/peers.json
  -f <manifest.yaml>       a GlusterCluster manifest (--cluster <name> picks one of several)
  --cluster <name>         a GlusterCluster from the API server, with its SSH Secret (-n, --kubeconfig)`;

const COMMON = `Common:
  --output table|json      default table; results on stdout, progress on stderr
  --timeout <duration>     gluster's --timeout per command (default 30s)
  -q, --quiet              no progress
  -v, --verbose            JSON logs on stderr
  --kubeconfig <path>      default $KUBECONFIG or ~/.kube/config
  -n, --namespace <ns>     default the context's namespace, else default
  -h, --help`;

const EXIT_CODES = `Exit codes:
  0   done; nothing to do (plan); a full mesh (status, peers validate)
  1   failed: glusterd refused, the API server failed, a command timed out
  2   plan: the operator would make a change
  3   needs attention: plan has a blocked change; status/validate found the pool not fully
      connected; peers wait timed out; a support bundle lacks something
  64  usage error (unknown flag, missing argument, invalid or hostile address)
  65  bad input file (manifest, peers.json, key, known_hosts, Secret)
  69  a node could not be reached or logged in to over SSH
  130 interrupted`;

export const HELP: Readonly<Record<CommandName | 'main', string>> = {
  main: `gluster-operator: the GlusterCluster operator's command line, with or without Kubernetes

Usage: gluster-operator <command> [flags]

Commands:
  plan            what the operator would do to a pool (-f manifest or --cluster) or a
                  GlusterVolume (--volume), nothing changed
  status          the pool as every node sees it; GlusterVolumes with --volumes
  peers <op>      probe, detach, list, status, validate, wait, create-cluster, delete-cluster
  dump            write the pool as peers.json
  support-bundle  a tar.gz for support, secrets redacted
  help <command>  this, for one command

${SOURCES}

${SSH}

${COMMON}

${EXIT_CODES}

Docs: docs/cli.md
`,
  plan: `Usage: gluster-operator plan (-f <manifest.yaml> | --cluster <name> | --volume <name>) [-n <ns>] [flags]

Checks the GlusterCluster as the API server would, asks every node for its view over SSH, and
runs the operator's own planner. Prints each node's state, the next change, every change still
needed, and every blocked change with its reason. Changes nothing. The operator makes one change
per pass and reads every node again before the next.

With --cluster the resource and its SSH Secret (ssh-privatekey, known_hosts) are read from the
API server; with -f, SSH comes from the flags (spec.ssh.user/port/sudo still apply).

--output json prints the plan: cluster, commandNode, nodes, unmanaged, action,
actionDescription, remainingChanges, neededChanges, blocked.

With --volume <name>, the GlusterVolume and the GlusterCluster its spec.clusterRef names are read
from the API server, the volume is read (read-only) from the cluster's command node, and the
operator's volume planner prints the next pass's changes and every blocked change with its
reason. --output json: volume, cluster, volumeName, commandNode, observedState, ownership,
volumeId, batch, batchDescriptions, changes, remainingChanges, blocked, inFlight, rebalanceOwed.

Exit: 0 nothing to do, 2 the operator would change something, 3 a needed change is blocked.

${SSH}

${COMMON}
`,
  status: `Usage: gluster-operator status <nodes> [flags]
       gluster-operator status (--volumes | --volume <name>) [-n <ns>] [flags]

Asks every node for its own pool list and gluster version, and shows SSH and glusterd
reachability, and how each node sees each other (Connected, Disconnected, Rejected, Joining,
NotInPool, Unknown).

Exit: 0 every node answered and sees every other connected; 3 otherwise; 69 no node reachable.

--volumes lists the GlusterVolumes of the namespace (--volume <name>: one) from the API server as
the operator last wrote their status: TYPE, STATE, BRICKS-ONLINE, HEAL-PENDING, READY and every
condition's message. No node is asked. Exit: 0 every volume Ready, 3 otherwise.

${SOURCES}

${SSH}

${COMMON}
`,
  peers: `Usage: gluster-operator peers <operation> [args] [flags]

  probe <host> [--via <node>]            gluster peer probe, idempotent
  detach <host> [--via <node>] [--force] gluster peer detach; never a brick host; --force only if given
  list [--via <node>]                    gluster pool list
  status [--via <node>]                  gluster peer status
  validate <nodes>                       every node's view: a full mesh? (exit 3 if not)
  wait <host...> [--via <node>] [--connected] [--timeout 30s]
                                         until <node> sees every host connected (exit 3 on timeout)
  create-cluster <nodes>                 exactly these nodes, one pool, from the first
  delete-cluster <nodes>                 detach the others from the first, one at a time

--via defaults to the first node of the node source.

${SOURCES}

${SSH}

${COMMON}
`,
  dump: `Usage: gluster-operator dump (<nodes> | --via <node>) [-o peers.json] [flags]

Writes the pool as a node sees it (its pool list) as peers.json: pid 1, 2, … (the node asked
first), name = the member's host name (its address if it has none), ip_address = its address
(resolved here when gluster knows it by name), port 24007 (glusterd's). To -o (written
atomically), else stdout. Asks --via, else the first node of the source that answers.

${SOURCES}

${SSH}

${COMMON}
`,
  'support-bundle': `Usage: gluster-operator support-bundle [-o bundle.tar.gz] [<nodes>] [flags]

Collects into one tar.gz: the GlusterCluster, its status and events (with --cluster, or -n),
the operator's recent logs (--operator-namespace, --operator-selector; --operator-log <file>
for local log files), and from each node its pool list, peer status, volume info, gluster
version and the tail of its glusterd log. Secrets are redacted, including the SSH key used.

  -o, --out <path>             default ./gluster-support-<time>.tar.gz
  --log-lines <n>              lines of each log tail (default 500)
  --operator-namespace <ns>    where the operator runs
  --operator-selector <sel>    its pods' label selector
  --operator-log <path>        a local operator log file (repeatable)

Exit: 0 written complete, 3 written with gaps (listed), 1 not written.

${SOURCES}

${SSH}

${COMMON}
`,
  help: `Usage: gluster-operator help [command]
`,
};
