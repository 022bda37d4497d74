import type { CallOptions, GlusterAnswer, GlusterCli } from './gluster-cli.js';
import { GlusterOperationError } from './gluster-errors.js';
import type { GlusterReason } from './gluster-reasons.js';
import { reasonForVolumeFailure } from './gluster-reasons.js';

/**
 * Throws unless glusterd accepted the volume operation. glusterd refuses volume operations with
 * exit code 0 and opRet -1, mostly with opErrno 30800 whatever the cause, so the reason comes from
 * the text (reasonForVolumeFailure) unless the caller knows better (`reason`). `operation` names
 * it in the error ("volume create", "volume remove-brick commit").
 */
export function assertVolumeAccepted(
  operation: string,
  node: string,
  answer: GlusterAnswer,
  reason?: GlusterReason,
): void {
  if (answer.output.opRet !== 0) {
    throw new GlusterOperationError(
      operation,
      node,
      reason ?? reasonForVolumeFailure(answer.output.opErrstr),
      answer,
    );
  }
}

/** Runs one `gluster volume ...` command on `node`; its answer when glusterd accepted it. */
export async function runVolumeCommand(
  cli: GlusterCli,
  node: string,
  operation: string,
  args: readonly string[],
  options: CallOptions = {},
): Promise<GlusterAnswer> {
  const answer = await cli.run(node, args, options);
  assertVolumeAccepted(operation, node, answer);
  return answer;
}
