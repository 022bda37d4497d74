import type { XmlElement } from './cli-output.js';
import { child, elements, requireText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { GlusterXmlParseError } from './gluster-errors.js';
import { assertVolumeName } from './volume-arguments.js';
import { assertVolumeAccepted } from './volume-command.js';
import { requireCount } from './volume-xml.js';

/** One brick's row of `volume heal <v> info summary`. */
export interface BrickHealSummary {
  /** `host:/path`. */
  readonly name: string;
  /** undefined when the brick could not be reached (glfsheal prints "-"). */
  readonly hostUuid: string | undefined;
  /** The brick was reached; only then do the counts mean anything. */
  readonly isConnected: boolean;
  /** "Connected", or why not: "Transport endpoint is not connected" and the like. */
  readonly status: string;
  /** Entries this brick holds that still need healing elsewhere; undefined when not connected. */
  readonly total: number | undefined;
  readonly pending: number | undefined;
  readonly splitBrain: number | undefined;
  readonly possiblyHealing: number | undefined;
}

const CONNECTED = 'Connected';

/**
 * `gluster volume heal <name> info summary` on `node`: per brick, the entries waiting to be healed
 * from it. Replicated and dispersed volumes only, and only while started. It runs glfsheal, which
 * connects to every brick: slower than other reads.
 * @throws GlusterOperationError NotReplicated, VolumeNotStarted ("Not able to fetch volfile"),
 *   VolumeNotFound, ...
 */
export async function getHealSummary(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string },
  options: CallOptions = {},
): Promise<BrickHealSummary[]> {
  const { name } = request;
  assertVolumeName(name);
  const answer = await cli.run(node, ['volume', 'heal', name, 'info', 'summary'], options);
  // glfsheal cannot fetch the client volfile of a volume that is not started (opErrno 5).
  const isStopped = /Not able to fetch volfile from glusterd/.test(answer.output.opErrstr);
  assertVolumeAccepted(
    'volume heal info summary',
    node,
    answer,
    isStopped ? 'VolumeNotStarted' : undefined,
  );
  const healInfo = child(answer.output.root, 'healInfo');
  if (healInfo === undefined) throw new GlusterXmlParseError("gluster's XML lacks <healInfo>");
  return elements(child(healInfo, 'bricks'), 'brick').map(parseHealBrick);
}

function parseHealBrick(brick: XmlElement): BrickHealSummary {
  const name = requireText(brick, 'name');
  const hostUuid = requireText(brick, '@hostUuid');
  // A brick it could not reach has no counts, and glfsheal 10.3 runs its counter's name into the
  // status text: "Failed to process entries completely. (Transport endpoint is not
  // connected)totalNumberOfEntries0".
  const status = requireText(brick, 'status');
  const isConnected = status === CONNECTED;
  const count = (field: string): number | undefined =>
    isConnected ? requireCount(brick, field) : undefined;
  return {
    name,
    hostUuid: hostUuid === '-' ? undefined : hostUuid,
    isConnected,
    status: isConnected ? status : status.replace(/totalNumberOfEntries\S*$/, ''),
    total: count('totalNumberOfEntries'),
    pending: count('numberOfEntriesInHealPending'),
    splitBrain: count('numberOfEntriesInSplitBrain'),
    possiblyHealing: count('numberOfEntriesPossiblyHealing'),
  };
}
