import { expect } from 'chai';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import { GlusterCliError, GlusterXmlParseError } from '../../../src/gluster/gluster-errors.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { rejection } from '../../support/rejection.js';

const POOL_LIST = ['gluster', '--mode=script', '--xml', '--timeout=30', 'pool', 'list'];
const OK = '<cliOutput><opRet>0</opRet><opErrno>0</opErrno><opErrstr/><peerStatus/></cliOutput>';

describe('GlusterCli', () => {
  it('always runs gluster in script mode, with XML and a CLI timeout', async () => {
    const executor = new FakeExecutor().on('n1', POOL_LIST, { stdout: OK });
    const { output } = await new GlusterCli(executor).run('n1', ['pool', 'list']);
    expect(output.opRet).to.equal(0);
    expect(executor.calls).to.deep.equal([{ node: 'n1', argv: POOL_LIST }]);
  });

  it('uses the configured CLI timeout', async () => {
    const argv = ['gluster', '--mode=script', '--xml', '--timeout=5', 'pool', 'list'];
    const executor = new FakeExecutor().on('n1', argv, { stdout: OK });
    await new GlusterCli(executor, { timeoutSeconds: 5 }).run('n1', ['pool', 'list']);
    expect(executor.calls[0]?.argv).to.deep.equal(argv);
  });

  const failures: {
    name: string;
    exitCode: number;
    stdout: string;
    stderr: string;
    expected: unknown;
  }[] = [
    {
      name: 'glusterd not running (exit 1, no XML) is a CLI failure',
      exitCode: 1,
      stdout: 'Connection failed. Please check if gluster daemon is operational.\n',
      stderr: '',
      expected: GlusterCliError,
    },
    {
      name: 'no output at all with a non-zero exit is a CLI failure',
      exitCode: 110,
      stdout: '',
      stderr: 'Error : Request timed out\n',
      expected: GlusterCliError,
    },
    {
      name: 'truncated XML with exit 0 is a parse error',
      exitCode: 0,
      stdout: '<cliOutput><opRet>0</opRet><opErrno>0</op',
      stderr: '',
      expected: GlusterXmlParseError,
    },
    {
      name: 'XML without <cliOutput> is a parse error',
      exitCode: 0,
      stdout: '<other><opRet>0</opRet></other>',
      stderr: '',
      expected: GlusterXmlParseError,
    },
    {
      name: 'a non-numeric opRet is a parse error',
      exitCode: 0,
      stdout: '<cliOutput><opRet>zero</opRet><opErrno>0</opErrno></cliOutput>',
      stderr: '',
      expected: GlusterXmlParseError,
    },
    {
      name: 'a missing opErrno is a parse error',
      exitCode: 0,
      stdout: '<cliOutput><opRet>0</opRet></cliOutput>',
      stderr: '',
      expected: GlusterXmlParseError,
    },
  ];
  for (const tc of failures) {
    it(tc.name, async () => {
      const executor = new FakeExecutor().on('n1', POOL_LIST, {
        exitCode: tc.exitCode,
        stdout: tc.stdout,
        stderr: tc.stderr,
      });
      const error = await rejection(new GlusterCli(executor).run('n1', ['pool', 'list']));
      expect(error).to.be.instanceOf(tc.expected);
    });
  }

  it('reports what the CLI said when it failed', async () => {
    const executor = new FakeExecutor().on('n1', POOL_LIST, {
      exitCode: 1,
      stdout: 'Connection failed. Please check if gluster daemon is operational.\n',
    });
    const error = await rejection(new GlusterCli(executor).run('n1', ['pool', 'list']));
    expect(error).to.be.instanceOf(GlusterCliError);
    expect((error as GlusterCliError).message)
      .to.contain('exited 1')
      .and.contain('gluster daemon is operational');
    expect((error as GlusterCliError).result.exitCode).to.equal(1);
  });

  it('reads a refusal even when gluster exits non-zero with XML', async () => {
    const executor = new FakeExecutor().on('n1', POOL_LIST, {
      exitCode: 1,
      stdout:
        '<cliOutput><opRet>-1</opRet><opErrno>30800</opErrno><opErrstr>boom</opErrstr></cliOutput>',
    });
    const { output } = await new GlusterCli(executor).run('n1', ['pool', 'list']);
    expect(output).to.include({ opRet: -1, opErrno: 30800, opErrstr: 'boom' });
  });
});
