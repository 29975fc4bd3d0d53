import { getMaxListeners } from 'node:events';
import { RUN_SIGNAL_MAX_LISTENERS, runAbortController } from '../../../lib/concurrency/runAbortController';

describe('runAbortController', () => {
  it('lets its signal carry a run\'s requests in flight before Node warns', () => {
    // A plain signal warns at the 11th listener on Node 20 (limit 10); Node 22 sets no limit on signals (0).
    expect([0, 10]).toContain(getMaxListeners(new AbortController().signal));
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
