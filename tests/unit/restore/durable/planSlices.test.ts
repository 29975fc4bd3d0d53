import { addCounts, decideRestoreStatus, planSlices, progressOf, sliceResource } from '../../../../lib/restore/durable';
import { emptyCounts } from '../../../../lib/restore/durable/summary';

describe('planSlices: the steps of a durable restore', () => {
  it('one step per type in restore order, named after its tier and type; empty types have none', () => {
    const slices = planSlices([
      { name: 'deployments.apps', count: 3 }, { name: 'configmaps', count: 2 }, { name: 'namespaces', count: 1 },
      { name: 'validatingwebhookconfigurations.admissionregistration.k8s.io', count: 1 }, { name: 'secrets', count: 0 },
    ], 10);
    expect(slices.map((s) => s.name)).toEqual([
      'tier-1/namespaces', 'tier-11/configmaps', 'tier-14/deployments.apps', 'tier-20/validatingwebhookconfigurations.admissionregistration.k8s.io',
    ]);
    expect(slices.every((s) => s.objects === undefined)).toBe(true);
  });

  it('cuts a large type into chunks of archive order that cover it exactly once', () => {
    const slices = planSlices([{ name: 'configmaps', count: 25 }], 10);
    expect(slices.map((s) => [s.name, s.objects, s.count])).toEqual([
      ['tier-11/configmaps#1', { from: 0, to: 10 }, 10], ['tier-11/configmaps#2', { from: 10, to: 20 }, 10], ['tier-11/configmaps#3', { from: 20, to: 25 }, 5],
    ]);
  });

  it('never cuts the CRDs: their one step waits for all of them before any custom resource', () => {
    const slices = planSlices([{ name: 'customresourcedefinitions.apiextensions.k8s.io', count: 50 }, { name: 'widgets.example.com', count: 3 }], 10);
    expect(slices.map((s) => s.name)).toEqual(['tier-0/customresourcedefinitions.apiextensions.k8s.io', 'tier-14/widgets.example.com']);
  });

  it('names each step so that its type can be read back from the name (the bench groups steps by type)', () => {
    const slices = planSlices([{ name: 'configmaps', count: 5 }, { name: 'widgets.bench.example.com', count: 2 }], 2);
    expect(slices.map((s) => sliceResource(s.name))).toEqual(slices.map((s) => s.resource));
    expect(slices.map((s) => s.name)).toContain('tier-11/configmaps#3');
    expect(sliceResource('prepare')).toBeUndefined();
    expect(sliceResource('continue-after/tier-11/configmaps#1')).toBeUndefined();
  });
});

describe('the restore status, decided once from the steps', () => {
  const step = (over: Partial<ReturnType<typeof emptyCounts>>) => ({ ...emptyCounts(), ...over });

  it('adds the steps up; COMPLETED without failures, PARTIAL with some, FAILED when nothing was restored', () => {
    const total = addCounts([step({ objects: 3, created: 3 }), step({ objects: 2, created: 1, failed: 1 })]);
    expect(total).toMatchObject({ objects: 5, created: 4, failed: 1 });
    expect(decideRestoreStatus(addCounts([step({ objects: 3, created: 3 })]), false)).toBe('COMPLETED');
    expect(decideRestoreStatus(total, false)).toBe('PARTIAL');
    expect(decideRestoreStatus(addCounts([step({ objects: 2, failed: 2 })]), false)).toBe('FAILED');
    expect(decideRestoreStatus(addCounts([step({ objects: 2, created: 2 })]), true)).toBe('PARTIAL');
  });

  it('reports progress as done of total, a rate and an ETA since prepare finished', () => {
    const plan = { objects: 100, startedAt: '2026-12-07T03:00:00.000Z', slices: planSlices([{ name: 'configmaps', count: 100 }], 25) };
    expect(progressOf(plan, step({ objects: 50 }), 2, new Date('2026-12-07T03:00:10.000Z'))).toEqual({
      steps: { done: 2, total: 4 }, objects: { done: 50, total: 100 }, objectsPerSecond: 5, etaSeconds: 10,
      current: { step: 'tier-11/configmaps#2', tier: 11, resource: 'configmaps' },
      next: { step: 'tier-11/configmaps#3', tier: 11, resource: 'configmaps', objects: 25 },
    });
  });
});
