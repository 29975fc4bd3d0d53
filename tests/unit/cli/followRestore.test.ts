import type { DelegateResponse } from '../../../handlers/delegate';
import { followRestore } from '../../../handlers/cli/followRestore';

// A durable restore answers RUNNING at once; the CLI follows it through describe-restore to its end.
const started = {
  action: 'restore', status: 'RUNNING', mode: 'durable', dryRun: false, clusterName: 'prod-dr', restoreId: 'r1',
  source: { location: 's3://b/eks/prod/x/', recoveryPointId: 'x', clusterName: 'prod' }, report: 's3://b/r.json', statusObject: 's3://b/s.json', durationMs: 5,
} as const satisfies DelegateResponse;

function progress(state: string, done: number): DelegateResponse {
  return {
    action: 'describe-restore', status: 'OK', restoreId: 'r1', mode: 'durable', state, clusterName: 'prod-dr', startedAt: 't', updatedAt: 't',
    steps: { done: 1, total: 3 }, objects: { done, total: 30 }, next: { step: `tier-11/configmaps#${done}`, tier: 11, resource: 'configmaps', objects: 10 },
    warnings: [], durationMs: 1,
  } as unknown as DelegateResponse;
}

describe('followRestore', () => {
  it('asks describe-restore for the restore it started, where the restore ran, until it is no longer RUNNING, and answers with that', async () => {
    const answers = [progress('RUNNING', 10), progress('RUNNING', 20), progress('COMPLETED', 30)];
    const asked: Array<Record<string, unknown>> = [];
    const seen: unknown[] = [];
    const final = await followRestore(started, {
      invoke: async (event) => {
        asked.push(event);
        return answers.shift()!;
      },
      location: { clusterName: 'prod-dr', region: 'us-west-2' },
      onProgress: (p) => seen.push(p),
      sleep: async () => undefined,
    });
    expect(asked).toEqual([1, 2, 3].map(() => ({ action: 'describe-restore', clusterName: 'prod-dr', region: 'us-west-2', restoreId: 'r1' })));
    expect(final).toMatchObject({ action: 'describe-restore', state: 'COMPLETED' });
    expect(seen).toEqual([{ stage: 'restore', tier: 'tier-11/configmaps#10', objects: 10 }, { stage: 'restore', tier: 'tier-11/configmaps#20', objects: 20 }]);
  });

  it('stops at a describe-restore that failed (the failure is the answer), and leaves any other answer as it is', async () => {
    const failed = { action: 'describe-restore', status: 'FAILED', reason: 'error', clusterName: 'prod-dr', error: 'S3 down', durationMs: 1 } as unknown as DelegateResponse;
    expect(await followRestore(started, { invoke: async () => failed, location: {}, sleep: async () => undefined })).toBe(failed);
    const sync = { ...started, status: 'COMPLETED' } as unknown as DelegateResponse;
    const invoke = jest.fn();
    expect(await followRestore(sync, { invoke, location: {} })).toBe(sync);
    expect(invoke).not.toHaveBeenCalled();
  });
});
