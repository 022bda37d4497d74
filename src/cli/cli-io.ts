/**
 * Everything the CLI touches of its process, injected so tests run a command in-process and see
 * exactly what a person would: results on stdout, progress and errors on stderr.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly home: string;
  readonly now: () => Date;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    home: process.env['HOME'] ?? '/root',
    now: () => new Date(),
  };
}
