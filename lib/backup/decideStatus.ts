import type { BackupStatus, ResourceOutcome } from './types';

/**
 * The one place a backup's status is decided (as Velero decides Completed/PartiallyFailed/Failed):
 * - FAILED when the run ended early (fatal error) or nothing at all could be read;
 * - PARTIAL when some resource type was forbidden or failed, though everything readable was saved;
 * - COMPLETED otherwise. A discovery warning (e.g. an aggregated API answering 503) does not lower it.
 */
export function decideBackupStatus(outcomes: readonly ResourceOutcome[], fatal: boolean): BackupStatus {
  if (fatal) return 'FAILED';
  const attempted = outcomes.filter((o) => o.status !== 'excluded');
  const unreadable = attempted.filter((o) => o.status === 'forbidden' || o.status === 'failed');
  if (attempted.length > 0 && unreadable.length === attempted.length) return 'FAILED';
  return unreadable.length > 0 ? 'PARTIAL' : 'COMPLETED';
}
