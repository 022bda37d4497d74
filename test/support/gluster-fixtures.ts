import { readFileSync } from 'node:fs';
import type { FakeAnswer } from './fake-executor.js';

const DIR = new URL('../fixtures/gluster/', import.meta.url);

/** A file captured from real glusterd 10.3 (see test/fixtures/gluster/README.md). */
export function fixture(name: string): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A captured XML answer, as the executor would return it (gluster exits 0 with --xml). */
export function xmlAnswer(name: string): FakeAnswer {
  return { stdout: fixture(name), exitCode: 0 };
}

/** A captured non-XML run (exit code, stdout, stderr) stored as JSON. */
export function capturedRun(name: string): FakeAnswer {
  const run = JSON.parse(fixture(name)) as { exitCode: number; stdout: string; stderr: string };
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr };
}

/** The argv GlusterCli runs for `gluster <args>` with its default timeout. */
export function glusterArgv(...args: string[]): string[] {
  return ['gluster', '--mode=script', '--xml', '--timeout=30', ...args];
}
