import { createRequire, syncBuiltinESMExports } from 'node:module';

/**
 * Loaded by `npm run test:unit` (mocha --require): unit tests run offline. A host name lookup
 * through the system resolver fails at once (no query leaves the machine) and fails the test
 * that made it: inject `tableResolver` instead. Code under test may swallow the lookup error,
 * so the check is made after each test, not where the lookup happened.
 */
const require = createRequire(import.meta.url);
const dns = require('node:dns') as typeof import('node:dns');
const attempted: string[] = [];

dns.promises.lookup = ((hostname: string) => {
  attempted.push(hostname);
  return Promise.reject(new Error(`Unit tests must not resolve host names (${hostname})`));
}) as typeof dns.promises.lookup;
syncBuiltinESMExports();

export const mochaHooks = {
  afterEach(): void {
    const names = attempted.splice(0);
    if (names.length > 0) {
      throw new Error(`The test resolved ${names.join(', ')} through DNS; inject a resolver`);
    }
  },
};
