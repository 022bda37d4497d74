import { expect } from 'chai';
import { taskPhase } from '../../../../src/core/volume/task-phase.js';

describe('taskPhase', () => {
  const cases: [string | undefined, ReturnType<typeof taskPhase>][] = [
    ['not started', 'NotStarted'],
    ['reset due to replace-brick', 'NotStarted'],
    ['in progress', 'InProgress'],
    ['fix-layout in progress', 'InProgress'],
    ['completed', 'Completed'],
    ['fix-layout completed', 'Completed'],
    ['stopped', 'Stopped'],
    ['failed', 'Failed'],
    ['something new', 'Unknown'],
    [undefined, 'Unknown'],
  ];
  for (const [text, phase] of cases) {
    it(`reads ${JSON.stringify(text)} as ${phase}`, () => {
      expect(taskPhase(text)).to.equal(phase);
    });
  }
});
