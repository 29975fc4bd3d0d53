import { stepTimeline, typeComparison } from '../../../bench/durableRestoreBench';

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
      byType: [{ type: 'customresourcedefinitions', ms: 490, steps: 1 }, { type: 'configmaps', ms: 3000, steps: 2 }],
    });
  });

  it('sets each type\'s steps beside the baseline\'s time on the type, for the types the baseline wrote', () => {
    const timeline = stepTimeline([
      step('prepare', 0, 100),
      step('tier-1/namespaces', 100, 300),
      step('tier-14/deployments.apps#1', 300, 1300),
      step('tier-14/deployments.apps#2', 1300, 2500),
      step('tier-14/widgets.bench.example.com', 2500, 3000),
      step('finish', 3000, 3100),
    ])!;
    expect(typeComparison(timeline, [
      { type: 'namespaces', objects: 10, ms: 250 },
      { type: 'deployments.apps', objects: 4000, ms: 1999.6 },
      // Not restored by a step of its own (or not timed): left out, as is a type the baseline did not time.
      { type: 'services', objects: 5, ms: 40 },
      { type: 'widgets.bench.example.com', objects: 1, ms: 0 },
    ])).toEqual([
      { type: 'namespaces', objects: 10, durableMs: 200, baselineMs: 250, ratio: 0.8 },
      { type: 'deployments.apps', objects: 4000, durableMs: 2200, baselineMs: 2000, ratio: 1.1 },
    ]);
  });

  it('says nothing when the engine gave no timestamps', () => {
    expect(stepTimeline([{ name: 'prepare', type: 'STEP' }, { name: 'finish', type: 'STEP' }])).toBeUndefined();
    expect(stepTimeline([step('prepare', 0, 1)])).toBeUndefined();
  });
});
