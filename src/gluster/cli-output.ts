import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { GlusterXmlParseError } from './gluster-errors.js';

/** A parsed XML element: text, an element with children, or a repeated element. */
export type XmlNode = string | XmlElement | XmlNode[];
export interface XmlElement {
  readonly [name: string]: XmlNode | undefined;
}

/** The envelope every `gluster --xml` answer has, plus its payload elements. */
export interface CliOutput {
  readonly opRet: number;
  readonly opErrno: number;
  readonly opErrstr: string;
  /** Probe and detach put their success text here ("success", "... already in peer list"). */
  readonly output: string;
  readonly root: XmlElement;
}

// Elements that repeat. A parser that collapses one child into an object must be told, or a pool
// of one peer looks different from a pool of two.
const REPEATED = new Set([
  'cliOutput.peerStatus.peer',
  'cliOutput.peerStatus.peer.hostnames.hostname',
  'cliOutput.volInfo.volumes.volume',
  'cliOutput.volInfo.volumes.volume.bricks.brick',
  'cliOutput.volInfo.volumes.volume.options.option',
  'cliOutput.volGetopts.Opt',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

export function parseCliOutput(xml: string): CliOutput {
  const trimmed = xml.trim();
  if (trimmed === '')
    throw new GlusterXmlParseError('gluster printed nothing where XML was expected');
  try {
    SyntaxValidator.validate(trimmed);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new GlusterXmlParseError(
      `gluster printed malformed XML (${detail}): ${excerpt(trimmed)}`,
      {
        cause,
      },
    );
  }
  const document = parser.parse(trimmed) as XmlElement;
  const root = document['cliOutput'];
  if (!isElement(root)) {
    throw new GlusterXmlParseError(`gluster's XML has no <cliOutput> element: ${excerpt(trimmed)}`);
  }
  return {
    opRet: requireInteger(root, 'opRet'),
    opErrno: requireInteger(root, 'opErrno'),
    opErrstr: optionalText(root, 'opErrstr') ?? '',
    output: optionalText(root, 'output') ?? '',
    root,
  };
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return typeof node === 'object' && !Array.isArray(node);
}

/** The element's text; '' for an empty element like `<opErrstr/>`; undefined when absent. */
export function optionalText(element: XmlElement, name: string): string | undefined {
  const node = element[name];
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (isElement(node)) {
    const text = node['#text'];
    return typeof text === 'string' ? text : '';
  }
  throw new GlusterXmlParseError(`<${name}> appears more than once where one was expected`);
}

export function requireText(element: XmlElement, name: string): string {
  const text = optionalText(element, name);
  if (text === undefined) throw new GlusterXmlParseError(`gluster's XML lacks <${name}>`);
  return text;
}

export function requireInteger(element: XmlElement, name: string): number {
  const text = requireText(element, name);
  if (!/^-?\d+$/.test(text)) {
    throw new GlusterXmlParseError(`<${name}> should be an integer, got "${excerpt(text)}"`);
  }
  return Number(text);
}

export function optionalInteger(element: XmlElement, name: string): number | undefined {
  return element[name] === undefined ? undefined : requireInteger(element, name);
}

/** Children that repeat (declared in REPEATED); [] when there are none. */
export function elements(parent: XmlElement | undefined, name: string): XmlElement[] {
  const node = parent?.[name];
  if (node === undefined || node === '') return [];
  const list = Array.isArray(node) ? node : [node];
  return list.map((item) => {
    if (isElement(item)) return item;
    // An element with text and no children ("<hostname>h</hostname>") parses as a string.
    if (typeof item === 'string') return { '#text': item };
    throw new GlusterXmlParseError(`<${name}> has an unexpected shape`);
  });
}

export function child(parent: XmlElement, name: string): XmlElement | undefined {
  const node = parent[name];
  if (node === undefined || node === '') return undefined;
  if (isElement(node)) return node;
  throw new GlusterXmlParseError(`<${name}> has an unexpected shape`);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat;
}
