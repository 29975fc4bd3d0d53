// `restore --wait`: a durable restore answers RUNNING at once; the CLI then follows it through
// describe-restore (the same path the restore went: here, or the deployed delegate with --function) until it
// is no longer RUNNING, showing its progress, and ends with its outcome. At 3 a.m. nobody should have to poll.
import type { DelegateResponse } from '../delegate';
import type { ProgressReport } from '../actions';

/** Between two describe-restore calls. @default 10 s */
export const FOLLOW_INTERVAL_MS = 10_000;

export interface FollowOptions {
  /** Runs one action's event (locally or on the deployed delegate) and returns its response. */
  invoke: (event: Record<string, unknown>) => Promise<DelegateResponse>;
  /** Where describe-restore looks: the restore's own cluster, region, bucket and prefix flags. */
  location: Record<string, unknown>;
  onProgress?: (progress: ProgressReport) => void;
  /** @default FOLLOW_INTERVAL_MS */
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The restore's final answer: `started` itself when it is not a running durable restore, else the last
 * describe-restore (its outcome, or why it could not be described).
 */
export async function followRestore(started: DelegateResponse, options: FollowOptions): Promise<DelegateResponse> {
  if (started.action !== 'restore' || started.status !== 'RUNNING' || typeof started.restoreId !== 'string') return started;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const event = { action: 'describe-restore', ...options.location, restoreId: started.restoreId };
  for (;;) {
    await sleep(options.intervalMs ?? FOLLOW_INTERVAL_MS);
    const described = await options.invoke(event);
    if (described.action !== 'describe-restore' || described.status === 'FAILED' || !('state' in described) || described.state !== 'RUNNING') return described;
    const objects = 'objects' in described && typeof described.objects === 'object' && described.objects !== null && 'done' in described.objects
      ? described.objects.done : undefined;
    const step = 'next' in described ? described.next?.step : undefined;
    options.onProgress?.({ stage: 'restore', ...(step ? { tier: step } : {}), ...(typeof objects === 'number' ? { objects } : {}) });
  }
}
