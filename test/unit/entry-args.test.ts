import { expect } from 'chai';
import type { OperatorArgs } from '../../src/entry-args.js';
import { isCliVersionRequest, parseOperatorArgs } from '../../src/entry-args.js';

describe('entry arguments', () => {
  describe('isCliVersionRequest', () => {
    const cases: { argv: string[]; version: boolean }[] = [
      { argv: ['--version'], version: true },
      { argv: [], version: false },
      { argv: ['--help'], version: false },
      { argv: ['-v'], version: false },
      // The CLI's own parser answers these (an unknown flag is a usage error).
      { argv: ['status', '--version'], version: false },
      { argv: ['--version', 'status'], version: false },
      { argv: ['--version=1'], version: false },
    ];
    for (const tc of cases) {
      it(`${tc.version ? 'prints the version for' : 'leaves to the CLI'} ${JSON.stringify(tc.argv)}`, () => {
        expect(isCliVersionRequest(tc.argv)).to.equal(tc.version);
      });
    }
  });

  describe('parseOperatorArgs', () => {
    const usage = (got: string): OperatorArgs => ({
      kind: 'usage',
      message: `The operator takes no arguments but --version (it reads its configuration from the environment), got: ${got}`,
    });
    const cases: { argv: string[]; parsed: OperatorArgs }[] = [
      { argv: [], parsed: { kind: 'run' } },
      { argv: ['--version'], parsed: { kind: 'version' } },
      { argv: ['--help'], parsed: usage('--help') },
      { argv: ['--version', '--verbose'], parsed: usage('--version --verbose') },
      { argv: ['run'], parsed: usage('run') },
    ];
    for (const tc of cases) {
      it(`reads ${JSON.stringify(tc.argv)} as ${tc.parsed.kind}`, () => {
        expect(parseOperatorArgs(tc.argv)).to.deep.equal(tc.parsed);
      });
    }
  });
});
