import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { tableResolver } from '../../../src/gluster/host-identity.js';
import type { FakeExecutor } from '../../support/fake-executor.js';

/** What one in-process run of the CLI printed and returned. */
export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A home directory with an SSH key and known_hosts, so the CLI's defaults find something. */
export function aHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'cli-unit-'));
  const ssh = join(home, '.ssh');
  mkdirSync(ssh);
  writeFileSync(join(ssh, 'id_ed25519'), 'TEST-PRIVATE-KEY-MATERIAL\n');
  writeFileSync(join(ssh, 'known_hosts'), '');
  return home;
}

/** Runs the CLI in-process against `executor`: no SSH, no DNS, a fixed clock. */
export async function runWithFake(
  argv: readonly string[],
  executor: FakeExecutor,
  home: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    cwd: home,
    home,
    now: () => new Date('2025-01-02T03:04:05.000Z'),
  };
  const exitCode = await runCli(argv, io, {
    resolver: tableResolver({}),
    createExecutor: () => executor,
  });
  return { exitCode, stdout, stderr };
}
