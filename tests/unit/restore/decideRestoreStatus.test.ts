import { decideRestoreStatus, type StatusCounts } from '../../../lib/restore';
import { decideRestoreStatus as durableDecide } from '../../../lib/restore/durable';

const counts = (over: Partial<StatusCounts>): StatusCounts => ({
  created: 0, updated: 0, failed: 0, notAttempted: 0, skipped: { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 }, ...over,
});

describe('decideRestoreStatus', () => {
  it.each<[string, Partial<StatusCounts>, boolean, string]>([
    ['everything written', { created: 5 }, false, 'COMPLETED'],
    ['nothing to write (all skipped by rule)', { skipped: { exists: 0, notRestorable: 3, owned: 0, excluded: 0, needsCrd: 0 } }, false, 'COMPLETED'],
    ['a failure beside writes', { created: 5, failed: 1 }, false, 'PARTIAL'],
    ['stopped after some writes', { updated: 1 }, true, 'PARTIAL'],
    ['objects found there, others not reached', { skipped: { exists: 2, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 }, notAttempted: 3 }, false, 'PARTIAL'],
    ['every write failed', { failed: 4 }, false, 'FAILED'],
    ['stopped before any write', { notAttempted: 4 }, true, 'FAILED'],
  ])('%s -> %s', (_name, over, stopped, status) => {
    expect(decideRestoreStatus(counts(over), stopped)).toBe(status);
  });

  it('is the durable restore\'s too', () => {
    expect(durableDecide).toBe(decideRestoreStatus);
  });
});
