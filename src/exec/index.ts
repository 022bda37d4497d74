// Remote execution: the Executor port and its adapters.
export type { CommandResult, Executor, RunOptions } from './executor.js';
export {
  CommandAbortedError,
  CommandTimeoutError,
  HostBackoffError,
  ConnectionLostError,
  CouldNotRunError,
  HostKeyVerificationError,
  SshAuthError,
  SshConnectError,
} from './exec-errors.js';
export { KnownHosts } from './known-hosts.js';
export type { HostKeyVerdict } from './known-hosts.js';
export { LocalExecutor } from './local-executor.js';
export { SshExecutor } from './ssh-executor.js';
export type { SshExecutorOptions, SshExecutorStats } from './ssh-executor.js';
export { quoteShellArg, quoteShellCommand } from './shell-quote.js';
