import { inspect } from 'node:util';

/** The longest failure text kept in a problem line; gluster's and SSH's own words fit easily. */
const MAX_LENGTH = 600;
const MAX_CAUSES = 3;

/**
 * One line for a problem list: the error's class and message, and its causes' (which often say
 * what really happened: ECONNREFUSED, a host key mismatch) unless the message already holds
 * them; whitespace folded.
 */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current !== undefined; depth++) {
    if (!(current instanceof Error)) {
      parts.push(
        typeof current === 'string' ? current : inspect(current, { breakLength: Infinity }),
      );
      break;
    }
    const { message } = current;
    if (!parts.some((part) => part.includes(message))) parts.push(`${current.name}: ${message}`);
    current = current.cause;
  }
  const line = parts.join(' (caused by) ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH)}…` : line;
}
