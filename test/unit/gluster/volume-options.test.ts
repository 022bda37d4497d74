import { expect } from 'chai';
import { InvalidArgumentError } from '../../../src/errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  GlusterOperationError,
  GlusterXmlParseError,
} from '../../../src/gluster/gluster-errors.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import {
  getVolumeOptions,
  resetVolumeOption,
  setVolumeOptions,
} from '../../../src/gluster/volume-options.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { fixture, glusterArgv, xmlAnswer } from '../../support/gluster-fixtures.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

describe('volume set', () => {
  it('sets every pair in one command, in order', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv(
        'volume',
        'set',
        'r3',
        'performance.cache-size',
        '64MB',
        'cluster.min-free-disk',
        '5%',
      ),
      xmlAnswer('volume-set.xml'),
    );
    const result = await setVolumeOptions(new GlusterCli(executor), 'n1', {
      name: 'r3',
      options: [
        ['performance.cache-size', '64MB'],
        ['cluster.min-free-disk', '5%'],
      ],
    });
    expect(result.name).to.equal('r3');
    expect(executor.calls).to.have.length(1);
  });

  it('passes a value with shell syntax as one literal word', async () => {
    const value = "it's $(id) `id` *";
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'set', 'r3', 'user.note', value),
      xmlAnswer('volume-set-user-option.xml'),
    );
    await setVolumeOptions(new GlusterCli(executor), 'n1', {
      name: 'r3',
      options: [['user.note', value]],
    });
    expect(executor.calls[0]?.argv.at(-1)).to.equal(value);
  });

  const refusals: { fixture: string; reason: GlusterReason; text: RegExp }[] = [
    {
      fixture: 'volume-set-unknown-option.xml',
      reason: 'OptionUnknown',
      text: /performance.nosuch does not exist/,
    },
    {
      fixture: 'volume-set-invalid-value.xml',
      reason: 'OptionValueInvalid',
      text: /invalid number format "banana"/,
    },
    {
      fixture: 'volume-set-out-of-range.xml',
      reason: 'OptionValueInvalid',
      text: /is out of range/,
    },
    { fixture: 'volume-start-missing.xml', reason: 'VolumeNotFound', text: /does not exist/ },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'set', 'r3', 'performance.cache-size', '1'),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(
        setVolumeOptions(new GlusterCli(executor), 'n1', {
          name: 'r3',
          options: [['performance.cache-size', '1']],
        }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume set' });
      expect((error as GlusterOperationError).opErrstr).to.match(tc.text);
    });
  }

  const invalid: { name: string; options: [string, string][]; message: RegExp }[] = [
    { name: 'no pair', options: [], message: /No volume option to set/ },
    {
      name: 'a key twice',
      options: [
        ['a.b', '1'],
        ['a.b', '2'],
      ],
      message: /a\.b is given twice/,
    },
    { name: 'an empty value', options: [['a.b', '']], message: /it is empty/ },
    {
      name: 'a value the CLI takes for its option',
      options: [['a.b', '--remote-host=evil']],
      message: /own options/,
    },
    {
      name: 'a key without a dot',
      options: [['group', 'virt']],
      message: /dotted lower-case words/,
    },
  ];
  for (const tc of invalid) {
    it(`refuses ${tc.name} before running anything`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(
        setVolumeOptions(new GlusterCli(executor), 'n1', { name: 'r3', options: tc.options }),
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(error.message).to.match(tc.message);
      expect(executor.calls).to.deep.equal([]);
    });
  }

  for (const hostile of HOSTILE_STRINGS) {
    it(`${JSON.stringify(hostile)}: refused as name and key; as value refused or passed literally`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'set', 'r3', 'user.note', hostile),
        xmlAnswer('volume-set-user-option.xml'),
      );
      const cli = new GlusterCli(executor);
      expect(
        await rejection(setVolumeOptions(cli, 'n1', { name: hostile, options: [['a.b', '1']] })),
      ).to.be.instanceOf(InvalidArgumentError);
      expect(
        await rejection(setVolumeOptions(cli, 'n1', { name: 'r3', options: [[hostile, '1']] })),
      ).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
      const asValue = await setVolumeOptions(cli, 'n1', {
        name: 'r3',
        options: [['user.note', hostile]],
      }).catch((error: unknown) => error);
      if (asValue instanceof InvalidArgumentError) {
        expect(executor.calls).to.deep.equal([]);
      } else {
        expect(executor.calls.map((call) => call.argv)).to.deep.equal([
          glusterArgv('volume', 'set', 'r3', 'user.note', hostile),
        ]);
      }
    });
  }
});

describe('volume reset', () => {
  it('resets one key', async () => {
    const executor = new FakeExecutor().on(
      'n1',
      glusterArgv('volume', 'reset', 'r3', 'performance.cache-size'),
      xmlAnswer('volume-reset.xml'),
    );
    const result = await resetVolumeOption(new GlusterCli(executor), 'n1', {
      name: 'r3',
      key: 'performance.cache-size',
    });
    expect(result.name).to.equal('r3');
  });

  const refusals: { key: string; fixture: string; reason: GlusterReason }[] = [
    {
      key: 'performance.nosuch',
      fixture: 'volume-reset-unknown-option.xml',
      reason: 'OptionUnknown',
    },
    // glusterd 10.3 answers "Option user.note does not exist" for a user.* option that is set.
    { key: 'user.note', fixture: 'volume-reset-user-option.xml', reason: 'OptionNotResettable' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} → ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on(
        'n1',
        glusterArgv('volume', 'reset', 'r3', tc.key),
        xmlAnswer(tc.fixture),
      );
      const error = await rejection(
        resetVolumeOption(new GlusterCli(executor), 'n1', { name: 'r3', key: tc.key }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason, operation: 'volume reset' });
    });
  }

  for (const key of ['', 'force', 'all', ...HOSTILE_STRINGS]) {
    it(`refuses the key ${JSON.stringify(key)} (a missing key would reset every option)`, async () => {
      const executor = new FakeExecutor();
      const error = await rejection(
        resetVolumeOption(new GlusterCli(executor), 'n1', { name: 'r3', key }),
      );
      expect(error).to.be.instanceOf(InvalidArgumentError);
      expect(executor.calls).to.deep.equal([]);
    });
  }
});

describe('volume get', () => {
  function optionsFrom(stdout: string, key?: string) {
    const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'get', 'r3', key ?? 'all'), {
      stdout,
    });
    return getVolumeOptions(
      new GlusterCli(executor),
      'n1',
      key === undefined ? { name: 'r3' } : { name: 'r3', key },
    );
  }

  it('reads every option in force, telling defaults from values set', async () => {
    const xml = fixture('volume-get-all.xml');
    const options = await optionsFrom(xml);
    // glusterd 10.3 lists a few keys twice: one entry each.
    const keys = new Set([...xml.matchAll(/<Option>([^<]+)<\/Option>/g)].map((m) => m[1]));
    expect(options.size).to.equal(keys.size);
    expect(options.size).to.be.greaterThan(300);
    expect(options.get('performance.cache-size')).to.deep.equal({
      value: '64MB',
      isDefault: false,
    });
    expect(options.get('cluster.min-free-disk')).to.deep.equal({ value: '5%', isDefault: false });
    expect(options.get('cluster.min-free-inodes')).to.deep.equal({ value: '5%', isDefault: true });
    // Listed as "on (DEFAULT)" and as "on".
    expect(options.get('features.ctime')).to.deep.equal({ value: 'on', isDefault: false });
    expect(options.get('network.tcp-window-size')).to.deep.equal({
      value: '(null)',
      isDefault: true,
    });
    // user.* options are not listed (volume info's options has them).
    expect(options.has('user.note')).to.equal(false);
  });

  it('reads one option', async () => {
    const options = await optionsFrom(fixture('volume-get-one.xml'), 'performance.cache-size');
    expect([...options]).to.deep.equal([
      ['performance.cache-size', { value: '64MB', isDefault: false }],
    ]);
  });

  const refusals: { fixture: string; reason: GlusterReason }[] = [
    { fixture: 'volume-get-unknown-option.xml', reason: 'OptionUnknown' },
    { fixture: 'volume-get-missing-volume.xml', reason: 'VolumeNotFound' },
  ];
  for (const tc of refusals) {
    it(`${tc.fixture} (the CLI exits 1, with XML) → ${tc.reason}`, async () => {
      const executor = new FakeExecutor().on('n1', glusterArgv('volume', 'get', 'r3', 'all'), {
        ...xmlAnswer(tc.fixture),
        exitCode: 1,
      });
      const error = await rejection(
        getVolumeOptions(new GlusterCli(executor), 'n1', { name: 'r3' }),
      );
      expect(error).to.be.instanceOf(GlusterOperationError);
      expect(error).to.include({ reason: tc.reason });
    });
  }

  it('refuses an option listed twice with two values', async () => {
    const opt = /<Opt>[\s\S]*<\/Opt>/.exec(fixture('volume-get-one.xml'))?.[0] ?? '';
    const xml = fixture('volume-get-one.xml').replace(opt, `${opt}${opt.replace('64MB', '32MB')}`);
    const error = await rejection(optionsFrom(xml, 'performance.cache-size'));
    expect(error).to.be.instanceOf(GlusterXmlParseError);
    expect(error.message).to.contain('lists performance.cache-size twice, as "64MB" and "32MB"');
  });

  it('refuses an option without a value', async () => {
    const xml = fixture('volume-get-one.xml').replace(/<Value>[^<]*<\/Value>/, '');
    expect(await rejection(optionsFrom(xml, 'performance.cache-size'))).to.be.instanceOf(
      GlusterXmlParseError,
    );
  });
});
