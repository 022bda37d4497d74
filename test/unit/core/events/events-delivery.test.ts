import { expect } from 'chai';
import type { RegistrationProblem } from '../../../../src/api/events-delivery-reasons.js';
import type {
  EventsDeliveryInput,
  EventsDeliveryReport,
  NodeRegistration,
} from '../../../../src/core/events/events-delivery.js';
import { assessEventsDelivery } from '../../../../src/core/events/events-delivery.js';

const URL = 'https://operator.example.com:8443/v1/events/storage/pool';
const CHECKED = '2026-12-06T22:00:00Z';
const LAST_EVENT = '2026-12-06T21:59:30Z';

const working = (restarted = false): NodeRegistration => ({
  ok: true,
  restarted,
  checkedAt: CHECKED,
});
const failing = (reason: RegistrationProblem, message = `${reason} here`): NodeRegistration => ({
  ok: false,
  reason,
  message,
  checkedAt: CHECKED,
});

/** Three nodes, each working unless `registrations` says otherwise (undefined: never checked). */
function anInput(
  registrations: Record<string, NodeRegistration | undefined> = {},
  overrides: Partial<EventsDeliveryInput> = {},
): EventsDeliveryInput {
  const nodes = ['n1', 'n2', 'n3'];
  const all = new Map<string, NodeRegistration>();
  for (const node of nodes) {
    const registration = Object.hasOwn(registrations, node) ? registrations[node] : working();
    if (registration !== undefined) all.set(node, registration);
  }
  return {
    url: URL,
    sudo: false,
    nodes,
    registrations: all,
    lastCheckTime: CHECKED,
    lastEventTime: LAST_EVENT,
    ...overrides,
  };
}

describe('assessEventsDelivery', () => {
  const cases: {
    name: string;
    input: EventsDeliveryInput;
    expected: {
      status: 'True' | 'False';
      reason: string;
      message?: string | RegExp;
      registered: number;
    };
  }[] = [
    {
      name: 'delivers when every node works, naming the last event',
      input: anInput(),
      expected: {
        status: 'True',
        reason: 'Delivering',
        message: `All 3 nodes post glusterd's events to ${URL}; last event ${LAST_EVENT}`,
        registered: 3,
      },
    },
    {
      name: 'delivers when nodes post over https without trusting the certificate, and says which',
      input: anInput({
        n1: { ok: true, restarted: false, certificateVerified: false, checkedAt: CHECKED },
        n3: { ok: true, restarted: false, certificateVerified: false, checkedAt: CHECKED },
      }),
      expected: {
        status: 'True',
        reason: 'Delivering',
        message: `All 3 nodes post glusterd's events to ${URL}; last event ${LAST_EVENT}; n1, n3 do not trust the certificate of ${URL} and post without verifying it, as glustereventsd does (docs/events.md)`,
        registered: 3,
      },
    },
    {
      name: 'says "none yet" before the first event',
      input: anInput({}, { lastEventTime: undefined }),
      expected: {
        status: 'True',
        reason: 'Delivering',
        message: /; last event none yet$/,
        registered: 3,
      },
    },
    {
      name: 'without a URL: NoReceiverUrl, whatever the nodes',
      input: anInput({ n1: failing('NodeUnreachable') }, { url: undefined }),
      expected: { status: 'False', reason: 'NoReceiverUrl', message: /EVENTS_URL/, registered: 2 },
    },
    {
      name: 'through sudo: RequiresRoot',
      input: anInput({}, { sudo: true }),
      expected: { status: 'False', reason: 'RequiresRoot', message: /root/, registered: 3 },
    },
    {
      name: 'one node unreachable, naming it',
      input: anInput({ n2: failing('NodeUnreachable', 'SSH connect timed out') }),
      expected: {
        status: 'False',
        reason: 'NodeUnreachable',
        message: 'n2: SSH connect timed out',
        registered: 2,
      },
    },
    {
      name: 'a node never checked: RegistrationFailed "not checked yet"',
      input: anInput({ n3: undefined }),
      expected: {
        status: 'False',
        reason: 'RegistrationFailed',
        message: 'n3: not checked yet',
        registered: 2,
      },
    },
    {
      name: 'the gravest problem gives the reason; every node is named in node order',
      input: anInput({
        n1: failing('WebhookRejected', 'HTTP 401'),
        n2: failing('EventsUnsupported', 'no python3'),
        n3: failing('EventsPortChanged', 'port 55556'),
      }),
      expected: {
        status: 'False',
        reason: 'EventsUnsupported',
        message: 'n1: HTTP 401; n2: no python3; n3: port 55556',
        registered: 0,
      },
    },
    {
      name: 'EventsDaemonDown is graver than WebhookUnreachable',
      input: anInput({
        n1: failing('WebhookUnreachable'),
        n3: failing('EventsDaemonDown'),
      }),
      expected: { status: 'False', reason: 'EventsDaemonDown', registered: 1 },
    },
    {
      name: 'a restarted daemon: EventsDaemonRestarted, not counted as registered',
      input: anInput({ n1: working(true) }),
      expected: {
        status: 'False',
        reason: 'EventsDaemonRestarted',
        message: `n1: glustereventsd was not running and was started at ${CHECKED}; events until then were lost`,
        registered: 2,
      },
    },
    {
      name: 'any other problem is graver than a restart',
      input: anInput({ n1: working(true), n2: failing('RegistrationFailed', 'timed out') }),
      expected: { status: 'False', reason: 'RegistrationFailed', registered: 1 },
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const report: EventsDeliveryReport = assessEventsDelivery(tc.input);
      expect(report.condition).to.include({
        type: 'EventsDelivery',
        status: tc.expected.status,
        reason: tc.expected.reason,
      });
      if (typeof tc.expected.message === 'string') {
        expect(report.condition.message).to.equal(tc.expected.message);
      } else if (tc.expected.message) {
        expect(report.condition.message).to.match(tc.expected.message);
      }
      expect(report.status.registered).to.equal(tc.expected.registered);
      expect(report.status.nodes).to.equal(tc.input.nodes.length);
    });
  }

  const gravity: RegistrationProblem[] = [
    'NodeUnreachable',
    'EventsUnsupported',
    'EventsDaemonDown',
    'WebhookUnreachable',
    'WebhookRejected',
    'EventsPortChanged',
    'RegistrationFailed',
  ];
  for (const [index, graver] of gravity.entries()) {
    for (const lesser of gravity.slice(index + 1)) {
      it(`${graver} outranks ${lesser}, in either node order`, () => {
        for (const [first, second] of [
          [lesser, graver],
          [graver, lesser],
        ] as const) {
          const report = assessEventsDelivery(anInput({ n1: failing(first), n3: failing(second) }));
          expect(report.condition.reason).to.equal(graver);
        }
      });
    }
  }

  it('copies url and times into status.events, and leaves out what is unknown', () => {
    expect(assessEventsDelivery(anInput()).status).to.deep.equal({
      url: URL,
      registered: 3,
      nodes: 3,
      lastCheckTime: CHECKED,
      lastEventTime: LAST_EVENT,
    });
    expect(
      assessEventsDelivery(
        anInput({}, { url: undefined, lastCheckTime: undefined, lastEventTime: undefined }),
      ).status,
    ).to.deep.equal({ registered: 3, nodes: 3 });
  });

  it('does not count registrations of nodes that are no longer in spec', () => {
    const input = anInput();
    const registrations = new Map(input.registrations);
    registrations.set('old', working());
    const report = assessEventsDelivery({ ...input, registrations });
    expect(report.status).to.include({ registered: 3, nodes: 3 });
    expect(report.condition.status).to.equal('True');
  });
});
