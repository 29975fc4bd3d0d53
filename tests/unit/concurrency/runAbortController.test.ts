import { getMaxListeners } from 'node:events';
import { RUN_SIGNAL_MAX_LISTENERS, runAbortController } from '../../../lib/concurrency/runAbortController';

describe('runAbortController', () => {
  it('lets its signal carry a run\'s requests in flight before Node warns (a plain one warns at the 11th)', () => {
    expect(getMaxListeners(new AbortController().signal)).toBe(10);
    expect(getMaxListeners(runAbortController().signal)).toBe(RUN_SIGNAL_MAX_LISTENERS);
    // KubeClient's 16 sockets, a retry wait each, the upload's parts, EKS and KMS.
    expect(RUN_SIGNAL_MAX_LISTENERS).toBeGreaterThanOrEqual(16 * 2 + 8);
  });

  it('still aborts every listener with the reason', () => {
    const controller = runAbortController();
    const reasons: unknown[] = [];
    for (let i = 0; i < 20; i++) controller.signal.addEventListener('abort', () => reasons.push(controller.signal.reason));
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(reasons).toHaveLength(20);
    expect(new Set(reasons)).toEqual(new Set([reason]));
  });
});
