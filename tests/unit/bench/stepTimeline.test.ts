import { stepTimeline } from '../../../bench/durableRestoreBench';

const step = (name: string, startedAt: number, endedAt: number) => ({ name, type: 'STEP', startedAt, endedAt });

describe('stepTimeline', () => {
  it('splits the wall time into prepare, the slices, the gaps between steps and finish', () => {
    const timeline = stepTimeline([
      step('prepare', 0, 1000),
      step('tier-0/customresourcedefinitions', 1010, 1500),
      // The wait that ends an invocation is not a step: its second counts as time between steps.
      { name: 'continue-after/tier-0/customresourcedefinitions', type: 'WAIT', startedAt: 1500, endedAt: 2500 },
      step('tier-11/configmaps#1', 2600, 4600),
      step('tier-11/configmaps#2', 4620, 5620),
      step('finish', 5700, 6000),
    ]);
    expect(timeline).toEqual({
      prepareMs: 1000, stepsMs: 490 + 2000 + 1000, betweenStepsMs: 10 + 1100 + 20 + 80, finishMs: 300,
      slowest: { step: 'tier-11/configmaps#1', ms: 2000 },
    });
  });

  it('says nothing when the engine gave no timestamps', () => {
    expect(stepTimeline([{ name: 'prepare', type: 'STEP' }, { name: 'finish', type: 'STEP' }])).toBeUndefined();
    expect(stepTimeline([step('prepare', 0, 1)])).toBeUndefined();
  });
});
