import type { CommandResult, Executor, RunOptions } from '../../src/exec/executor.js';
import { quoteShellCommand } from '../../src/exec/shell-quote.js';

export interface FakeAnswer {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Thrown instead of answering (a transport failure). */
  readonly error?: Error;
}

export interface RecordedCall {
  readonly node: string;
  readonly argv: readonly string[];
  /** What the call wrote to standard input, if anything. */
  readonly input?: string;
}

/**
 * An Executor that answers by node and argv from a script, records every call, and throws on
 * any call nobody scripted, so a test never passes by accident.
 */
export class FakeExecutor implements Executor {
  readonly calls: RecordedCall[] = [];
  /** The timeoutMs each call was given, in call order. */
  readonly timeoutsMs: (number | undefined)[] = [];
  private readonly script = new Map<string, FakeAnswer[]>();

  /** Scripts the answer(s) to `argv` on `node`; several answers are given in turn, the last repeats. */
  on(node: string, argv: readonly string[], ...answers: FakeAnswer[]): this {
    this.script.set(key(node, argv), answers);
    return this;
  }

  run(node: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    options?.signal?.throwIfAborted();
    this.calls.push({
      node,
      argv: [...argv],
      ...(options?.input === undefined ? {} : { input: options.input }),
    });
    this.timeoutsMs.push(options?.timeoutMs);
    const answers = this.script.get(key(node, argv));
    if (!answers || answers.length === 0) {
      return Promise.reject(
        new Error(`FakeExecutor: unexpected call on ${node}: ${quoteShellCommand(argv)}`),
      );
    }
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer.error) return Promise.reject(answer.error);
    return Promise.resolve({
      command: quoteShellCommand(argv),
      argv: [...argv],
      node,
      exitCode: answer.exitCode ?? 0,
      stdout: answer.stdout ?? '',
      stderr: answer.stderr ?? '',
      durationMs: 1,
    });
  }

  /** The calls that would change a pool (probe, detach). */
  mutations(): RecordedCall[] {
    return this.calls.filter((call) => call.argv.includes('probe') || call.argv.includes('detach'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function key(node: string, argv: readonly string[]): string {
  return `${node}\0${argv.join('\0')}`;
}
