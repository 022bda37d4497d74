import { open } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;
/** Never read more than this from the end, whatever the line count: a log of one huge line. */
const MAX_TAIL_BYTES = 8 * 1024 * 1024;

/**
 * The last `lines` lines of a local file, read backwards from its end, so a multi-gigabyte log
 * costs no more than its tail.
 */
export async function tailFile(path: string, lines: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let position = size;
    let newlines = 0;
    let readBytes = 0;
    // One newline more than lines: the text before it is the line that is cut away.
    while (position > 0 && newlines <= lines && readBytes < MAX_TAIL_BYTES) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      chunks.unshift(chunk);
      readBytes += length;
      newlines += countNewlines(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    return lastLines(text, lines);
  } finally {
    await handle.close();
  }
}

/** The last `lines` lines of `text`; a final newline does not count as an empty line. */
export function lastLines(text: string, lines: number): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (lines <= 0 || body === '') return '';
  const all = body.split('\n');
  return `${all.slice(-lines).join('\n')}\n`;
}

function countNewlines(chunk: Buffer): number {
  let count = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
  return count;
}
