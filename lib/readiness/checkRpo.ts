// RPO (DESIGN.md section 11): how old the newest usable recovery point is against RPO_TARGET_MINUTES, and the
// backups of the last week that failed (a folder that never got its manifest) or were PARTIAL.
import type { IncompleteRecoveryPoint, RecoveryPointRow } from '../catalog';
import type { Finding, RecoveryPointAge, RpoResult } from './types';

/** How far back failed and partial backups are reported. */
export const FAILED_BACKUP_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** Usable recovery points shown in the report's chart. */
export const RPO_CHART_POINTS = 30;

export interface RpoInput {
  /** The catalog's rows, newest first (listRecoveryPoints). */
  recoveryPoints: readonly RecoveryPointRow[];
  incomplete: readonly IncompleteRecoveryPoint[];
  targetSeconds: number;
  now: Date;
  /**
   * Count whole-cluster recovery points only: a filtered one is a partial copy (docs/scope.md). False when the
   * event named its recovery point (an id, or `latest-any`) and so accepts any scope. @default true
   */
  wholeClusterOnly?: boolean;
}

export function checkRpo({ recoveryPoints, incomplete, targetSeconds, now, wholeClusterOnly = true }: RpoInput): { rpo: RpoResult; findings: Finding[] } {
  const usable = recoveryPoints.filter((r) => (r.status === 'COMPLETED' || r.status === 'PARTIAL') && (r.scope.wholeCluster || !wholeClusterOnly));
  const since = now.getTime() - FAILED_BACKUP_WINDOW_MS;
  const recent: RecoveryPointAge[] = usable.slice(0, RPO_CHART_POINTS).map((r, i) => {
    const before = usable[i + 1];
    return {
      recoveryPointId: r.recoveryPointId, status: r.status, completedAt: r.completedAt,
      ...(before ? { gapSeconds: Math.max(0, Math.round((Date.parse(r.completedAt) - Date.parse(before.completedAt)) / 1000)) } : {}),
    };
  });
  const failedLast7Days = incomplete
    .filter((f) => f.lastModified === undefined || Date.parse(f.lastModified) >= since)
    .map((f) => ({ recoveryPointId: f.recoveryPointId, ...(f.lastModified ? { at: f.lastModified } : {}), reason: f.reason }));
  const partialLast7Days = usable
    .filter((r) => r.status === 'PARTIAL' && Date.parse(r.completedAt) >= since)
    .map((r) => ({ recoveryPointId: r.recoveryPointId, at: r.completedAt }));

  const newest = usable[0];
  const findings: Finding[] = [];
  let age: number | undefined;
  if (!newest) {
    findings.push({ kind: 'rpo', code: 'no-usable-recovery-point', detail: `there is no usable (COMPLETED or PARTIAL)${wholeClusterOnly ? ' whole-cluster' : ''} recovery point to restore` });
  } else {
    age = Math.max(0, Math.round((now.getTime() - Date.parse(newest.completedAt)) / 1000));
    if (age > targetSeconds) {
      findings.push({ kind: 'rpo', code: 'target-missed', id: newest.recoveryPointId,
        detail: `the newest usable recovery point is ${formatDuration(age)} old; the RPO target is ${formatDuration(targetSeconds)}` });
    }
  }
  if (failedLast7Days.length) {
    findings.push({ kind: 'rpo', code: 'failed-backups', objects: failedLast7Days.map((f) => f.recoveryPointId),
      detail: `${failedLast7Days.length} backup(s) of the last 7 days never completed (no manifest)` });
  }
  if (partialLast7Days.length) {
    findings.push({ kind: 'rpo', code: 'partial-backups', objects: partialLast7Days.map((p) => p.recoveryPointId),
      detail: `${partialLast7Days.length} backup(s) of the last 7 days were PARTIAL (some resources could not be read)` });
  }
  return {
    rpo: {
      ...(age !== undefined ? { recoveryPointAgeSeconds: age } : {}),
      targetSeconds,
      met: age !== undefined && age <= targetSeconds,
      ...(newest ? { newest: { recoveryPointId: newest.recoveryPointId, status: newest.status, completedAt: newest.completedAt } } : {}),
      recent, failedLast7Days, partialLast7Days,
    },
    findings,
  };
}

/** `2h 5m`, `3d 4h`, `45s`: for people reading a finding. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${(Math.round(seconds * 10) / 10).toString()}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
