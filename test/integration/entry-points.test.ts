import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * The two entry points as a person and the image start them, each its own process (this Node,
 * with tsx): `gluster-operator --version` (src/cli/main.ts) and `node dist/main.js --version`
 * (src/main.ts), and both on a Node.js that is too old.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES = {
  cli: join(ROOT, 'src', 'cli', 'main.ts'),
  operator: join(ROOT, 'src', 'main.ts'),
} as const;

/** A preload module as a data: URL (runs before the entry, after tsx). */
const preload = (source: string): string[] => [
  '--import',
  `data:text/javascript,${encodeURIComponent(source)}`,
];

/** Fails the process at the first import of client-node or ssh2: --version must touch neither. */
const FORBID_KUBERNETES_AND_SSH = preload(`
import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, next) {
    if (/^(@kubernetes\\/client-node|ssh2)$/.test(specifier)) throw new Error('imported ' + specifier);
    return next(specifier, context);
  },
});`);

/** process.versions.node as an older Node.js reports it. */
const fakeNodeVersion = (version: string): string[] =>
  preload(`Object.defineProperty(process.versions, 'node', { value: '${version}' });`);

interface Run {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('entry points', function () {
  this.timeout(60_000);

  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'entry-home-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  /** No KUBECONFIG, an empty HOME: nothing to find Kubernetes or SSH keys with. */
  function run(
    entry: keyof typeof ENTRIES,
    args: readonly string[],
    options: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
  ): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', ...(options.nodeArgs ?? []), ENTRIES[entry], ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env['PATH'] ?? '', HOME: home, ...options.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => {
        resolve({ exitCode, stdout, stderr });
      });
    });
  }

  let version: string;
  before(async () => {
    version = (
      JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    ).version;
  });

  for (const entry of ['cli', 'operator'] as const) {
    describe(entry, () => {
      it('prints its version, revision and Node.js for --version, and exits 0 without importing client-node or ssh2', async () => {
        const result = await run(entry, ['--version'], { nodeArgs: FORBID_KUBERNETES_AND_SSH });
        expect(result).to.deep.equal({
          exitCode: 0,
          stdout: `gluster-operator ${version} (unknown, Node ${process.version})\n`,
          stderr: '',
        });
      });

      it('takes the revision from GLUSTER_OPERATOR_REVISION', async () => {
        const result = await run(entry, ['--version'], {
          env: { GLUSTER_OPERATOR_REVISION: '0123abc' },
        });
        expect(result.stdout).to.equal(
          `gluster-operator ${version} (0123abc, Node ${process.version})\n`,
        );
      });

      it('stops on Node.js 22 with one line naming Node.js 24, before importing anything else', async () => {
        const result = await run(entry, ['--version'], {
          nodeArgs: [...FORBID_KUBERNETES_AND_SSH, ...fakeNodeVersion('22.19.0')],
        });
        expect(result.exitCode).to.equal(1);
        expect(result.stdout).to.equal('');
        const reason =
          'gluster-operator needs Node.js 24 or later, but runs on Node.js 22.19.0: run it with Node.js 24 (from a checkout, npm ci installs it as node_modules/.bin/node)';
        expect(result.stderr).to.equal(
          entry === 'cli'
            ? `error: ${reason}\n`
            : `${JSON.stringify({ level: 'error', message: 'Failed to start gluster-operator', error: reason })}\n`,
        );
      });
    });
  }

  it('the operator refuses an argument it does not take with 64, without starting', async () => {
    const result = await run('operator', ['--kubeconfig', 'x'], {
      nodeArgs: FORBID_KUBERNETES_AND_SSH,
    });
    expect(result).to.deep.equal({
      exitCode: 64,
      stdout: '',
      stderr: `${JSON.stringify({ level: 'error', message: 'Failed to start gluster-operator', error: 'The operator takes no arguments but --version (it reads its configuration from the environment), got: --kubeconfig x' })}\n`,
    });
  });

  it('the CLI still runs its commands: --help goes past the entry checks', async () => {
    const result = await run('cli', ['--help']);
    expect(result.exitCode).to.equal(0);
    expect(result.stdout).to.match(/^gluster-operator: the GlusterCluster operator's command line/);
  });
});
