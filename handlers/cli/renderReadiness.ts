// What `eks-delegate readiness` and `eks-delegate drift` print for people; --json prints the response itself.
import type { DiffObjectRef } from '../../lib/catalog';
import { formatDuration } from '../../lib/readiness';
import type { DriftResponse, ReadinessResponse } from '../actions';
import { count, statusText, table, type Colors } from './format';

export function renderReadiness(r: ReadinessResponse, c: Colors): string {
  const age = r.rpo.recoveryPointAgeSeconds;
  const lines = [
    `${statusText(r.status, c)}  ${r.source.clusterName} -> ${String(r.clusterName)}${r.source.recoveryPointId ? ` (recovery point ${r.source.recoveryPointId})` : ''}`,
    `RPO: ${age !== undefined ? formatDuration(age) : 'no usable recovery point'} (target ${formatDuration(r.rpo.targetSeconds)}, ${r.rpo.met ? 'met' : c.red('missed')})`,
    `RTO: ${r.estimatedRto.seconds !== undefined ? `about ${formatDuration(r.estimatedRto.seconds)}` : 'unknown'} for ${count(r.estimatedRto.objectsToRestore)} objects (target ${formatDuration(r.estimatedRto.targetSeconds)}, ${r.estimatedRto.met ? 'met' : c.red('missed')})`,
    `AWS dependencies: ${r.dependencies.present} present, ${r.dependencies.missing} missing, ${r.dependencies.notCheckable} not checkable`,
  ];
  if (r.problems.length) {
    lines.push('', table(['SEVERITY', 'KIND', 'WHAT', 'OBJECTS'], r.problems.map((p) => [
      statusText(p.severity, c), p.kind, wrapWords(`${p.id ? `${p.id}: ` : ''}${p.detail}`, WHAT_WIDTH),
      (p.objects ?? []).slice(0, 5).join('\n') + ((p.objects?.length ?? 0) > 5 ? `\n(+${(p.objects?.length ?? 0) - 5} more)` : ''),
    ])));
  }
  if (r.report) lines.push('', `Report: ${r.report}`, `Page:   ${r.html ?? ''}`);
  return lines.join('\n');
}

/** Characters per line of a problem's description: the table stays readable in a terminal. */
const WHAT_WIDTH = 90;

/** Breaks text into lines of at most `width` characters at spaces (a longer word keeps its own line). */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

export function renderDrift(d: DriftResponse, c: Colors): string {
  const { added, removed, changed } = d.counts;
  const name = (ref: DiffObjectRef): string => `${ref.resource} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const lines = [
    `Live cluster ${String(d.clusterName)} (${count(d.objects.live)} objects) against recovery point ${d.recoveryPointId} of ${d.recoveryPointCompletedAt} (${count(d.objects.recoveryPoint)})`,
    `${added} created, ${removed} deleted, ${changed} changed since: what a disaster now would lose`,
  ];
  for (const ref of d.added) lines.push(`  ${c.green('+')} ${name(ref)}`);
  for (const ref of d.removed) lines.push(`  ${c.red('-')} ${name(ref)}`);
  for (const ref of d.changed) lines.push(`  ${c.yellow('~')} ${name(ref)}  ${ref.paths.join(', ')}`);
  if (d.notCompared.length) lines.push('', `Not compared: ${d.notCompared.map((n) => `${n.resource} (${n.reason})`).join('; ')}`);
  if (d.truncated) lines.push('', 'Only the first rows of each list are shown; the counts are complete (see --json).');
  return lines.join('\n');
}
