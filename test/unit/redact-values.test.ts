import { expect } from 'chai';
import { redactSecrets } from '../../src/inventory/inventory-validation.js';
import { redactValues } from '../../src/redact-values.js';

describe('redactValues', () => {
  const key = 'k3y"with\\quote-0123';
  const forms: { name: string; text: string }[] = [
    { name: 'as it is', text: `key ${key} sent` },
    { name: 'JSON-escaped, as an error body echoes it', text: JSON.stringify({ got: key }) },
    { name: 'in base64', text: `Basic ${Buffer.from(key).toString('base64')}` },
  ];
  for (const form of forms) {
    it(`replaces a secret ${form.name}`, () => {
      const redacted = redactValues(form.text, [key], '[x]');
      expect(redacted).to.contain('[x]');
      expect(redacted).not.to.contain('quote-0123');
    });
  }

  it('leaves short fragments and empty values alone', () => {
    expect(redactValues('-----\n\nok', ['', 'a\n-----\nb'], '[x]')).to.equal('-----\n\nok');
  });

  it("serves the inventory's error messages, which used to miss the JSON-escaped form", () => {
    expect(redactSecrets(JSON.stringify({ error: `bad key ${key}` }), [key])).to.equal(
      '{"error":"bad key [redacted]"}',
    );
  });
});
