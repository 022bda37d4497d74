import { expect } from 'chai';
import { parseDurationMs } from '../../../src/core/duration.js';

describe('parseDurationMs', () => {
  const cases: [string, number | undefined][] = [
    ['5m', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['2m30s', 150_000],
    ['', undefined],
    ['5', undefined],
    ['5 m', undefined],
    ['-5m', undefined],
    ['5d', undefined],
    ['m5', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${String(expected)}`, () => {
      expect(parseDurationMs(text)).to.equal(expected);
    });
  }
});
