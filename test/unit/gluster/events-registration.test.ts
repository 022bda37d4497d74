import { expect } from 'chai';
import type { CommandResult, Executor, RunOptions } from '../../../src/exec/executor.js';
import type {
  EventsRegistrationRequest,
  EventsRegistrationResult,
} from '../../../src/gluster/events-registration.js';
import {
  EVENTS_REGISTRATION_ARGV,
  parseRegistrationResult,
  registerEventsWebhook,
} from '../../../src/gluster/events-registration.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';

const NOT_UNDERSTOOD: EventsRegistrationResult = {
  ok: false,
  problem: 'RegistrationFailed',
  message: 'the registration check answered something the operator does not understand',
};

describe('parseRegistrationResult', () => {
  const cases: {
    name: string;
    stdout: string;
    exitCode?: number;
    expected: EventsRegistrationResult;
  }[] = [
    {
      name: 'an ok line (an unregister: no verified field, nothing was posted)',
      stdout: '{"ok": true, "changed": true, "started": false, "reloaded": true}\n',
      expected: {
        ok: true,
        changed: true,
        started: false,
        reloaded: true,
        certificateVerified: true,
      },
    },
    {
      name: 'an ok line whose https post went through without a trusted certificate',
      stdout:
        '{"ok": true, "changed": false, "started": false, "reloaded": false, "verified": false}\n',
      expected: {
        ok: true,
        changed: false,
        started: false,
        reloaded: false,
        certificateVerified: false,
      },
    },
    {
      name: 'an ok line after other output (the last line counts)',
      stdout:
        'warning: something\n{"ok": true, "changed": false, "started": true, "reloaded": false}\n',
      expected: {
        ok: true,
        changed: false,
        started: true,
        reloaded: false,
        certificateVerified: true,
      },
    },
    ...(
      [
        'EventsUnsupported',
        'EventsDaemonDown',
        'WebhookUnreachable',
        'WebhookRejected',
        'EventsPortChanged',
        'RegistrationFailed',
      ] as const
    ).map((problem) => ({
      name: `the problem ${problem}`,
      stdout: JSON.stringify({ ok: false, problem, message: `${problem} because` }),
      expected: { ok: false as const, problem, message: `${problem} because` },
    })),
    {
      name: 'a message of 5000 characters, cut to 1024',
      stdout: JSON.stringify({
        ok: false,
        problem: 'WebhookUnreachable',
        message: 'm'.repeat(5000),
      }),
      expected: { ok: false, problem: 'WebhookUnreachable', message: 'm'.repeat(1024) },
    },
    {
      name: 'no output at all',
      stdout: '',
      exitCode: 1,
      expected: {
        ok: false,
        problem: 'RegistrationFailed',
        message: 'the registration check ended with exit code 1 and no answer',
      },
    },
    {
      name: 'a Python traceback',
      stdout:
        'Traceback (most recent call last):\n  File "<string>", line 3\nSyntaxError: invalid syntax\n',
      exitCode: 1,
      expected: {
        ok: false,
        problem: 'RegistrationFailed',
        message: 'the registration check ended with exit code 1 and no answer',
      },
    },
    {
      name: 'a JSON line followed by a non-JSON last line',
      stdout: '{"ok": true, "changed": false, "started": false, "reloaded": false}\ngarbage\n',
      exitCode: 0,
      expected: {
        ok: false,
        problem: 'RegistrationFailed',
        message: 'the registration check ended with exit code 0 and no answer',
      },
    },
    { name: 'JSON null', stdout: 'null', expected: NOT_UNDERSTOOD },
    { name: 'a JSON number', stdout: '42', expected: NOT_UNDERSTOOD },
    { name: 'a JSON string', stdout: '"ok"', expected: NOT_UNDERSTOOD },
    {
      name: 'an ok line missing a field',
      stdout: '{"ok": true, "changed": true, "started": false}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'an ok line with a string for a boolean',
      stdout: '{"ok": true, "changed": "yes", "started": false, "reloaded": false}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'an ok line with a string for verified',
      stdout:
        '{"ok": true, "changed": false, "started": false, "reloaded": false, "verified": "no"}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'an unknown problem name',
      stdout: '{"ok": false, "problem": "Exploded", "message": "boom"}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'a problem named after an inherited property',
      stdout: '{"ok": false, "problem": "constructor", "message": "x"}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'a problem without a message',
      stdout: '{"ok": false, "problem": "EventsDaemonDown"}',
      expected: NOT_UNDERSTOOD,
    },
    {
      name: 'ok neither true nor false',
      stdout: '{"ok": "false", "problem": "EventsDaemonDown", "message": "x"}',
      expected: NOT_UNDERSTOOD,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(parseRegistrationResult(tc.stdout, tc.exitCode ?? 0)).to.deep.equal(tc.expected);
    });
  }
});

interface ReceivedCall {
  readonly node: string;
  readonly argv: readonly string[];
  readonly input: string | undefined;
}

/** An Executor that records argv and standard input, and answers every call with `answer`. */
class StdinRecordingExecutor implements Executor {
  readonly calls: ReceivedCall[] = [];
  constructor(private readonly answer: { stdout: string; exitCode: number }) {}

  run(node: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    this.calls.push({ node, argv: [...argv], input: options?.input });
    return Promise.resolve({
      command: argv.join(' '),
      argv: [...argv],
      node,
      exitCode: this.answer.exitCode,
      stdout: this.answer.stdout,
      stderr: '',
      durationMs: 1,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const OK_LINE = '{"ok": true, "changed": true, "started": false, "reloaded": true}\n';

function aRequest(overrides: Partial<EventsRegistrationRequest> = {}): EventsRegistrationRequest {
  return {
    action: 'register',
    url: 'https://operator.example.com:8443/v1/events/storage/pool',
    token: 'A'.repeat(43),
    path: '/v1/events/storage/pool',
    ...overrides,
  };
}

describe('registerEventsWebhook', () => {
  const requests: { name: string; request: EventsRegistrationRequest }[] = [
    { name: 'a registration', request: aRequest() },
    {
      name: 'a removal without a token',
      request: { action: 'unregister', url: aRequest().url, path: aRequest().path },
    },
    ...HOSTILE_STRINGS.map((hostile) => ({
      name: `hostile strings ${JSON.stringify(hostile)} in URL, token and path`,
      request: aRequest({
        url: `https://zq7-url/${hostile}`,
        token: `zq7-token${hostile}`,
        path: `/zq7-path/${hostile}`,
      }),
    })),
  ];
  for (const tc of requests) {
    it(`${tc.name}: the argv is the constant script, the request comes on stdin`, async () => {
      const executor = new StdinRecordingExecutor({ stdout: OK_LINE, exitCode: 0 });
      const result = await registerEventsWebhook(new GlusterCli(executor), 'n1', tc.request);
      expect(result).to.deep.equal({
        ok: true,
        changed: true,
        started: false,
        reloaded: true,
        certificateVerified: true,
      });
      expect(executor.calls).to.have.length(1);
      const [call] = executor.calls;
      expect(call?.node).to.equal('n1');
      expect(call?.argv).to.deep.equal(['python3', '-c', EVENTS_REGISTRATION_ARGV[2]]);
      expect(call?.argv).to.deep.equal([...EVENTS_REGISTRATION_ARGV]);
      expect(JSON.parse(call?.input ?? '')).to.deep.equal(tc.request);
      for (const secret of [tc.request.url, tc.request.token, tc.request.path]) {
        if (secret) expect(call?.argv.join('\n')).not.to.include(secret);
      }
    });
  }

  it('reads the script from the argv constant, the same for every request', () => {
    expect(EVENTS_REGISTRATION_ARGV[0]).to.equal('python3');
    expect(EVENTS_REGISTRATION_ARGV[1]).to.equal('-c');
    expect(EVENTS_REGISTRATION_ARGV[2]).to.include('json.loads(sys.stdin.read())');
    expect(EVENTS_REGISTRATION_ARGV).to.have.length(3);
  });

  const outcomes: {
    name: string;
    answer: { stdout: string; exitCode: number };
    expected: EventsRegistrationResult;
  }[] = [
    {
      name: 'exit code 127 (no python3) is EventsUnsupported',
      answer: { stdout: '', exitCode: 127 },
      expected: {
        ok: false,
        problem: 'EventsUnsupported',
        message: 'python3 is not installed on the node (glustereventsd needs it)',
      },
    },
    {
      name: "the script's problem line is passed on",
      answer: {
        stdout: '{"ok": false, "problem": "WebhookRejected", "message": "HTTP 401"}\n',
        exitCode: 0,
      },
      expected: { ok: false, problem: 'WebhookRejected', message: 'HTTP 401' },
    },
    {
      name: 'a crash without an answer is RegistrationFailed',
      answer: { stdout: '', exitCode: 1 },
      expected: {
        ok: false,
        problem: 'RegistrationFailed',
        message: 'the registration check ended with exit code 1 and no answer',
      },
    },
  ];
  for (const tc of outcomes) {
    it(tc.name, async () => {
      const executor = new StdinRecordingExecutor(tc.answer);
      expect(await registerEventsWebhook(new GlusterCli(executor), 'n1', aRequest())).to.deep.equal(
        tc.expected,
      );
    });
  }
});
