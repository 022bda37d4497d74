import { expect } from 'chai';
import {
  MalformedEventError,
  parseGlusterdEvent,
  textOf,
} from '../../../../src/core/events/glusterd-event.js';

const NODE = '7c6f1f64-2b0e-4a7e-9d7a-2f1b3c4d5e6f';
const PEER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** A body as glustereventsd posts it (gfevents/utils.py), modified by `overrides`. */
function aBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nodeid: NODE,
    ts: 1_765_000_000,
    event: 'PEER_DISCONNECT',
    message: { peer: '10.250.0.12', uuid: PEER, state: 'Peer in Cluster' },
    ...overrides,
  };
}

/** A message with `count` string fields. */
function fields(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
}

describe('parseGlusterdEvent', () => {
  describe('accepts', () => {
    const cases: {
      name: string;
      body: unknown;
      expected: ReturnType<typeof parseGlusterdEvent>;
    }[] = [
      {
        name: 'a PEER_DISCONNECT as glustereventsd posts it (parsed from its JSON text)',
        body: JSON.parse(
          `{"nodeid":"${NODE}","ts":1765000000,"event":"PEER_DISCONNECT","message":{"peer":"10.250.0.12","uuid":"${PEER}","state":"Peer in Cluster"}}`,
        ) as unknown,
        expected: {
          nodeId: NODE,
          tsSeconds: 1_765_000_000,
          type: 'PEER_DISCONNECT',
          message: { peer: '10.250.0.12', uuid: PEER, state: 'Peer in Cluster' },
        },
      },
      {
        name: 'VOLUME_SET with its options as a list of pairs',
        body: aBody({
          event: 'VOLUME_SET',
          message: {
            name: 'gv0',
            options: [
              ['cluster.quorum-type', 'auto'],
              ['performance.readdir-ahead', 'on'],
            ],
          },
        }),
        expected: {
          nodeId: NODE,
          tsSeconds: 1_765_000_000,
          type: 'VOLUME_SET',
          message: {
            name: 'gv0',
            options: [
              ['cluster.quorum-type', 'auto'],
              ['performance.readdir-ahead', 'on'],
            ],
          },
        },
      },
      {
        name: 'booleans and numbers in the message',
        body: aBody({ event: 'VOLUME_STOP', message: { name: 'gv0', force: true, port: 49152 } }),
        expected: {
          nodeId: NODE,
          tsSeconds: 1_765_000_000,
          type: 'VOLUME_STOP',
          message: { name: 'gv0', force: true, port: 49152 },
        },
      },
      {
        name: 'an empty message (the operator probe)',
        body: aBody({ event: 'OPERATOR_PROBE', message: {} }),
        expected: { nodeId: NODE, tsSeconds: 1_765_000_000, type: 'OPERATOR_PROBE', message: {} },
      },
      {
        name: 'exactly 64 fields and a 4096-character value',
        body: aBody({ message: { ...fields(63), long: 'x'.repeat(4096) } }),
        expected: {
          nodeId: NODE,
          tsSeconds: 1_765_000_000,
          type: 'PEER_DISCONNECT',
          message: { ...fields(63), long: 'x'.repeat(4096) },
        },
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(parseGlusterdEvent(tc.body)).to.deep.equal(tc.expected);
      });
    }
  });

  describe('refuses', () => {
    const nested = [[['too deep']]];
    const cases: { name: string; body: unknown; says: RegExp }[] = [
      { name: 'null', body: null, says: /not a JSON object/ },
      { name: 'a string', body: 'PEER_DISCONNECT', says: /not a JSON object/ },
      { name: 'an array', body: [aBody()], says: /not a JSON object/ },
      { name: 'a missing nodeid', body: aBody({ nodeid: undefined }), says: /nodeid/ },
      { name: 'an upper-case UUID', body: aBody({ nodeid: NODE.toUpperCase() }), says: /nodeid/ },
      { name: 'a short UUID', body: aBody({ nodeid: NODE.slice(0, -1) }), says: /nodeid/ },
      {
        name: 'a UUID without dashes',
        body: aBody({ nodeid: NODE.replaceAll('-', '') }),
        says: /nodeid/,
      },
      { name: 'ts not an integer', body: aBody({ ts: 1_765_000_000.5 }), says: /ts is not/ },
      { name: 'ts before 2001', body: aBody({ ts: 999_999_999 }), says: /ts is not/ },
      { name: 'ts in an absurd future', body: aBody({ ts: 10_000_000_000 }), says: /ts is not/ },
      { name: 'ts as a string', body: aBody({ ts: '1765000000' }), says: /ts is not/ },
      { name: 'ts in milliseconds', body: aBody({ ts: 1_765_000_000_000 }), says: /ts is not/ },
      {
        name: 'an event in lower case',
        body: aBody({ event: 'peer_disconnect' }),
        says: /event is not/,
      },
      {
        name: 'an event with spaces',
        body: aBody({ event: 'PEER DISCONNECT' }),
        says: /event is not/,
      },
      {
        name: 'an event of 65 characters',
        body: aBody({ event: 'E'.repeat(65) }),
        says: /event is not/,
      },
      { name: 'an empty event', body: aBody({ event: '' }), says: /event is not/ },
      { name: 'an event as a number', body: aBody({ event: 7 }), says: /event is not/ },
      {
        name: 'a message as a string',
        body: aBody({ message: 'peer=10.250.0.12' }),
        says: /message is not/,
      },
      { name: 'a message as a list', body: aBody({ message: [] }), says: /message is not/ },
      { name: 'a missing message', body: aBody({ message: undefined }), says: /message is not/ },
      { name: '65 fields', body: aBody({ message: fields(65) }), says: /more than 64 fields/ },
      {
        name: 'a value of 4097 characters',
        body: aBody({ message: { peer: 'x'.repeat(4097) } }),
        says: /message\.peer is longer/,
      },
      {
        name: 'a field name of 65 characters',
        body: aBody({ message: { ['k'.repeat(65)]: 'v' } }),
        says: /field name of 65/,
      },
      {
        name: 'an empty field name',
        body: aBody({ message: { '': 'v' } }),
        says: /field name of 0/,
      },
      {
        name: 'a list nested three deep',
        body: aBody({ message: { options: nested } }),
        says: /message\.options is not/,
      },
      {
        name: 'an object value',
        body: aBody({ message: { peer: { host: 'n2' } } }),
        says: /message\.peer is not/,
      },
      {
        name: 'null as a value',
        body: aBody({ message: { peer: null } }),
        says: /message\.peer is not/,
      },
      {
        name: 'NaN as a value',
        body: aBody({ message: { port: Number.NaN } }),
        says: /message\.port is not/,
      },
      {
        name: 'a list of 257 items',
        body: aBody({ message: { options: Array.from({ length: 257 }, () => 'x') } }),
        says: /more than 256 items/,
      },
    ];
    for (const tc of cases) {
      it(tc.name, () => {
        expect(() => parseGlusterdEvent(tc.body))
          .to.throw(MalformedEventError)
          .with.property('message')
          .that.matches(tc.says);
      });
    }
  });

  it('keeps a "__proto__" key as an own field and leaves the prototype alone', () => {
    const body = JSON.parse(
      `{"nodeid":"${NODE}","ts":1765000000,"event":"VOLUME_SET","message":{"__proto__":["polluted"],"name":"gv0"}}`,
    ) as unknown;
    const event = parseGlusterdEvent(body);
    expect(Object.hasOwn(event.message, '__proto__')).to.equal(true);
    expect(Object.getPrototypeOf(event.message)).to.equal(Object.prototype);
    expect(Object.keys(event.message)).to.deep.equal(['__proto__', 'name']);
    expect(event.message['__proto__']).to.deep.equal(['polluted']);
    expect(Object.getPrototypeOf({})).to.equal(Object.prototype);
    expect(Object.prototype).not.to.have.own.property('0');
  });

  it('textOf reads own string fields only', () => {
    const event = parseGlusterdEvent(aBody({ message: { peer: 'n2', port: 1 } }));
    expect(textOf(event, 'peer')).to.equal('n2');
    expect(textOf(event, 'port')).to.equal(undefined);
    expect(textOf(event, 'toString')).to.equal(undefined);
  });
});
