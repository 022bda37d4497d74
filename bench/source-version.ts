import { execFileSync } from 'node:child_process';

/** "e9d8ad1 Subject (3 files changed in the tree)", for a bench's first line; never throws. */
export function describeSourceVersion(): string {
  const git = (args: readonly string[]): string | undefined => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
  };
  const commit = git(['log', '-1', '--oneline'])?.trim();
  if (commit === undefined) return 'an unknown commit (not a git checkout)';
  const changed = (git(['status', '--porcelain']) ?? '').split('\n').filter(Boolean).length;
  return `${commit} (${changed === 0 ? 'clean tree' : `${changed} files changed in the tree`})`;
}
