import { InvalidArgumentError } from '../errors.js';
import type { CommandResult } from '../exec/executor.js';
import { child, elements, requireText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { GlusterXmlParseError } from './gluster-errors.js';
import { assertOptionKey, assertOptionValue, assertVolumeName } from './volume-arguments.js';
import { assertVolumeAccepted, runVolumeCommand } from './volume-command.js';

export interface VolumeOptionsResult {
  readonly name: string;
  readonly result: CommandResult;
}

/**
 * `gluster volume set <name> <key> <value> [<key> <value> ...]` on `node`: every pair in one
 * command, which glusterd 10.3 applies all or nothing (one refused pair leaves the others unset).
 * @throws InvalidArgumentError for a key or value gluster would not take literally, a key given
 *   twice or no pair at all: nothing is run
 * @throws GlusterOperationError OptionUnknown, OptionValueInvalid, VolumeNotFound, ...
 */
export async function setVolumeOptions(
  cli: GlusterCli,
  node: string,
  request: {
    readonly name: string;
    readonly options: readonly (readonly [key: string, value: string])[];
  },
  options: CallOptions = {},
): Promise<VolumeOptionsResult> {
  const { name } = request;
  assertVolumeName(name);
  if (request.options.length === 0) throw new InvalidArgumentError('No volume option to set');
  const keys = new Set<string>();
  for (const [key, value] of request.options) {
    assertOptionKey(key);
    assertOptionValue(key, value);
    if (keys.has(key)) throw new InvalidArgumentError(`Volume option ${key} is given twice`);
    keys.add(key);
  }
  const args = ['volume', 'set', name, ...request.options.flatMap(([key, value]) => [key, value])];
  const answer = await runVolumeCommand(cli, node, 'volume set', args, options);
  return { name, result: answer.result };
}

/**
 * `gluster volume reset <name> <key>` on `node`: the option back to its default. Resetting an
 * option that is not set succeeds. glusterd 10.3 cannot reset `user.*` options: it answers
 * "Option user.x does not exist" (OptionNotResettable).
 * @throws InvalidArgumentError for a key gluster would not take literally: nothing is run (a
 *   missing key would reset every option)
 * @throws GlusterOperationError OptionUnknown, OptionNotResettable, VolumeNotFound, ...
 */
export async function resetVolumeOption(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string; readonly key: string },
  options: CallOptions = {},
): Promise<VolumeOptionsResult> {
  const { name, key } = request;
  assertVolumeName(name);
  assertOptionKey(key);
  const answer = await cli.run(node, ['volume', 'reset', name, key], options);
  const isUserOption = key.startsWith('user.') && /does not exist/.test(answer.output.opErrstr);
  assertVolumeAccepted(
    'volume reset',
    node,
    answer,
    isUserOption ? 'OptionNotResettable' : undefined,
  );
  return { name, result: answer.result };
}

export interface VolumeOptionValue {
  /** As glusterd prints it, without its " (DEFAULT)" mark. */
  readonly value: string;
  /** Not set on the volume: glusterd's default (its value may be "(null)"). */
  readonly isDefault: boolean;
}

const DEFAULT_MARK = ' (DEFAULT)';

/**
 * `gluster volume get <name> all` (or `<key>`) on `node`: the value in force of every option glusterd
 * knows, defaults included, by key. `user.*` options are not listed (volume info's `options`
 * has them).
 * @throws GlusterOperationError VolumeNotFound, OptionUnknown (for a key)
 */
export async function getVolumeOptions(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string; readonly key?: string },
  options: CallOptions = {},
): Promise<ReadonlyMap<string, VolumeOptionValue>> {
  const { name, key } = request;
  assertVolumeName(name);
  if (key !== undefined) assertOptionKey(key);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume get',
    ['volume', 'get', name, key ?? 'all'],
    options,
  );
  const values = new Map<string, VolumeOptionValue>();
  for (const opt of elements(child(answer.output.root, 'volGetopts'), 'Opt')) {
    const option = requireText(opt, 'Option');
    const text = requireText(opt, 'Value');
    const isDefault = text.endsWith(DEFAULT_MARK);
    const value = isDefault ? text.slice(0, -DEFAULT_MARK.length) : text;
    // glusterd 10.3 lists a few options twice (one key, two translators): the same value, but
    // features.ctime once as "on (DEFAULT)" and once as "on". Default only if both say so.
    const earlier = values.get(option);
    if (earlier !== undefined && earlier.value !== value) {
      throw new GlusterXmlParseError(
        `gluster volume get ${name} lists ${option} twice, as "${earlier.value}" and "${value}"`,
      );
    }
    values.set(option, { value, isDefault: isDefault && (earlier?.isDefault ?? true) });
  }
  return values;
}
