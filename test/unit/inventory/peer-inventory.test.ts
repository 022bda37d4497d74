import { expect } from 'chai';
import { OperatorError } from '../../../src/errors.js';
import { InventoryError, InventoryFormatError } from '../../../src/inventory/inventory-errors.js';
import { MAX_INFO_DEPTH } from '../../../src/inventory/inventory-validation.js';
import type { PeerInventory } from '../../../src/inventory/peer-inventory.js';
import {
  MAX_INVENTORY_BYTES,
  parsePeerInventory,
  serializePeerInventory,
} from '../../../src/inventory/peer-inventory.js';
import { aPeer, anInventory, peersJson } from './inventory-builders.js';

const FULL = `{
  "info": { "updated": "2024-01-02T03:04:05Z", "source": "cmdb", "nested": { "a": [1, 2] } },
  "replicas": [
    {
      "pid": 1,
      "name": "gluster-1",
      "description": "first node",
      "hostname": "gluster-1.storage.example",
      "ip_address": "10.250.0.11",
      "domain": "gluster-1.storage.example",
      "port": 24007,
      "aws_instance": { "region": "eu-west-1", "id": "i-0abc" }
    },
    { "pid": 2, "name": "gluster-2", "ip_address": "fd42:676f:70::12", "port": 24007 }
  ]
}`;

function formatError(text: string, source = 'peers.json'): InventoryFormatError {
  try {
    parsePeerInventory(text, source);
  } catch (error) {
    expect(error).to.be.instanceOf(InventoryFormatError);
    return error as InventoryFormatError;
  }
  throw new Error('expected an InventoryFormatError, but the text parsed');
}

/** A document with one peer whose fields are overridden (undefined deletes a field). */
function withPeer(fields: Record<string, unknown>): string {
  const peer: Record<string, unknown> = { pid: 1, name: 'n1', ip_address: '10.0.0.1', port: 80 };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) Reflect.deleteProperty(peer, key);
    else peer[key] = value;
  }
  return peersJson({ replicas: [peer] });
}

describe('parsePeerInventory', () => {
  it('reads every field of the Go format', () => {
    const inventory = parsePeerInventory(FULL, 'peers.json');
    expect(inventory.info).to.deep.equal({
      updated: '2024-01-02T03:04:05Z',
      source: 'cmdb',
      nested: { a: [1, 2] },
    });
    expect(inventory.replicas).to.deep.equal([
      {
        pid: 1,
        name: 'gluster-1',
        description: 'first node',
        hostname: 'gluster-1.storage.example',
        ip_address: '10.250.0.11',
        domain: 'gluster-1.storage.example',
        port: 24007,
        aws_instance: { region: 'eu-west-1', id: 'i-0abc' },
      },
      { pid: 2, name: 'gluster-2', ip_address: 'fd42:676f:70::12', port: 24007 },
    ]);
  });

  it('returns frozen data', () => {
    const inventory = parsePeerInventory(FULL, 'peers.json');
    expect(Object.isFrozen(inventory)).to.equal(true);
    expect(Object.isFrozen(inventory.info)).to.equal(true);
    expect(Object.isFrozen(inventory.replicas)).to.equal(true);
    expect(Object.isFrozen(inventory.replicas[0])).to.equal(true);
    expect(Object.isFrozen(inventory.replicas[0]?.aws_instance)).to.equal(true);
  });

  const accepted: { name: string; text: string; expected: PeerInventory }[] = [
    { name: 'an empty object', text: '{}', expected: anInventory([]) },
    {
      name: "Go's dump of an empty Peers (null info and replicas)",
      text: '{"info": null, "replicas": null}',
      expected: anInventory([]),
    },
    {
      name: 'a leading byte order mark',
      text: `\uFEFF${withPeer({})}`,
      expected: anInventory([aPeer('n1', { ip_address: '10.0.0.1', port: 80 })]),
    },
    {
      name: 'a missing pid, as 0 (Go zero value: no precedence)',
      text: withPeer({ pid: undefined }),
      expected: anInventory([aPeer('n1', { pid: 0, ip_address: '10.0.0.1', port: 80 })]),
    },
    {
      name: 'optional strings that are "" or null, as absent (omitempty)',
      text: withPeer({ description: '', hostname: null, domain: '', aws_instance: {} }),
      expected: anInventory([aPeer('n1', { ip_address: '10.0.0.1', port: 80 })]),
    },
    {
      name: 'unknown fields, dropped as Go drops them',
      text: peersJson({
        version: 3,
        replicas: [{ pid: 1, name: 'n1', ip_address: '10.0.0.1', port: 80, zone: 'a' }],
      }),
      expected: anInventory([aPeer('n1', { ip_address: '10.0.0.1', port: 80 })]),
    },
    {
      name: 'an empty ip_address (a peer reached by domain)',
      text: withPeer({ ip_address: '', domain: 'n1.example' }),
      expected: anInventory([aPeer('n1', { ip_address: '', domain: 'n1.example', port: 80 })]),
    },
    {
      name: 'the extremes of pid and port',
      text: peersJson({
        replicas: [
          { pid: 4_294_967_295, name: 'a', ip_address: '::1', port: 65_535 },
          { pid: 0, name: 'b', ip_address: '127.0.0.1', port: 0 },
        ],
      }),
      expected: anInventory([
        aPeer('a', { pid: 4_294_967_295, ip_address: '::1', port: 65_535 }),
        aPeer('b', { pid: 0, ip_address: '127.0.0.1', port: 0 }),
      ]),
    },
    {
      name: 'a port written as 80.0 (the same JSON number as 80)',
      text: '{"replicas": [{"name": "n1", "pid": 1, "ip_address": "10.0.0.1", "port": 80.0}]}',
      expected: anInventory([aPeer('n1', { ip_address: '10.0.0.1', port: 80 })]),
    },
  ];
  for (const tc of accepted) {
    it(`accepts ${tc.name}`, () => {
      expect(parsePeerInventory(tc.text, 'peers.json')).to.deep.equal(tc.expected);
    });
  }

  it(`accepts an info nested exactly ${MAX_INFO_DEPTH} levels deep, and can write it back`, () => {
    const text = `{"info": ${'{"a":'.repeat(MAX_INFO_DEPTH)}1${'}'.repeat(MAX_INFO_DEPTH)}}`;
    const inventory = parsePeerInventory(text, 'peers.json');
    expect(parsePeerInventory(serializePeerInventory(inventory), 'x')).to.deep.equal(inventory);
  });

  it('keeps a "__proto__" key as a plain key, never as a prototype', () => {
    const text =
      '{"info": {"__proto__": {"polluted": true}}, "replicas": [{"name": "n1", "pid": 1, ' +
      '"ip_address": "10.0.0.1", "port": 80, "aws_instance": {"__proto__": "x", "id": "i-1"}}]}';
    const inventory = parsePeerInventory(text, 'peers.json');
    const aws = inventory.replicas[0]?.aws_instance ?? {};
    expect(Object.getPrototypeOf(aws)).to.equal(Object.prototype);
    expect(Object.getPrototypeOf(inventory.info)).to.equal(Object.prototype);
    expect(Object.keys(aws)).to.deep.equal(['__proto__', 'id']);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  const rejected: { name: string; text: string; path: string; message: string }[] = [
    {
      name: 'text that is not JSON',
      text: '{"replicas": [}',
      path: '',
      message: 'is not valid JSON',
    },
    { name: 'an empty file', text: '', path: '', message: 'is empty' },
    { name: 'a file of blanks', text: ' \n\t', path: '', message: 'is empty' },
    {
      name: 'a top-level array',
      text: '[]',
      path: '',
      message: 'must be a JSON object such as {"replicas": [...]}, got an array',
    },
    { name: 'a top-level null', text: 'null', path: '', message: 'must be a JSON object' },
    {
      name: 'replicas as an object',
      text: '{"replicas": {"n1": {}}}',
      path: 'replicas',
      message: 'must be an array of peers, got an object',
    },
    {
      name: 'replicas as a string',
      text: '{"replicas": "n1"}',
      path: 'replicas',
      message: 'must be an array of peers, got "n1"',
    },
    {
      name: 'info as an array',
      text: '{"info": [], "replicas": []}',
      path: 'info',
      message: 'must be an object, got an array',
    },
    {
      name: 'a null peer',
      text: '{"replicas": [null]}',
      path: 'replicas[0]',
      message: 'must be an object describing a peer, got null',
    },
    {
      name: 'a missing name',
      text: withPeer({ name: undefined }),
      path: 'replicas[0].name',
      message: 'is required',
    },
    {
      name: 'an empty name',
      text: withPeer({ name: '' }),
      path: 'replicas[0].name',
      message: 'must be a non-empty string, got ""',
    },
    {
      name: 'a blank name',
      text: withPeer({ name: '  ' }),
      path: 'replicas[0].name',
      message: 'must be a non-empty string',
    },
    {
      name: 'a numeric name',
      text: withPeer({ name: 7 }),
      path: 'replicas[0].name',
      message: 'must be a non-empty string, got 7',
    },
    {
      name: 'a negative pid',
      text: withPeer({ pid: -1 }),
      path: 'replicas[0].pid',
      message: 'must be an integer 0..4294967295, got -1',
    },
    {
      name: 'a pid past uint32',
      text: withPeer({ pid: 4_294_967_296 }),
      path: 'replicas[0].pid',
      message: 'got 4294967296',
    },
    {
      name: 'a fractional pid',
      text: withPeer({ pid: 1.5 }),
      path: 'replicas[0].pid',
      message: 'got 1.5',
    },
    {
      name: 'a pid as a string',
      text: withPeer({ pid: '1' }),
      path: 'replicas[0].pid',
      message: 'got "1"',
    },
    {
      name: 'a port past uint16',
      text: withPeer({ port: 65_536 }),
      path: 'replicas[0].port',
      message: 'must be an integer 0..65535, got 65536',
    },
    {
      name: 'a missing port',
      text: withPeer({ port: undefined }),
      path: 'replicas[0].port',
      message: 'is required',
    },
    {
      name: 'a null port',
      text: withPeer({ port: null }),
      path: 'replicas[0].port',
      message: 'got null',
    },
    {
      name: 'a port as true',
      text: withPeer({ port: true }),
      path: 'replicas[0].port',
      message: 'got true',
    },
    {
      name: 'a missing ip_address',
      text: withPeer({ ip_address: undefined }),
      path: 'replicas[0].ip_address',
      message: 'is required',
    },
    {
      name: 'a host name in ip_address',
      text: withPeer({ ip_address: 'gluster-1.example' }),
      path: 'replicas[0].ip_address',
      message: 'must be an IPv4 or IPv6 address, got "gluster-1.example"',
    },
    {
      name: 'a bracketed IPv6 ip_address',
      text: withPeer({ ip_address: '[::1]' }),
      path: 'replicas[0].ip_address',
      message: 'got "[::1]"',
    },
    {
      name: 'an ip_address with spaces',
      text: withPeer({ ip_address: ' 10.0.0.1' }),
      path: 'replicas[0].ip_address',
      message: 'got " 10.0.0.1"',
    },
    {
      name: 'a numeric ip_address',
      text: withPeer({ ip_address: 10 }),
      path: 'replicas[0].ip_address',
      message: 'got 10',
    },
    {
      name: 'a numeric hostname',
      text: withPeer({ hostname: 5 }),
      path: 'replicas[0].hostname',
      message: 'must be a string, got 5',
    },
    {
      name: 'an object description',
      text: withPeer({ description: {} }),
      path: 'replicas[0].description',
      message: 'got an object',
    },
    {
      name: 'a boolean domain',
      text: withPeer({ domain: true }),
      path: 'replicas[0].domain',
      message: 'got true',
    },
    {
      name: 'aws_instance as a string',
      text: withPeer({ aws_instance: 'i-1' }),
      path: 'replicas[0].aws_instance',
      message: 'must be an object of strings, got "i-1"',
    },
    {
      name: 'a number in aws_instance',
      text: withPeer({ aws_instance: { region: 1 } }),
      path: 'replicas[0].aws_instance.region',
      message: 'must be a string, got 1',
    },
    {
      name: 'an odd key in aws_instance',
      text: withPeer({ aws_instance: { 'odd key': null } }),
      path: 'replicas[0].aws_instance["odd key"]',
      message: 'got null',
    },
    {
      name: 'a duplicate name',
      text: peersJson({
        replicas: [
          { pid: 1, name: 'n1', ip_address: '10.0.0.1', port: 80 },
          { pid: 2, name: 'n2', ip_address: '10.0.0.2', port: 80 },
          { pid: 3, name: 'n1', ip_address: '10.0.0.3', port: 80 },
        ],
      }),
      path: 'replicas[2].name',
      message: '"n1" is already the name of replicas[0]; names must be unique',
    },
    {
      name: `an info nested deeper than ${MAX_INFO_DEPTH} levels`,
      text: `{"info": ${'{"a":'.repeat(MAX_INFO_DEPTH + 1)}1${'}'.repeat(MAX_INFO_DEPTH + 1)}}`,
      path: `info${'.a'.repeat(MAX_INFO_DEPTH)}`,
      message: `nests more than ${MAX_INFO_DEPTH} levels deep`,
    },
    {
      name: 'text over 4 MiB',
      text: `{"info": {"pad": "${'x'.repeat(MAX_INVENTORY_BYTES)}"}}`,
      path: '',
      message: `more than the limit of ${MAX_INVENTORY_BYTES} bytes`,
    },
  ];
  for (const tc of rejected) {
    it(`rejects ${tc.name}, naming the file and the JSON path`, () => {
      const error = formatError(tc.text);
      expect(error.source).to.equal('peers.json');
      expect(error.path).to.equal(tc.path);
      expect(error.problems).to.have.length(1);
      expect(error.problems[0]?.message).to.contain(tc.message);
      const prefix = tc.path === '' ? 'peers.json: ' : `peers.json: ${tc.path}: `;
      expect(error.message.startsWith(prefix), error.message).to.equal(true);
      expect(error.message).to.contain(tc.message);
    });
  }

  it('says exactly what is wrong with a port written as a string', () => {
    const text = peersJson({
      replicas: [
        { pid: 1, name: 'a', ip_address: '10.0.0.1', port: 80 },
        { pid: 2, name: 'b', ip_address: '10.0.0.2', port: 80 },
        { pid: 3, name: 'c', ip_address: '10.0.0.3', port: '80' },
      ],
    });
    expect(formatError(text).message).to.equal(
      'peers.json: replicas[2].port: must be an integer 0..65535, got "80"',
    );
  });

  it('is an InventoryError and an OperatorError, and keeps the JSON syntax error as cause', () => {
    const error = formatError('{"replicas": [');
    expect(error).to.be.instanceOf(InventoryError).and.instanceOf(OperatorError);
    expect(error.name).to.equal('InventoryFormatError');
    expect(error.cause).to.be.instanceOf(SyntaxError);
  });

  it('lists every problem at once, up to 20, then counts the rest', () => {
    const three = formatError(
      peersJson({ info: 1, replicas: [{ pid: -1, name: '', ip_address: 'x', port: 1 }] }),
    );
    expect(three.problems.map((p) => p.path)).to.deep.equal([
      'info',
      'replicas[0].pid',
      'replicas[0].name',
      'replicas[0].ip_address',
    ]);
    const many = formatError(
      peersJson({ replicas: Array.from({ length: 30 }, (_, i) => ({ name: `n${i}` })) }),
    );
    // Each of the 30 peers lacks ip_address and port: 60 problems.
    expect(many.problems).to.have.length(20);
    expect(many.message).to.match(/; and 40 more$/);
  });

  it('shortens a long bad value in the message', () => {
    const error = formatError(withPeer({ port: 'y'.repeat(500) }));
    expect(error.message).to.contain(`got "${'y'.repeat(60)}…"`);
    expect(error.message.length).to.be.below(200);
  });

  it('parses 10 000 peers (about 2 MB) in well under a second', () => {
    const replicas = Array.from({ length: 10_000 }, (_, i) => ({
      pid: i,
      name: `gluster-${i}`,
      hostname: `gluster-${i}.storage.example`,
      ip_address: `10.${(i >> 8) & 255}.${i & 255}.1`,
      domain: `gluster-${i}.storage.example`,
      port: 24007,
    }));
    const text = peersJson({ replicas });
    const started = performance.now();
    const inventory = parsePeerInventory(text, 'big.json');
    const elapsedMs = performance.now() - started;
    expect(inventory.replicas).to.have.length(10_000);
    expect(elapsedMs).to.be.below(1_000);
  });
});

describe('serializePeerInventory', () => {
  it('writes the Go field order, two-space indent, no empty optional fields, a final newline', () => {
    const text = serializePeerInventory(
      anInventory(
        [
          {
            port: 24007,
            aws_instance: { id: 'i-1' },
            domain: 'n1.example',
            ip_address: '10.0.0.1',
            hostname: 'n1.example',
            description: '',
            name: 'n1',
            pid: 3,
          },
        ],
        { source: 'cmdb' },
      ),
    );
    expect(text).to.equal(
      [
        '{',
        '  "info": {',
        '    "source": "cmdb"',
        '  },',
        '  "replicas": [',
        '    {',
        '      "pid": 3,',
        '      "name": "n1",',
        '      "hostname": "n1.example",',
        '      "ip_address": "10.0.0.1",',
        '      "domain": "n1.example",',
        '      "port": 24007,',
        '      "aws_instance": {',
        '        "id": "i-1"',
        '      }',
        '    }',
        '  ]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('round-trips: parse(serialize(x)) equals x', () => {
    const inventory = parsePeerInventory(FULL, 'peers.json');
    const text = serializePeerInventory(inventory);
    expect(parsePeerInventory(text, 'again.json')).to.deep.equal(inventory);
    expect(serializePeerInventory(parsePeerInventory(text, 'again.json'))).to.equal(text);
  });

  it('writes only the known fields of a peer built in code', () => {
    const peer = { ...aPeer('n1'), password: 'hunter2' };
    const text = serializePeerInventory(anInventory([peer]));
    expect(text).not.to.contain('hunter2');
  });

  it('refuses an inventory it could not read back: duplicate names, a bad port', () => {
    for (const replicas of [
      [aPeer('n1'), aPeer('n1', { pid: 2 })],
      [aPeer('n1', { port: 70_000 })],
      [aPeer('n1', { ip_address: 'n1.example' })],
    ]) {
      let error: unknown;
      try {
        serializePeerInventory(anInventory(replicas));
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(InventoryFormatError);
      expect((error as InventoryFormatError).source).to.equal('(inventory being serialized)');
    }
  });

  it('refuses an info with a cycle, with the JSON error as cause', () => {
    const info: Record<string, unknown> = {};
    info['self'] = info;
    let error: unknown;
    try {
      serializePeerInventory(anInventory([], info));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InventoryFormatError);
    expect((error as InventoryFormatError).path).to.equal('info');
    expect((error as InventoryFormatError).cause).to.be.instanceOf(TypeError);
  });
});
