import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { quoteShellArg, quoteShellCommand } from '../../../src/exec/shell-quote.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

/** What a real POSIX shell makes of the quoted command line: the words it passes to printf. */
function wordsSeenByShell(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  for (const hostile of HOSTILE_STRINGS) {
    it(`passes ${JSON.stringify(hostile)} to the program as one literal word`, () => {
      expect(wordsSeenByShell(quoteShellArg(hostile))).to.deep.equal([hostile]);
    });
  }

  it('keeps every element of argv a separate word, in order', () => {
    expect(wordsSeenByShell(quoteShellCommand(HOSTILE_STRINGS))).to.deep.equal(HOSTILE_STRINGS);
  });

  it('leaves plain words readable', () => {
    expect(quoteShellCommand(['gluster', '--mode=script', 'peer', 'probe', 'n1.example'])).to.equal(
      'gluster --mode=script peer probe n1.example',
    );
  });

  it('refuses a NUL byte, which no program can receive', () => {
    expect(() => quoteShellArg('a\0b')).to.throw(InvalidArgumentError);
  });

  it('refuses an empty command', () => {
    expect(() => quoteShellCommand([])).to.throw(InvalidArgumentError);
  });
});
