import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import type { ValidatorSettings } from 'dockerfile-utils';

/**
 * There is no Docker engine on these machines to build the image, so the Dockerfile is at least
 * linted: dockerfile-utils (the validator of the VS Code Docker extension) with every optional
 * rule raised to an error. The runtime tree it copies is checked by test/e2e/runtime-tree.test.ts.
 */
const EVERY_RULE_AN_ERROR: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

const lint = (text: string): string[] =>
  validate(text, EVERY_RULE_AN_ERROR).map(
    (problem) =>
      `line ${String(problem.range.start.line + 1)}: ${typeof problem.message === 'string' ? problem.message : problem.message.value}`,
  );

describe('Dockerfile', () => {
  const text = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');

  it('passes the linter with every rule an error', () => {
    expect(lint(text)).to.deep.equal([]);
  });

  it('is linted for real: the same linter refuses a broken one', () => {
    expect(lint("FROM node:24\nworkdir app\nRUN ['true']\nCMD a\nCMD b\n")).to.have.length(4);
  });

  it('runs as a numeric non-root user on a distroless base, with OCI labels', () => {
    const final = text.slice(text.lastIndexOf('\nFROM '));
    expect(final).to.match(/^\nFROM gcr\.io\/distroless\/nodejs24-debian12:nonroot\n/);
    expect(final).to.match(/^USER 65532:65532$/m);
    for (const label of ['title', 'version', 'revision', 'source', 'licenses']) {
      expect(final).to.contain(`org.opencontainers.image.${label}=`);
    }
    expect(final).not.to.match(/^RUN /m);
  });
});
