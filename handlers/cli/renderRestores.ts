// `restore list` and `restore describe` for people: the restores made from a cluster's recovery points (or
// into a cluster), read from their reports in S3, as Velero's `restore get` and `restore describe --details`.
import type { DescribeRestoreResponse, ListRestoresResponse } from '../actions';
import { count, humanDuration, humanTime, shortTime, statusText, table, type Colors } from './format';

export function renderRestoreList(r: ListRestoresResponse, c: Colors): string {
  if (r.restores.length === 0) return `No restores from or into cluster ${r.sourceCluster}${r.sourceCluster === r.clusterName ? '' : ` or ${r.clusterName}`}.`;
  const lines = [
    table(
      ['RESTORE', 'STATUS', 'STARTED', 'TOOK', 'FROM', 'INTO', 'CREATED', 'FAILED'],
      r.restores.map((x) => [
        x.restoreId, `${statusText(x.status, c)}${x.dryRun ? ' (dry run)' : ''}`, shortTime(x.startedAt), humanDuration(x.durationMs),
        `${x.sourceCluster}/${x.recoveryPointId}`, x.targetCluster ?? '-', count(x.created + x.updated), count(x.failed + x.notAttempted),
      ]),
      ['left', 'left', 'left', 'right', 'left', 'left', 'right', 'right'],
    ),
    '',
    `${r.restores.length} of ${r.total} restore(s), newest first. Times UTC. Details: eks-delegate restore describe <RESTORE>`,
  ];
  return lines.join('\n');
}

export function renderRestoreDescribe(d: DescribeRestoreResponse, c: Colors): string {
  const field = (label: string, value: string) => `${label.padEnd(16)}${value}`;
  const lines = [
    field('Restore', d.restoreId),
    field('Status', `${statusText(d.restoreStatus, c)}${d.dryRun ? ' (dry run: nothing was stored)' : ''}${d.stoppedReason ? `, stopped: ${d.stoppedReason}` : ''}`),
    field('From', `${d.sourceCluster}/${d.recoveryPointId}`),
    field('Into', d.targetCluster ?? '-'),
    field('Started', `${humanTime(d.startedAt)}, took ${humanDuration(d.restoreDurationMs)}`),
    field('Report', d.report),
    ...(d.error ? [field('Error', d.error)] : []),
    '',
    table(['OUTCOME', 'OBJECTS'], Object.entries(d.outcomes).map(([o, n]) => [o, count(n)]), ['left', 'right']),
  ];
  if (d.skippedReasons.length) {
    lines.push('', table(['LEFT AS IT WAS', 'OBJECTS', 'WHY'], d.skippedReasons.map((s) => [s.outcome, count(s.objects), s.reason]), ['left', 'right', 'left']));
  }
  for (const w of d.warnings) lines.push(`Warning: ${w}`);
  for (const u of d.untranslatedReferences ?? []) lines.push(`Still pointing at the source: ${u.type} ${u.id} (${u.objects.length} object(s))`);
  const byOutcome = new Map<string, DescribeRestoreResponse['objects']>();
  for (const o of d.objects) byOutcome.set(o.outcome, [...(byOutcome.get(o.outcome) ?? []), o]);
  for (const [outcome, rows] of byOutcome) {
    lines.push('', `${outcome[0]?.toUpperCase() ?? ''}${outcome.slice(1)}:`);
    for (const o of rows) {
      const where = `${o.namespace ? `${o.namespace}/` : ''}${o.name}${o.targetNamespace ? ` (as ${o.targetNamespace}/${o.name})` : ''}`;
      lines.push(`  ${o.resource} ${where}${o.status ? ` ${o.status}` : ''}${o.reason ? `: ${o.reason}` : ''}`);
    }
  }
  if (d.truncated) lines.push('', 'Only the first objects are listed; the report in S3 has every one.');
  return lines.join('\n');
}
