import { expect } from 'chai';
import type { GlusterVolume, GlusterVolumeStatus } from '../../../src/api/gluster-volume.js';
import { planVolume } from '../../../src/core/volume/plan-volume.js';
import type { VolumeObservation } from '../../../src/core/volume/volume-observation.js';
import { EXIT } from '../../../src/cli/exit-codes.js';
import {
  buildVolumePlanReport,
  formatVolumePlanText,
  volumePlanExitCode,
} from '../../../src/cli/volume-plan-report.js';
import {
  buildVolumeStatusReport,
  formatVolumeStatusText,
  volumeStatusExitCode,
} from '../../../src/cli/volume-status-report.js';
import {
  VOLUME,
  aCondition,
  aMember,
  aPlanInput,
  aPreviousStatus,
  aVolumeSpec,
  anObservation,
  anObservedVolume,
  bricksOn,
  nodes,
} from '../core/volume/volume-builders.js';

function aGlusterVolume(
  name: string,
  options: { status?: GlusterVolumeStatus; generation?: number; volumeName?: string } = {},
): GlusterVolume {
  return {
    apiVersion: 'glusteroperator.io/v1alpha1',
    kind: 'GlusterVolume',
    metadata: { name, namespace: 'storage', generation: options.generation ?? 1 },
    spec: aVolumeSpec(options.volumeName === undefined ? {} : { volumeName: options.volumeName }),
    ...(options.status ? { status: options.status } : {}),
  };
}

const condition = (
  type: string,
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
) => ({ ...aCondition(type, status, reason), message });

describe('status --volumes report', () => {
  const ready: GlusterVolumeStatus = {
    observedGeneration: 1,
    type: 'Replicate',
    state: 'Started',
    bricksOnline: '3/3',
    healPending: 0,
    conditions: [condition('Ready', 'True', 'VolumeReady', 'The volume is started and healthy')],
  };
  const degraded: GlusterVolumeStatus = {
    observedGeneration: 2,
    type: 'Replicate',
    state: 'Started',
    bricksOnline: '2/3',
    healPending: 17,
    conditions: [
      condition('Ready', 'False', 'BricksOffline', 'Brick n3:/bricks/v is offline'),
      condition('Healthy', 'False', 'HealPending', '17 entries wait to be healed'),
    ],
  };

  it('a row per volume with TYPE, STATE, BRICKS-ONLINE, HEAL-PENDING, READY and every message', () => {
    const report = buildVolumeStatusReport([
      aGlusterVolume('a', { status: ready }),
      aGlusterVolume('b', { status: degraded, generation: 2, volumeName: 'gv-b' }),
    ]);
    const text = formatVolumeStatusText(report, 'storage');
    const lines = text.split('\n');
    expect(lines[0]).to.match(
      /^NAME +VOLUME +CLUSTER +TYPE +STATE +BRICKS-ONLINE +HEAL-PENDING +READY$/,
    );
    expect(lines[1]).to.match(/^a +a +pool +Replicate +Started +3\/3 +0 +True$/);
    expect(lines[2]).to.match(/^b +gv-b +pool +Replicate +Started +2\/3 +17 +False$/);
    expect(text).to.include(
      'storage/b:\n  Ready=False (BricksOffline): Brick n3:/bricks/v is offline\n  Healthy=False (HealPending): 17 entries wait to be healed\n',
    );
    expect(volumeStatusExitCode(report)).to.equal(EXIT.attention);
  });

  const cases: {
    name: string;
    volumes: GlusterVolume[];
    exitCode: number;
    text: RegExp;
  }[] = [
    {
      name: 'every volume ready: exit 0',
      volumes: [aGlusterVolume('a', { status: ready })],
      exitCode: EXIT.ok,
      text: /Ready=True \(VolumeReady\): The volume is started and healthy/,
    },
    {
      name: 'no status yet: dashes, no conditions, exit 3',
      volumes: [aGlusterVolume('new')],
      exitCode: EXIT.attention,
      text: /^new +new +pool +- +- +- +- +-\n[\s\S]*No conditions yet/m,
    },
    {
      name: 'Ready, but of an older generation: stale, exit 3',
      volumes: [aGlusterVolume('a', { status: ready, generation: 2 })],
      exitCode: EXIT.attention,
      text: /has not yet written a status for the current spec/,
    },
    {
      name: 'no volumes: says so, exit 0',
      volumes: [],
      exitCode: EXIT.ok,
      text: /^No GlusterVolumes in namespace storage\.\n$/,
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const report = buildVolumeStatusReport(tc.volumes);
      expect(formatVolumeStatusText(report, 'storage')).to.match(tc.text);
      expect(volumeStatusExitCode(report)).to.equal(tc.exitCode);
    });
  }

  it('--output json fields', () => {
    const [row] = buildVolumeStatusReport([
      aGlusterVolume('b', { status: degraded, generation: 2 }),
    ]).volumes;
    expect(row).to.deep.include({
      namespace: 'storage',
      name: 'b',
      volumeName: 'b',
      cluster: 'pool',
      type: 'Replicate',
      state: 'Started',
      bricksOnline: '2/3',
      healPending: 17,
      ready: 'False',
      isStale: false,
    });
    expect(row?.conditions).to.have.length(2);
  });
});

describe('plan --volume report (the operator planner on a look)', () => {
  const volume = aGlusterVolume(VOLUME);
  const cases: {
    name: string;
    observation: VolumeObservation;
    previous?: GlusterVolumeStatus;
    exitCode: number;
    text: RegExp[];
    blockedReasons: string[];
  }[] = [
    {
      name: 'no volume yet: create and start from n1, exit 2',
      observation: anObservation(),
      exitCode: EXIT.changesPending,
      text: [
        /commands run from n1\n/,
        /Observed: Absent; ownership Absent/,
        /Next pass:\n {2}Creating v \(replica 3, tcp\) on n1:\/bricks\/v n2:\/bricks\/v n3:\/bricks\/v\n {2}Starting v\n/,
      ],
      blockedReasons: [],
    },
    {
      name: 'an exact match that exists without this resource: adopted, nothing to do, exit 0',
      observation: anObservation({ volume: anObservedVolume() }),
      exitCode: EXIT.ok,
      text: [/ownership Adopted; ID id-1/, /Nothing to do: the volume is as the spec says\./],
      blockedReasons: [],
    },
    {
      name: 'a volume of that name that does not match: blocked NotAdopted, exit 3',
      observation: anObservation({
        volume: anObservedVolume({ onBricks: bricksOn(nodes(3), '/bricks/other') }),
      }),
      exitCode: EXIT.attention,
      text: [/No change can be made now\./, /Blocked:\n {2}adopt v \(NotAdopted\): /],
      blockedReasons: ['NotAdopted'],
    },
    {
      name: 'no connected member: nothing read, blocked IncompleteObservation',
      observation: anObservation({
        members: nodes(3).map((node) => aMember(node, 'Disconnected')),
        commandNode: undefined,
        volume: undefined,
      }),
      exitCode: EXIT.changesPending,
      text: [
        /commands run from \(no connected node\)/,
        /Observed: not read/,
        /IncompleteObservation/,
      ],
      blockedReasons: ['IncompleteObservation'],
    },
    {
      name: 'the managed volume is stopped and spec wants it started: start, exit 2',
      observation: anObservation({ volume: anObservedVolume({ state: 'Stopped' }) }),
      previous: aPreviousStatus(anObservedVolume({ state: 'Stopped' })),
      exitCode: EXIT.changesPending,
      text: [/Observed: Stopped; ownership Managed/, /Next pass:\n {2}Starting v\n/],
      blockedReasons: [],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const plan = planVolume(
        aPlanInput(volume.spec, tc.observation, tc.previous ? { previous: tc.previous } : {}),
      );
      const report = buildVolumePlanReport(volume, tc.observation, plan);
      const text = formatVolumePlanText(report);
      for (const pattern of tc.text) expect(text).to.match(pattern);
      expect(report.blocked.map((entry) => entry.reason)).to.deep.equal(tc.blockedReasons);
      expect(volumePlanExitCode(report)).to.equal(tc.exitCode);
      // The report is the planner's plan, not a copy of its logic.
      expect(report.batch).to.deep.equal(plan.batch);
      expect(report.changes).to.deep.equal(plan.changes);
    });
  }
});
