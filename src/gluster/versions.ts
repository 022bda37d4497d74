import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { child, elements, optionalText } from './cli-output.js';
import { assertAccepted, GlusterXmlParseError } from './gluster-errors.js';

/** The glusterfs version a node runs (`gluster --version`: "glusterfs 10.3"). */
export async function getGlusterVersion(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<string> {
  const result = await cli.runPlain(node, ['--version'], options);
  const match = /^glusterfs (\S+)/m.exec(result.stdout);
  if (!match?.[1]) {
    throw new GlusterXmlParseError(`gluster --version on ${node} printed no version line`);
  }
  return match[1];
}

/** The pool's operating version (`cluster.op-version`), e.g. 100000 for glusterfs 10. */
export async function getClusterOpVersion(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<number> {
  const answer = await cli.run(node, ['volume', 'get', 'all', 'cluster.op-version'], options);
  assertAccepted('volume get all cluster.op-version', node, answer);
  const option = elements(child(answer.output.root, 'volGetopts'), 'Opt').find(
    (opt) => optionalText(opt, 'Option') === 'cluster.op-version',
  );
  const value = option ? optionalText(option, 'Value') : undefined;
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new GlusterXmlParseError(`gluster on ${node} reported no numeric cluster.op-version`);
  }
  return Number(value);
}
