/**
 * The arguments the entry points answer themselves, before the CLI or the operator is loaded.
 * Imports nothing (see node-version.ts).
 */

export const VERSION_FLAG = '--version';

export type OperatorArgs =
  | { readonly kind: 'run' }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage'; readonly message: string };

/** The CLI prints its version for `--version` alone; every other command line is the CLI's own. */
export function isCliVersionRequest(argv: readonly string[]): boolean {
  return argv.length === 1 && argv[0] === VERSION_FLAG;
}

/** The operator is configured by its environment: it takes no argument but `--version`. */
export function parseOperatorArgs(argv: readonly string[]): OperatorArgs {
  if (argv.length === 0) return { kind: 'run' };
  if (argv.length === 1 && argv[0] === VERSION_FLAG) return { kind: 'version' };
  return {
    kind: 'usage',
    message: `The operator takes no arguments but ${VERSION_FLAG} (it reads its configuration from the environment), got: ${argv.join(' ')}`,
  };
}
