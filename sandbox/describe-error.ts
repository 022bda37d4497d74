import { inspect } from 'node:util';

/** An error and its causes as lines a person reads: the message first, then each cause. */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    const text =
      current instanceof Error
        ? current.message
        : typeof current === 'string'
          ? current
          : inspect(current);
    lines.push(depth === 0 ? text : `  cause: ${text}`);
    if (current instanceof AggregateError) {
      for (const inner of current.errors) lines.push(`  cause: ${describeError(inner)}`);
    }
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}
