import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { lastLines, tailFile } from '../../../src/support-bundle/tail-file.js';

describe('tail', () => {
  const cases: readonly { text: string; lines: number; expected: string }[] = [
    { text: 'a\nb\nc\n', lines: 2, expected: 'b\nc\n' },
    { text: 'a\nb\nc', lines: 2, expected: 'b\nc\n' },
    { text: 'a\nb\n', lines: 5, expected: 'a\nb\n' },
    { text: '', lines: 5, expected: '' },
    { text: 'a\n\nb\n', lines: 2, expected: '\nb\n' },
  ];
  for (const tc of cases) {
    it(`keeps the last ${tc.lines} lines of ${JSON.stringify(tc.text)}`, () => {
      expect(lastLines(tc.text, tc.lines)).to.equal(tc.expected);
    });
  }

  describe('of a file', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'tail-unit-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('reads the end of a file larger than one chunk, multi-byte characters intact', async () => {
      const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ünïcødé`);
      const file = path.join(dir, 'big.log');
      await writeFile(file, `${lines.join('\n')}\n`);
      expect(await tailFile(file, 3)).to.equal(`${lines.slice(-3).join('\n')}\n`);
      expect(await tailFile(file, 5_000)).to.equal(`${lines.slice(-5_000).join('\n')}\n`);
    });

    it('rejects for a file that does not exist', async () => {
      const error = await tailFile(path.join(dir, 'none.log'), 3).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.have.property('code', 'ENOENT');
    });
  });
});
