// Estimated RTO (DESIGN.md section 11): the objects a restore would write over the slower of two measured
// rates, the dry run's and the last real restore's. The dry run's writes are admitted and validated but not
// stored, so it alone would flatter the estimate; a real restore's rate, when there is one, keeps it honest.
import type { Finding, RtoResult } from './types';
import { formatDuration } from './checkRpo';

export interface RtoInput {
  objectsToRestore: number;
  /** Objects the dry run sent and its duration. */
  dryRun?: { objects: number; durationMs: number };
  lastRestore?: RtoResult['lastRestore'];
  targetSeconds: number;
}

export function estimateRto({ objectsToRestore, dryRun, lastRestore, targetSeconds }: RtoInput): { rto: RtoResult; findings: Finding[] } {
  const dryRate = dryRun && dryRun.durationMs > 0 && dryRun.objects > 0 ? dryRun.objects / (dryRun.durationMs / 1000) : undefined;
  const rates = [dryRate, lastRestore?.writesPerSecond].filter((r): r is number => r !== undefined && r > 0);
  const rate = rates.length ? Math.min(...rates) : undefined;
  // A dry run that found nothing to write (everything exists, as in a warm standby) measured a restore of no time.
  const seconds = dryRun && objectsToRestore === 0 ? 0 : rate !== undefined ? Math.ceil(objectsToRestore / rate) : undefined;
  const met = seconds !== undefined && seconds <= targetSeconds;
  const findings: Finding[] = [];
  if (seconds === undefined) {
    findings.push({ kind: 'rto', code: 'not-measured', detail: 'no write rate was measured (the dry run did not run), so the recovery time cannot be estimated' });
  } else if (!met) {
    findings.push({ kind: 'rto', code: 'target-missed',
      detail: `restoring ${objectsToRestore} objects at ${round(rate!)} objects/s takes about ${formatDuration(seconds)}; the RTO target is ${formatDuration(targetSeconds)}` });
  }
  return {
    rto: {
      ...(seconds !== undefined ? { seconds } : {}), targetSeconds, met,
      ...(rate !== undefined ? { writesPerSecond: round(rate) } : {}),
      objectsToRestore,
      ...(dryRate !== undefined ? { dryRunWritesPerSecond: round(dryRate) } : {}),
      ...(lastRestore ? { lastRestore } : {}),
    },
    findings,
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
