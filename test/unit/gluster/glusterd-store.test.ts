import { expect } from 'chai';
import { CommandTimeoutError } from '../../../src/exec/exec-errors.js';
import { GlusterCli } from '../../../src/gluster/gluster-cli.js';
import {
  isLoneAndListening,
  parseGlusterdStore,
  readGlusterdStore,
  STORE_READ_ARGV,
} from '../../../src/gluster/glusterd-store.js';
import { FakeExecutor } from '../../support/fake-executor.js';
import { HOSTILE_STRINGS } from '../../support/hostile-strings.js';
import { rejection } from '../../support/rejection.js';

const UUID = '5b7b1c4e-59cf-4d7e-9d3c-1b2a3c4d5e6f';

function output(lines: { info?: string[]; peers?: string[]; vols?: string[]; listening?: string }) {
  return [
    '--info',
    ...(lines.info ?? [`UUID=${UUID}`, 'operating-version=100000']),
    '--peers',
    ...(lines.peers ?? []),
    '--vols',
    ...(lines.vols ?? []),
    '--listening',
    lines.listening ?? '1',
    '',
  ].join('\n');
}

describe('glusterd store read', () => {
  describe('parseGlusterdStore', () => {
    it("reads a lone node's store: its UUID, no peers, no volumes, glusterd listening", () => {
      const summary = parseGlusterdStore(output({}));
      expect(summary).to.deep.equal({
        uuid: UUID,
        peerFiles: [],
        volumeNames: [],
        isListening: true,
      });
      expect(isLoneAndListening(summary!)).to.equal(true);
    });

    it('lists peer files and volumes, and is then not lone', () => {
      const summary = parseGlusterdStore(
        output({ peers: ['0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6'], vols: ['data', 'logs'] }),
      )!;
      expect(summary.peerFiles).to.deep.equal(['0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6']);
      expect(summary.volumeNames).to.deep.equal(['data', 'logs']);
      expect(isLoneAndListening(summary)).to.equal(false);
      expect(isLoneAndListening({ ...summary, peerFiles: [] })).to.equal(false);
    });

    it('is not lone when nothing listens on the management port', () => {
      const summary = parseGlusterdStore(output({ listening: '0' }))!;
      expect(summary.isListening).to.equal(false);
      expect(isLoneAndListening(summary)).to.equal(false);
    });

    it('reads the UUID in lower case, as glusterd prints it', () => {
      expect(parseGlusterdStore(output({ info: [`UUID=${UUID.toUpperCase()}`] }))?.uuid).to.equal(
        UUID,
      );
    });

    const unreadable: [string, string][] = [
      ['empty output', ''],
      ['no UUID', output({ info: ['operating-version=100000'] })],
      ['two UUIDs', output({ info: [`UUID=${UUID}`, `UUID=${UUID}`] })],
      ['a UUID that is not one', output({ info: ['UUID=not-a-uuid'] })],
      ['a count that is not a number', output({ listening: 'many' })],
      ['a section twice', `${output({})}--peers\n`],
      ['a line before any section', `junk\n${output({})}`],
      ['a missing section', output({}).replace('--vols\n', '')],
      ['two count lines', output({ listening: '1\n2' })],
      ['XML from the CLI', '<?xml version="1.0"?><cliOutput></cliOutput>'],
    ];
    for (const [what, stdout] of unreadable) {
      it(`reads nothing from ${what}`, () => {
        expect(parseGlusterdStore(stdout)).to.equal(undefined);
      });
    }

    it('reads nothing from hostile text in place of the UUID', () => {
      for (const hostile of HOSTILE_STRINGS) {
        expect(parseGlusterdStore(output({ info: [`UUID=${hostile}`] }))).to.equal(undefined);
      }
    });
  });

  describe('readGlusterdStore', () => {
    it('runs the one constant script, with no word from the caller in it', async () => {
      const executor = new FakeExecutor().on('n1', STORE_READ_ARGV, { stdout: output({}) });
      const summary = await readGlusterdStore(new GlusterCli(executor), 'n1', { timeoutMs: 4_000 });
      expect(summary?.uuid).to.equal(UUID);
      expect(executor.calls).to.deep.equal([{ node: 'n1', argv: [...STORE_READ_ARGV] }]);
      expect(executor.timeoutsMs).to.deep.equal([4_000]);
      expect(STORE_READ_ARGV.slice(0, 2)).to.deep.equal(['sh', '-c']);
    });

    it('gives nothing for a script that failed (no store there, a restricted shell)', async () => {
      const executor = new FakeExecutor().on('n1', STORE_READ_ARGV, {
        exitCode: 3,
        stdout: '--info\n',
      });
      expect(await readGlusterdStore(new GlusterCli(executor), 'n1')).to.equal(undefined);
    });

    it('throws what the executor threw (the node did not answer), as the CLI reads do', async () => {
      const timeout = new CommandTimeoutError('timed out', 'n1', 4_000);
      const executor = new FakeExecutor().on('n1', STORE_READ_ARGV, { error: timeout });
      expect(await rejection(readGlusterdStore(new GlusterCli(executor), 'n1'))).to.equal(timeout);
    });

    it('is counted and logged under its own verb', async () => {
      const seen: string[] = [];
      const executor = new FakeExecutor().on('n1', STORE_READ_ARGV, { stdout: output({}) });
      const cli = new GlusterCli(executor, {
        onCommand: (verb, outcome) => seen.push(`${verb} ${outcome}`),
      });
      await readGlusterdStore(cli, 'n1');
      expect(seen).to.deep.equal(['store read ok']);
    });
  });
});
