import type { RestoreStatus, SkipCategory } from './types';

/** What the status is decided from: one run's counts, or a durable restore's steps added up. */
export interface StatusCounts {
  created: number;
  updated: number;
  skipped: Record<SkipCategory, number>;
  failed: number;
  notAttempted: number;
}

/**
 * The one place a restore's status is decided (as backup's decideBackupStatus, and Velero's
 * Completed/PartiallyFailed/Failed), for a sync restore and a durable one alike:
 * - COMPLETED when no object failed, none was left unattempted and the run did not stop early;
 * - else PARTIAL when something of the recovery point is in the recovery cluster (written, or found there);
 * - else FAILED.
 */
export function decideRestoreStatus(counts: StatusCounts, stopped: boolean): RestoreStatus {
  if (counts.failed === 0 && counts.notAttempted === 0 && !stopped) return 'COMPLETED';
  return counts.created + counts.updated > 0 || counts.skipped.exists > 0 ? 'PARTIAL' : 'FAILED';
}
