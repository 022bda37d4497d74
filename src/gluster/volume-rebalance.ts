import type { CommandResult } from '../exec/executor.js';
import { child, optionalText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertVolumeName } from './volume-arguments.js';
import { assertVolumeAccepted, runVolumeCommand } from './volume-command.js';
import type { TaskStatus } from './volume-task-status.js';
import { parseTaskStatus, TASK_NOT_STARTED } from './volume-task-status.js';

export interface RebalanceStartResult {
  readonly name: string;
  readonly taskId: string | undefined;
  readonly result: CommandResult;
}

/**
 * `gluster volume rebalance <name> start` on `node`: spreads the files over the sets, after
 * add-brick. It runs in the background; follow it with getRebalanceStatus.
 * @throws GlusterOperationError RebalanceInProgress ("Rebalance on v is already started"),
 *   NotDistributed (a single set), RemoveBrickPending, VolumeNotFound, ...
 */
export async function startRebalance(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string },
  options: CallOptions = {},
): Promise<RebalanceStartResult> {
  const { name } = request;
  assertVolumeName(name);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume rebalance start',
    ['volume', 'rebalance', name, 'start'],
    options,
  );
  const payload = child(answer.output.root, 'volRebalance');
  return {
    name,
    taskId: payload ? optionalText(payload, 'task-id') : undefined,
    result: answer.result,
  };
}

/**
 * `gluster volume rebalance <name> status` on `node`: per node and in sum. TASK_NOT_STARTED
 * when no rebalance ever ran ("Rebalance not started for volume v."). A replace-brick resets the
 * last task: its status then reads "reset due to replace-brick" (status 9).
 * @throws GlusterOperationError VolumeNotFound, VolumeNotStarted, ...
 */
export async function getRebalanceStatus(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string },
  options: CallOptions = {},
): Promise<TaskStatus> {
  const { name } = request;
  assertVolumeName(name);
  const answer = await cli.run(node, ['volume', 'rebalance', name, 'status'], options);
  const { opRet, opErrstr } = answer.output;
  if (opRet !== 0 && /^Rebalance not started for volume/.test(opErrstr)) return TASK_NOT_STARTED;
  assertVolumeAccepted('volume rebalance status', node, answer);
  return parseTaskStatus(child(answer.output.root, 'volRebalance'), 'rebalance status');
}
