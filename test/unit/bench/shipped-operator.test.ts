import { expect } from 'chai';
import { readShippedEnv, shippedConfig } from '../../../bench/shipped-operator.js';

// The benches run the operator with deploy/deployment.yaml's environment: a setting added there
// that the config refuses without the Downward API must not break them unnoticed.
describe('bench/shipped-operator: the shipped environment', () => {
  it('is a configuration the operator accepts, with the Downward API stood in', () => {
    const config = shippedConfig();
    expect(config.defaultResyncMs).to.equal(5 * 60_000);
    expect(config.workers).to.equal(Number(readShippedEnv()['WORKERS']));
  });
});
