import { expect } from 'chai';
import { median, percentile, ratio, seconds } from '../../../bench/statistics.js';

describe('bench/statistics', () => {
  it('median: the middle sample, the mean of the two middle ones, NaN for none; order does not matter', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([7])).to.equal(7);
    expect(median([])).to.be.NaN;
  });

  it('percentile: nearest rank', () => {
    const samples = [50, 10, 40, 20, 30, 60, 70, 80, 90, 100];
    expect(percentile(samples, 0.95)).to.equal(100);
    expect(percentile(samples, 0.9)).to.equal(90);
    expect(percentile(samples, 0.5)).to.equal(50);
    expect(percentile(samples, 0.01)).to.equal(10);
    expect(percentile([], 0.5)).to.be.NaN;
  });

  it('formats seconds and ratios as the benches print them', () => {
    expect(seconds(886)).to.equal('0.89 s');
    expect(ratio(890, 650)).to.equal('1.37×');
  });
});
