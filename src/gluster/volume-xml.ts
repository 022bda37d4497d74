import type { XmlElement } from './cli-output.js';
import { optionalText, requireInteger } from './cli-output.js';
import { GlusterXmlParseError } from './gluster-errors.js';

/**
 * Numbers of the volume answers that must be counts (files, bytes, entries): a non-negative
 * integer that a JavaScript number holds exactly, or a GlusterXmlParseError, never a wrong number.
 */
export function requireCount(element: XmlElement, name: string): number {
  const value = requireInteger(element, name);
  if (value < 0 || !Number.isSafeInteger(value)) {
    throw new GlusterXmlParseError(`<${name}> should be a count, got ${value}`);
  }
  return value;
}

/** A count that may be absent (undefined), or "N/A" / "-" where gluster has none to give. */
export function optionalCount(element: XmlElement, name: string): number | undefined {
  const text = optionalText(element, name);
  if (text === undefined || text === 'N/A' || text === '-') return undefined;
  return requireCount(element, name);
}
