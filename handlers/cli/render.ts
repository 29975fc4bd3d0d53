// What the catalog subcommands print for people. Each takes the action's response (the same JSON --json
// prints and the Lambda returns) and lays it out; nothing here calls AWS. Secret values never reach a
// response, so they cannot reach these pages either.
import type { DiffObjectRef, RecoveryPointScope } from '../../lib/catalog';
import type { RewriteCounts } from '../../lib/translation';
import type {
  DescribeRecoveryPointResponse, DiffRecoveryPointsResponse, ListRecoveryPointsResponse, RestoreResponse, ResumeGitopsResponse, VerifyRecoveryPointResponse,
} from '../actions';
import { count, humanBytes, humanDuration, humanTime, shortTime, statusText, table, type Colors } from './format';

/** What a failure's page reads: every response has these fields or leaves them out. */
export interface FailureView {
  status: string;
  reason?: string;
  error?: string;
  /** Strings in a FAILED response; readiness's own (not FAILED) problems are objects, which this never prints. */
  problems?: readonly unknown[];
}

/** A FAILED response, for any command: the error and every problem. */
export function renderFailure(r: FailureView, c: Colors): string {
  const problems = Array.isArray(r.problems) ? r.problems.map((p) => `  - ${String(p)}`) : [];
  return [`${statusText('FAILED', c)}: ${String(r.error ?? r.reason ?? 'unknown error')}`, ...(problems.length > 1 ? problems : [])].join('\n');
}

export function renderList(r: ListRecoveryPointsResponse, c: Colors): string {
  if (r.recoveryPoints.length === 0 && r.incomplete.length === 0) return `No recovery points for cluster ${String(r.clusterName)} under ${r.location ?? ''}`;
  const rows = [
    ...r.recoveryPoints.map((p) => ({
      id: p.recoveryPointId,
      cells: [p.recoveryPointId, statusText(p.status, c), shortTime(p.startedAt), humanDuration(p.durationMs), count(p.objects), humanBytes(p.bytes), scopeWord(p.scope)],
    })),
    ...r.incomplete.map((p) => ({
      id: p.recoveryPointId,
      cells: [p.recoveryPointId, statusText('INCOMPLETE', c), shortTime(p.lastModified), '-', '-', humanBytes(p.bytes), '-'],
    })),
  ].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  // SCOPE took the place of the AWS dependency count (still in --json and describe): which recovery points
  // `latest` can pick matters more in an incident, and 80 columns hold one of the two.
  const filtered = r.recoveryPoints.filter((p) => p.scope && !p.scope.wholeCluster).length;
  const lines = [
    table(['ID', 'STATUS', 'STARTED', 'TOOK', 'OBJECTS', 'SIZE', 'SCOPE'], rows.map((x) => x.cells), ['left', 'left', 'left', 'right', 'right', 'right', 'left']),
    '',
    `${r.recoveryPoints.length} recovery point(s)${r.incomplete.length ? `, ${r.incomplete.length} incomplete (never usable)` : ''}, ${r.total} folder(s). Times UTC.`,
  ];
  if (filtered > 0) lines.push(`${filtered} filtered: never "latest" (use latest-any or the id); see describe.`);
  if (r.nextToken) lines.push(`More: eks-delegate list --next-token ${r.nextToken}`);
  return lines.join('\n');
}

export function renderDescribe(d: DescribeRecoveryPointResponse, c: Colors): string {
  const statuses = Object.entries(d.resourceStatuses).map(([s, n]) => `${n} ${statusText(s, c)}`).join(', ');
  const deps = Object.entries(d.dependencyCounts).sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `${t} ${n}`).join(', ');
  const field = (label: string, value: string) => `${label.padEnd(16)}${value}`;
  const lines = [
    field('Recovery point', d.recoveryPointId),
    field('Status', statusText(d.status, c)),
    field('Cluster', `${d.cluster.name} (${d.cluster.region}, account ${d.cluster.account})`),
    field('Kubernetes', `${d.cluster.kubernetesVersion}, ${d.cluster.platformVersion}, auth ${d.cluster.authenticationMode}`),
    field('Location', d.location),
    field('Started', `${humanTime(d.startedAt)}, took ${humanDuration(d.backupDurationMs)}`),
    ...scopeLines(d.scope).map((line, i) => field(i === 0 ? 'Scope' : '', line)),
    field('Archive', `${humanBytes(d.archive.bytes)}, ${count(d.archive.objects)} objects`),
    field('SHA-256', d.archive.sha256),
    ...(d.secretsEncryption ? [field('Secrets', `values sealed with KMS key ${d.secretsEncryption.kmsKeyId}`)] : []),
    field('Resource types', statuses || 'none'),
    ...wrap(deps || 'none', 80 - 16).map((part, i) => field(i === 0 ? 'AWS deps' : '', part)),
  ];
  for (const u of d.unreadable) lines.push(field('Unreadable', `${u.resource}: ${statusText(u.status, c)}${u.error ? ` (${u.error})` : ''}`));
  for (const w of d.warnings) lines.push(field('Warning', w));
  // Types read with nothing in them say little: counted in one line instead of a row each.
  const shown = d.resources.filter((t) => t.count > 0 || t.status !== 'ok');
  lines.push('', table(['RESOURCE', 'COUNT', 'STATUS'], shown.map((t) => [t.name, count(t.count), statusText(t.status, c)]), ['left', 'right', 'left']));
  if (shown.length < d.resources.length) lines.push(`(${d.resources.length - shown.length} more resource types were read and are empty)`);
  if (d.dependencies) {
    lines.push('', d.dependencies.length ? table(['AWS DEPENDENCY', 'ID'], d.dependencies.map((x) => [x.type, x.id])) : 'No AWS dependencies.');
  }
  return lines.join('\n');
}

export function renderVerify(v: VerifyRecoveryPointResponse, c: Colors): string {
  const lines = [`${v.recoveryPointId}: ${statusText(v.status, c)}`];
  lines.push(`  ${count(v.objects)} objects checked, ${humanBytes(v.bytes)} read (the manifest says ${count(v.expected.objects)} objects, ${humanBytes(v.expected.bytes)})`);
  if (v.status === 'VALID') lines.push(`  SHA-256 ${v.expected.sha256} matches the manifest`);
  for (const p of v.problems) lines.push(`  - ${p}`);
  if (v.problemCount > v.problems.length) lines.push(`  ... and ${v.problemCount - v.problems.length} more problem(s)`);
  return lines.join('\n');
}

export function renderDiff(d: DiffRecoveryPointsResponse, c: Colors): string {
  const { added, removed, changed } = d.counts;
  const lines = [
    `${d.from} (${count(d.objects.from)} objects) -> ${d.to} (${count(d.objects.to)})`,
    `${added} added, ${removed} removed, ${changed} changed`,
  ];
  if (added + removed + changed === 0) return [...lines, 'No configuration changes (server-set fields such as resourceVersion,', 'managedFields and status are ignored).'].join('\n');
  lines.push('', table(
    ['RESOURCE', 'ADDED', 'REMOVED', 'CHANGED'],
    Object.entries(d.byResource).sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => [name, String(n.added), String(n.removed), String(n.changed)]),
    ['left', 'right', 'right', 'right'],
  ), '');
  const byResource = new Map<string, string[]>();
  const add = (ref: DiffObjectRef, line: string) => byResource.set(ref.resource, [...(byResource.get(ref.resource) ?? []), line]);
  const name = (ref: DiffObjectRef) => (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);
  for (const ref of d.added) add(ref, `  ${c.green('+')} ${name(ref)}`);
  for (const ref of d.removed) add(ref, `  ${c.red('-')} ${name(ref)}`);
  for (const ref of d.changed) add(ref, `  ${c.yellow('~')} ${name(ref)}  ${ref.paths.join(', ')}`);
  for (const [resource, entries] of [...byResource].sort(([a], [b]) => a.localeCompare(b))) lines.push(resource, ...entries);
  if (d.truncated) lines.push('', 'Only the first rows of each list are shown; the counts above are complete (see --json).');
  return lines.join('\n');
}

/** `whole` or `filtered`, for the list's SCOPE column; `-` when the response has none (an older delegate). */
function scopeWord(scope: RecoveryPointScope | undefined): string {
  if (!scope) return '-';
  return scope.wholeCluster ? 'whole' : 'filtered';
}

const FILTER_LABELS: Record<keyof RecoveryPointScope['filters'], string> = {
  includeNamespaces: 'namespaces', excludeNamespaces: 'not namespaces', includeResources: 'resources', excludeResources: 'not resources',
};

/** The describe page's Scope lines: what the recovery point covers, whether it can be `latest`, and its filters. */
function scopeLines(scope: RecoveryPointScope | undefined): string[] {
  if (!scope) return [];
  const head = scope.wholeCluster ? 'whole cluster' : 'filtered: never "latest" (use latest-any or its id)';
  const lines = [scope.recorded ? head : `${head}; inferred, the manifest predates recorded filters`];
  for (const [list, label] of Object.entries(FILTER_LABELS) as Array<[keyof RecoveryPointScope['filters'], string]>) {
    const names = scope.filters[list];
    if (names?.length) lines.push(...wrap(`${label}: ${names.join(', ')}`, 80 - 16));
  }
  return lines;
}

/** Splits a comma-separated line into lines of at most `width` characters, at the commas. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const part of text.split(', ')) {
    const next = line ? `${line}, ${part}` : part;
    if (next.length > width && line) {
      out.push(`${line},`);
      line = part;
    } else {
      line = next;
    }
  }
  return [...out, line];
}

/**
 * A restore's response as this page reads it: this delegate's, or an older one's, which had no region, zone
 * or cluster-name counts and no webhook check.
 */
export type RestorePageResponse = Omit<RestoreResponse, 'translations' | 'webhooksWithoutEndpoints' | 'mode'> & {
  translations: Pick<RewriteCounts, 'arns' | 'images' | 'identifiers'> & Partial<RewriteCounts>;
  webhooksWithoutEndpoints?: RestoreResponse['webhooksWithoutEndpoints'];
  /** Older delegates did not say which mode ran (they had only one). */
  mode?: RestoreResponse['mode'];
};

/** The region, zone and cluster-name rewrites, when there were any (older responses have no such counts). */
function namesTranslated(t: RestorePageResponse['translations']): string {
  const parts = [[t.regions, 'region(s)'], [t.zones, 'zone(s)'], [t.clusterNames, 'cluster name(s)']] as const;
  return parts.filter(([n]) => n).map(([n, what]) => `, ${n} ${what}`).join('');
}

/** A restore (or its dry run) for people: what happened, in counts, then what needs a look. */
export function renderRestore(r: RestorePageResponse, c: Colors): string {
  const would = r.dryRun ? 'would be ' : '';
  const lines = [
    `${r.dryRun ? 'DRY RUN ' : ''}${statusText(r.status, c)}: ${r.source.clusterName}/${r.source.recoveryPointId} into ${r.clusterName}${r.reason ? ` (stopped: ${r.reason})` : ''}`,
    table(['OUTCOME', 'OBJECTS'], [
      [`${would}created`, count(r.created)],
      [`${would}updated`, count(r.updated)],
      ['exist already', count(r.skipped.exists)],
      ['never restored', count(r.skipped.notRestorable)],
      ['owned (recreated)', count(r.skipped.owned)],
      ['excluded', count(r.skipped.excluded)],
      ...(r.skipped.needsCrd ? [['wait for their CRD', count(r.skipped.needsCrd)]] : []),
      ...(r.notAttempted ? [['not reached', count(r.notAttempted)]] : []),
      ['failed', count(r.failed)],
    ], ['left', 'right']),
    `Translated: ${r.translations.arns} ARN(s), ${r.translations.images} image(s), ${r.translations.identifiers} identifier(s)${namesTranslated(r.translations)}.`,
  ];
  if (r.untranslatedReferences.length) {
    lines.push('Still pointing at the source (its account, region, zones, cluster name, or ids not in identifierMap):');
    for (const u of r.untranslatedReferences) lines.push(`  ${u.type} ${u.id}  (${u.objects.slice(0, 3).join(', ')}${u.objects.length > 3 ? ', ...' : ''})`);
  }
  if (r.gitops) {
    lines.push(`GitOps ${would}paused: ${r.gitops.paused} applier(s)${r.gitops.paused ? ' (eks-delegate resume-gitops releases them)' : ''}`);
    for (const g of r.gitops.objects) lines.push(`  ${g.resource} ${g.namespace ? `${g.namespace}/` : ''}${g.name}  held: ${g.held.join(', ')}`);
  }
  const webhooks = r.webhooksWithoutEndpoints ?? [];
  if (webhooks.length) {
    lines.push('Admission webhooks without a ready endpoint in the recovery cluster:');
    for (const w of webhooks) {
      const effect = w.problem === 'url-not-checked' ? `called at ${w.url ?? 'a URL'}: cannot be checked`
        : `${w.service ?? ''} ${w.problem}; ${w.refuses ? `refuses ${w.refuses}` : `skipped for ${w.skippedFor ?? ''}`}`;
      lines.push(`  ${w.kind} ${w.configuration}/${w.webhook} (failurePolicy ${w.failurePolicy}): ${effect}`);
    }
  }
  if (r.failures.length) {
    lines.push(`Failed${r.failed > r.failures.length ? ` (first ${r.failures.length} of ${r.failed})` : ''}:`);
    for (const f of r.failures) lines.push(`  ${f.resource} ${f.namespace ? `${f.namespace}/` : ''}${f.name}${f.status ? ` ${f.status}` : ''}: ${f.error}`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  if (r.report) lines.push(`Report: ${r.report}`);
  return lines.join('\n');
}

/** resume-gitops for people: what was released (or would be), and what could not be. */
export function renderResumeGitops(r: ResumeGitopsResponse, c: Colors): string {
  const lines = [`${r.dryRun ? 'DRY RUN ' : ''}${statusText(r.status, c)}: ${r.resumed} GitOps applier(s) ${r.dryRun ? 'would be ' : ''}resumed in ${r.clusterName}`];
  for (const o of r.objects) lines.push(`  ${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}  put back: ${o.restored.join(', ') || '(nothing)'}`);
  if (r.failures.length) lines.push(`Failed (${r.failed}):`, ...r.failures.map((f) => `  ${f.resource} ${f.namespace ? `${f.namespace}/` : ''}${f.name}: ${f.error}`));
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  return lines.join('\n');
}

/** Rows of a list shown in a table; `-o json` has them all. */
const MAX_SUMMARY_ROWS = 20;

/**
 * Any response for people: its status, then each field. Backup, check-access, preflight and invoke use it,
 * and so does an action that has no renderer of its own yet, so a new command prints readably at once.
 */
export function renderSummary<R extends { action: string; status: string }>(response: R, c: Colors): string {
  const { action, status, ...rest } = response;
  const lines = [`${statusText(status, c)}: ${action}`];
  const field = (label: string, value: string) => `${label.padEnd(18)}${value}`;
  // Any response's fields, read as values: this page knows none of them by type.
  const fields: Array<[string, unknown]> = Object.entries(rest);
  for (const [key, value] of fields) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (value.every((v) => !isObject(v))) {
        value.forEach((v, i) => lines.push(field(i === 0 ? labelOf(key) : '', scalarText(key, v))));
        continue;
      }
      const rows = value.filter(isObject);
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => !isObject(r[k]))))];
      lines.push(`${labelOf(key)}:`, table(columns.map((k) => labelOf(k).toUpperCase()), rows.slice(0, MAX_SUMMARY_ROWS).map((r) => columns.map((k) => scalarText(k, r[k])))));
      if (rows.length > MAX_SUMMARY_ROWS) lines.push(`(${rows.length - MAX_SUMMARY_ROWS} more: -o json lists them all)`);
      continue;
    }
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) lines.push(field(`${labelOf(key)}: ${k}`, scalarText(k, v)));
      continue;
    }
    lines.push(field(labelOf(key), scalarText(key, value)));
  }
  return lines.join('\n');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `recoveryPointId` -> `Recovery point id`. */
function labelOf(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A value as people read it: durations, sizes and counts by their key; anything nested as compact JSON. */
function scalarText(key: string, v: unknown): string {
  if (v === undefined || v === null) return '-';
  if (typeof v === 'number') {
    if (/Ms$/.test(key)) return humanDuration(v);
    if (/bytes$/i.test(key)) return humanBytes(v);
    return count(v);
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
