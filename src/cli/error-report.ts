import { InvalidArgumentError } from '../errors.js';
import {
  CommandAbortedError,
  CommandTimeoutError,
  ConnectionLostError,
  CouldNotRunError,
  HostKeyVerificationError,
  SshAuthError,
  SshConnectError,
} from '../exec/exec-errors.js';
import { InventoryError } from '../inventory/index.js';
import { ClusterChangeFailedError, ClusterChangeRefusedError } from '../gluster/cluster-errors.js';
import {
  GlusterCliError,
  GlusterOperationError,
  GlusterXmlParseError,
  PeerHostsBricksError,
} from '../gluster/gluster-errors.js';
import { HostResolutionError } from '../gluster/host-identity.js';
import { ForbiddenError, KubeApiError, NotFoundError } from '../kube/kube-errors.js';
import { SshSecretError } from '../kube/ssh-credentials.js';
import { InputFileError, UsageError } from './cli-errors.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';

export interface ErrorReport {
  /** One line: what went wrong, then what to do about it. */
  readonly line: string;
  readonly exitCode: ExitCode;
}

/** The one place an error becomes what a person reads and the exit status a script reads. */
export function reportError(error: unknown, command?: string): ErrorReport {
  const [what, hint, exitCode] = classify(error, command);
  const text = `${what.replace(/[.\s]+$/, '')}${hint ? `. ${hint}` : ''}`;
  // Messages may echo remote output: keep the report on one line.
  return { line: `error: ${text.replace(/\s*\n\s*/g, ' ')}`, exitCode };
}

function classify(error: unknown, command: string | undefined): [string, string, ExitCode] {
  const message = error instanceof Error ? error.message : String(error);
  const help =
    command === undefined ? 'gluster-operator --help' : `gluster-operator ${command} --help`;
  if (error instanceof UsageError || error instanceof InvalidArgumentError) {
    return [message, `See ${help}`, EXIT.usage];
  }
  if (error instanceof InputFileError || error instanceof InventoryError) {
    return [message, 'Fix the file, or point to another one', EXIT.dataError];
  }
  if (error instanceof SshSecretError) {
    return [
      message,
      'Fix the Secret (keys ssh-privatekey and known_hosts), or pass --ssh-key and --known-hosts',
      EXIT.dataError,
    ];
  }
  if (error instanceof HostKeyVerificationError) {
    return [
      message,
      "Check --known-hosts: the node's host key is unknown or changed (a reinstalled node, or someone else at that address); add the right key after checking its fingerprint",
      EXIT.unavailable,
    ];
  }
  if (error instanceof SshAuthError) {
    return [
      message,
      "Check --ssh-user and --ssh-key: the key's public half must be in the user's authorized_keys on the node",
      EXIT.unavailable,
    ];
  }
  if (error instanceof SshConnectError || error instanceof ConnectionLostError) {
    return [
      message,
      'Check the address, that sshd runs on the node, --ssh-port, and the network between here and the node',
      EXIT.unavailable,
    ];
  }
  if (error instanceof CommandAbortedError) return [message, '', EXIT.interrupted];
  if (error instanceof CommandTimeoutError) {
    return [
      message,
      'The node or glusterd is slow or stuck; raise --timeout, or look at the node',
      EXIT.failed,
    ];
  }
  if (error instanceof CouldNotRunError)
    return [message, 'Check the node is reachable over SSH', EXIT.unavailable];
  if (error instanceof GlusterOperationError || error instanceof PeerHostsBricksError) {
    return [message, error.hint, EXIT.failed];
  }
  if (error instanceof GlusterCliError) {
    return [
      message,
      'Is glusterd running on the node? (systemctl status glusterd; /var/log/glusterfs/glusterd.log)',
      EXIT.failed,
    ];
  }
  if (error instanceof GlusterXmlParseError) {
    return [
      message,
      'gluster answered something this tool cannot read; run with --verbose and report it',
      EXIT.failed,
    ];
  }
  if (error instanceof ClusterChangeRefusedError) {
    return [message, 'Clear the blockers named above, then run it again', EXIT.failed];
  }
  if (error instanceof ClusterChangeFailedError) {
    return [
      message,
      'Check the pool with `gluster-operator status`, then run it again',
      EXIT.failed,
    ];
  }
  if (error instanceof HostResolutionError) {
    return [message, 'Check the name, or use the IP address', EXIT.failed];
  }
  if (error instanceof NotFoundError) {
    return [
      message,
      'Check --cluster and -n/--namespace (and that the CRD is installed)',
      EXIT.failed,
    ];
  }
  if (error instanceof ForbiddenError) {
    return [
      message,
      "The kubeconfig's identity is not allowed to do this: ask for read access (RBAC)",
      EXIT.failed,
    ];
  }
  if (error instanceof KubeApiError) {
    return [
      message,
      error.code === undefined ? 'Check --kubeconfig and that the API server is reachable' : '',
      EXIT.failed,
    ];
  }
  return [`Unexpected error: ${message}`, 'Run again with --verbose for details', EXIT.failed];
}
