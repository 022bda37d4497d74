import { existsSync, rmSync } from 'node:fs';
import { expect } from 'chai';
import {
  CommandAbortedError,
  CommandTimeoutError,
  CouldNotRunError,
} from '../../../src/exec/exec-errors.js';
import { LocalExecutor } from '../../../src/exec/local-executor.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

describe('LocalExecutor (real processes)', () => {
  const executor = new LocalExecutor();

  it('returns exit code, output and duration of a command that ran', async () => {
    const result = await executor.run('local', ['sh', '-c', 'echo out; echo err >&2; exit 4']);
    expect(result).to.include({ node: 'local', exitCode: 4, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes hostile strings to the program verbatim, with no shell involved', async () => {
    const marker = `/tmp/gop-pwned-local-${process.pid}`;
    const hostile = [...HOSTILE_STRINGS, `x;touch ${marker}`, `$(touch ${marker})`];
    const result = await executor.run('local', ['printf', '%s\\0', ...hostile]);
    expect(result.stdout.split('\0').slice(0, -1)).to.deep.equal(hostile);
    expect(existsSync(marker)).to.equal(false);
    rmSync(marker, { force: true });
  });

  it('runs with LANG=C', async () => {
    expect((await executor.run('local', ['sh', '-c', 'echo $LANG'])).stdout).to.equal('C\n');
  });

  it('kills a command that outlives its timeout', async () => {
    const error = await rejection(executor.run('local', ['sleep', '10'], { timeoutMs: 200 }));
    expect(error).to.be.instanceOf(CommandTimeoutError);
  });

  it('kills a command at its deadline when that comes before its timeout', async () => {
    const started = performance.now();
    const error = await rejection(
      executor.run('local', ['sleep', '10'], { timeoutMs: 10_000, deadlineMs: 200 }),
    );
    expect(error).to.be.instanceOf(CommandTimeoutError);
    expect((error as CommandTimeoutError).timeoutMs).to.equal(200);
    expect(performance.now() - started).to.be.below(2_000);
  });

  it('kills a command when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = executor.run('local', ['sleep', '10'], { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 100);
    expect(await rejection(pending)).to.be.instanceOf(CommandAbortedError);
  });

  it('reports a program that does not exist as could-not-run, not as a failed command', async () => {
    const error = await rejection(executor.run('local', ['/nonexistent/gluster', 'pool', 'list']));
    expect(error).to.be.instanceOf(CouldNotRunError);
  });
});
