// What the dry-run restore's per-object report says, as readiness findings (DESIGN.md section 11): refused
// by admission or validation, needs an API the recovery cluster does not serve, needs a CRD; objects named.
import type { RestoreReportRow } from '../restore';
import type { DryRunSummary, Finding } from './types';

/** Objects listed per finding; the detail says how many more there were. */
export const MAX_OBJECTS_PER_FINDING = 50;
const MAX_REASON_CHARS = 400;

export type DryRunCounts = Omit<DryRunSummary, 'restoreId' | 'report' | 'durationMs'>;

export function classifyDryRun(rows: Iterable<RestoreReportRow>): { counts: DryRunCounts; findings: Finding[] } {
  const counts: DryRunCounts = { created: 0, updated: 0, exists: 0, refused: 0, notServed: 0, needsCrd: 0, awaitingCrd: 0, skipped: 0 };
  // Grouped so that one cause is one finding: by resource type (not served, no CRD) or by the refusal's text.
  const groups = new Map<string, Finding & { all: string[] }>();
  const add = (key: string, make: () => Finding, object: string): void => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ...make(), all: [] }));
    g.all.push(object);
  };
  for (const row of rows) {
    const label = objectLabel(row);
    switch (row.outcome) {
      case 'created': counts.created++; break;
      case 'updated': counts.updated++; break;
      case 'exists': counts.exists++; break;
      case 'skipped':
        if (row.skipped === 'needsCrd') counts.awaitingCrd++;
        else counts.skipped++;
        break;
      case 'not-attempted': counts.skipped++; break;
      case 'failed': {
        const reason = (row.reason ?? 'refused').slice(0, MAX_REASON_CHARS);
        if (row.status === 404 && /does not serve/.test(reason)) {
          const crd = isCustomGroup(groupOf(row.resource));
          if (crd) counts.needsCrd++;
          else counts.notServed++;
          add(`${crd ? 'crd' : 'api'}:${row.resource}`, () => crd
            ? { kind: 'needs-crd', code: 'crd-missing', type: row.resource, detail: `no CustomResourceDefinition for ${row.resource} in the recovery cluster or the recovery point` }
            : { kind: 'api-not-served', code: 'not-served', type: row.resource, detail: reason }, label);
        } else {
          counts.refused++;
          add(`refused:${row.resource}:${reason}`, () => ({ kind: 'admission', code: 'refused', type: row.resource,
            detail: `refused by the recovery cluster${row.status ? ` (HTTP ${row.status})` : ''}: ${reason}` }), label);
        }
        break;
      }
    }
  }
  const findings = [...groups.values()].map(({ all, ...f }) => ({
    ...f,
    objects: all.slice(0, MAX_OBJECTS_PER_FINDING),
    detail: all.length > MAX_OBJECTS_PER_FINDING ? `${f.detail} (${all.length} objects; the first ${MAX_OBJECTS_PER_FINDING} listed)` : f.detail,
  }));
  return { counts, findings };
}

/** `<resource>/<namespace>/<name>`, or `<resource>/<name>` for cluster-scoped objects, as in the recovery point. */
export function objectLabel(row: Pick<RestoreReportRow, 'resource' | 'namespace' | 'name'>): string {
  return row.namespace !== undefined ? `${row.resource}/${row.namespace}/${row.name}` : `${row.resource}/${row.name}`;
}

function groupOf(resourceName: string): string {
  const dot = resourceName.indexOf('.');
  return dot < 0 ? '' : resourceName.slice(dot + 1);
}

/** Kubernetes' own groups are the core group, single words (apps, batch, policy) and `*.k8s.io`; the rest come from CRDs or aggregated APIs. */
function isCustomGroup(group: string): boolean {
  return group !== '' && group.includes('.') && !group.endsWith('.k8s.io');
}
