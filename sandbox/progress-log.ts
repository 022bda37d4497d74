import { appendFileSync, closeSync, openSync, readSync, writeFileSync } from 'node:fs';

/**
 * The supervisor's steps as they happen, one JSON line each, so the `up` in the foreground can
 * show them while the supervisor (detached, its output in a log file) does the work.
 */
export interface ProgressEntry {
  readonly message: string;
}

export function resetProgress(file: string): void {
  writeFileSync(file, '', { mode: 0o600 });
}

export function appendProgress(file: string, message: string): void {
  appendFileSync(file, `${JSON.stringify({ message } satisfies ProgressEntry)}\n`);
}

/** Reads what was appended since the last call; a line still being written waits for the next. */
export class ProgressFollower {
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {}

  readNew(): ProgressEntry[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const chunks: Buffer[] = [];
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n === 0) break;
        this.offset += n;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.partial + Buffer.concat(chunks).toString('utf8')).split('\n');
    this.partial = lines.pop() ?? '';
    return lines.filter((line) => line !== '').map((line) => JSON.parse(line) as ProgressEntry);
  }
}
