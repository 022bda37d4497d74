import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { checkNodeVersion, REQUIRED_NODE_MAJOR } from '../../src/node-version.js';

describe('checkNodeVersion', () => {
  for (const version of ['24.0.0', '24.21.0', '25.2.1', 'v24.1.0']) {
    it(`lets Node.js ${version} run`, () => {
      expect(checkNodeVersion(version)).to.equal(undefined);
    });
  }

  for (const version of ['22.19.0', '20.20.2', 'v23.11.1', '', 'unknown']) {
    it(`stops Node.js "${version}" with one line naming the version required`, () => {
      const reason = checkNodeVersion(version);
      expect(reason).to.equal(
        `gluster-operator needs Node.js 24 or later, but runs on Node.js ${version}: run it with Node.js 24 (from a checkout, npm ci installs it as node_modules/.bin/node)`,
      );
      expect(reason).not.to.contain('\n');
    });
  }

  it("requires what package.json's engines says", () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { engines: { node: string } };
    expect(pkg.engines.node).to.equal(`>=${String(REQUIRED_NODE_MAJOR)}`);
  });
});
