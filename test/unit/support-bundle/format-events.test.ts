import type { CoreV1Event } from '@kubernetes/client-node';
import { expect } from 'chai';
import { formatEvents } from '../../../src/support-bundle/format-events.js';

function anEvent(name: string, fields: Partial<CoreV1Event>): CoreV1Event {
  return {
    metadata: { name },
    involvedObject: { kind: 'GlusterCluster', name: 'pool-a' },
    type: 'Normal',
    reason: 'ProbedPeer',
    message: `message of ${name}`,
    ...fields,
  };
}

describe('formatEvents', () => {
  it('lists events oldest first, whichever field holds their time', () => {
    const text = formatEvents([
      anEvent('late', { lastTimestamp: new Date('2025-01-01T00:00:30Z') }),
      anEvent('series', {
        eventTime: new Date('2025-01-01T00:00:01Z'),
        series: { count: 2, lastObservedTime: new Date('2025-01-01T00:00:20Z') },
      }),
      anEvent('early', { firstTimestamp: new Date('2025-01-01T00:00:10Z') }),
      anEvent('timeless', {}),
    ]);
    expect(text.split('\n').map((line) => line.split(' ')[0])).to.deep.equal([
      'unknown-time',
      '2025-01-01T00:00:10.000Z',
      '2025-01-01T00:00:20.000Z',
      '2025-01-01T00:00:30.000Z',
      '',
    ]);
    expect(text).to.match(/message of timeless\n.*message of early\n.*series\n.*late\n$/);
  });

  it('shows type, reason, object, count and source, and indents a multi-line message', () => {
    const text = formatEvents([
      anEvent('one', {
        type: 'Warning',
        reason: 'ProbeFailed',
        count: 3,
        lastTimestamp: new Date('2025-01-01T00:00:00Z'),
        reportingComponent: '',
        source: { component: 'gluster-operator' },
        message: 'Failed to probe n3\ngluster said: no route\n',
      }),
    ]);
    expect(text).to.equal(
      '2025-01-01T00:00:00.000Z Warning ProbeFailed GlusterCluster/pool-a x3 (from gluster-operator): ' +
        'Failed to probe n3\n    gluster said: no route\n',
    );
  });
});
