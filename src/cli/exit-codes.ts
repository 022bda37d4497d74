/**
 * What the CLI's exit status means, so scripts and CI can branch on it without parsing output.
 * The BSD sysexits values (64, 65, 69) where one fits; 2 and 3 are findings, not failures.
 */
export const EXIT = {
  /** Done; nothing to do (plan); the pool is a full mesh (status, validate). */
  ok: 0,
  /** The operation failed: glusterd refused, the API server failed, an unexpected error. */
  failed: 1,
  /** plan: the operator would make a change. */
  changesPending: 2,
  /**
   * A finding that needs attention: plan has a blocked change, status/validate found the pool
   * not fully connected, wait timed out, a support bundle was written with gaps.
   */
  attention: 3,
  /** The command line is wrong (unknown flag, missing argument, hostile address). */
  usage: 64,
  /** An input file is wrong (manifest, peers.json, key, known_hosts). */
  dataError: 65,
  /** A node could not be reached or authenticated over SSH. */
  unavailable: 69,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
