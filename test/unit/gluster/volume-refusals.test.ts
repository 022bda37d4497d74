import { expect } from 'chai';
import { parseCliOutput } from '../../../src/gluster/cli-output.js';
import type { GlusterReason } from '../../../src/gluster/gluster-reasons.js';
import { REASONS, reasonForVolumeFailure } from '../../../src/gluster/gluster-reasons.js';
import { fixture } from '../../support/gluster-fixtures.js';

/** Every refusal captured from glusterd 10.3 for the volume operations, and its reason. */
const REFUSALS: Readonly<Record<string, GlusterReason>> = {
  'volume-create-root-filesystem.xml': 'BrickOnRootFilesystem',
  'volume-create-mount-point.xml': 'BrickIsMountPoint',
  'volume-create-parent-missing.xml': 'BrickDirectoryFailed',
  'volume-create-same-server.xml': 'BricksOnSameServer',
  'volume-create-host-not-in-pool.xml': 'BrickHostNotInPool',
  'volume-create-exists.xml': 'VolumeExists',
  'volume-create-overlapping-brick.xml': 'BrickOverlapsExisting',
  'volume-create-brick-of-deleted-volume.xml': 'BrickInUse',
  'volume-info-missing.xml': 'VolumeNotFound',
  'volume-start-missing.xml': 'VolumeNotFound',
  'volume-status-detail-missing.xml': 'VolumeNotFound',
  'volume-stop-not-started.xml': 'VolumeNotStarted',
  'volume-status-detail-not-started.xml': 'VolumeNotStarted',
  'volume-start-already-started.xml': 'VolumeAlreadyStarted',
  'volume-delete-started.xml': 'VolumeIsStarted',
  'volume-set-unknown-option.xml': 'OptionUnknown',
  'volume-set-invalid-value.xml': 'OptionValueInvalid',
  'volume-set-out-of-range.xml': 'OptionValueInvalid',
  'volume-get-unknown-option.xml': 'OptionUnknown',
  'volume-get-missing-volume.xml': 'VolumeNotFound',
  'volume-reset-unknown-option.xml': 'OptionUnknown',
  'volume-heal-summary-not-replicated.xml': 'NotReplicated',
  'volume-rebalance-not-distributed.xml': 'NotDistributed',
  'volume-add-brick-root-filesystem.xml': 'BrickOnRootFilesystem',
  'volume-add-brick-overlapping.xml': 'BrickOverlapsExisting',
  'volume-add-brick-marked-by-refusal.xml': 'BrickInUse',
  'volume-replace-brick-not-in-volume.xml': 'BrickNotInVolume',
  'volume-replace-brick-in-use.xml': 'BrickOverlapsExisting',
  'volume-rebalance-start-in-progress.xml': 'RebalanceInProgress',
  'volume-stop-rebalance-in-progress.xml': 'RebalanceInProgress',
  'volume-add-brick-rebalance-in-progress.xml': 'RebalanceInProgress',
  'volume-remove-brick-start-rebalance-in-progress.xml': 'RebalanceInProgress',
  'volume-remove-brick-commit-not-started.xml': 'RemoveBrickIncomplete',
  'volume-remove-brick-start-partial-set.xml': 'BrickCountMismatch',
  'volume-remove-brick-commit-in-progress.xml': 'RemoveBrickInProgress',
  'volume-rebalance-start-remove-brick-pending.xml': 'RemoveBrickPending',
  'volume-remove-brick-commit-again.xml': 'BrickNotInVolume',
};

/** Refusals their own function reads rather than the text table (see its tests). */
const READ_BY_THEIR_FUNCTION: Readonly<Record<string, string>> = {
  'volume-heal-summary-not-started.xml': 'getHealSummary: VolumeNotStarted',
  'volume-reset-user-option.xml': 'resetVolumeOption: OptionNotResettable',
  'volume-rebalance-status-not-started.xml': 'getRebalanceStatus: TASK_NOT_STARTED',
  'volume-remove-brick-status-not-started.xml': 'getRemoveBrickStatus: TASK_NOT_STARTED',
};

interface Capture {
  readonly file: string;
  readonly node: string;
  readonly opRet: string;
}

describe('volume refusals captured from glusterd 10.3', () => {
  for (const [file, reason] of Object.entries(REFUSALS)) {
    it(`${file} → ${reason}`, () => {
      const output = parseCliOutput(fixture(file));
      expect(output.opRet).not.to.equal(0);
      expect(reasonForVolumeFailure(output.opErrstr)).to.equal(reason);
      expect(REASONS[reason].hint).to.match(/^\S.{40,}\.$/);
    });
  }

  it('covers every volume refusal the capture recorded', () => {
    const captures = JSON.parse(fixture('captures.json')) as Capture[];
    const refused = captures
      .filter((c) => c.node.startsWith('vofix-') && c.opRet !== '' && c.opRet !== '0')
      .map((c) => c.file);
    expect(refused.length).to.be.greaterThan(30);
    const covered = new Set([...Object.keys(REFUSALS), ...Object.keys(READ_BY_THEIR_FUNCTION)]);
    expect(refused.filter((file) => !covered.has(file))).to.deep.equal([]);
    expect([...covered].filter((file) => !refused.includes(file))).to.deep.equal([]);
  });

  const texts: { text: string; reason: GlusterReason }[] = [
    {
      text: 'Another transaction is in progress for r3. Please try again after some time.',
      reason: 'TransactionInProgress',
    },
    {
      text: 'Locking failed on n2. Please check log file for details.',
      reason: 'TransactionInProgress',
    },
    { text: '', reason: 'GlusterdBusy' },
    {
      text: 'Commit failed on localhost. Please check log file for details.',
      reason: 'OperationFailed',
    },
    // Several nodes refuse in one answer: the reason is read past each "Pre Validation failed on".
    {
      text: "Pre Validation failed on n4. use 'force' option as migration is in progress\nPre Validation failed on n3. use 'force' option as migration is in progress",
      reason: 'RemoveBrickInProgress',
    },
    {
      text: 'Volume file path for volume v and brick path n1:/bricks/xxxx is too long.',
      reason: 'BrickPathTooLong',
    },
  ];
  for (const tc of texts) {
    it(`"${tc.text.slice(0, 50)}" → ${tc.reason}`, () => {
      expect(reasonForVolumeFailure(tc.text)).to.equal(tc.reason);
    });
  }
});
