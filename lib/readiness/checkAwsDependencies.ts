// Every planned lookup made, a few at a time; each answer becomes a row of the report and, when the
// resource is missing or could not be checked, a finding naming the objects that need it.
import { mapWithConcurrency } from '../concurrency/mapWithConcurrency';
import type { LookupResult, LookupTarget } from '../aws/lookup';
import type { PlannedLookup } from './planLookups';
import type { CheckedDependency, Finding } from './types';

/** Lookups in flight: AWS read APIs throttle around 10-20 requests per second per account. */
export const LOOKUP_CONCURRENCY = 8;

export type Lookup = (target: LookupTarget) => Promise<LookupResult>;

export async function checkAwsDependencies(planned: readonly PlannedLookup[], lookup: Lookup): Promise<{ dependencies: CheckedDependency[]; findings: Finding[] }> {
  const results = await mapWithConcurrency(planned, LOOKUP_CONCURRENCY, async (p) => ({ p, result: await lookup(p.target) }));
  const dependencies: CheckedDependency[] = [];
  const findings: Finding[] = [];
  for (const { p, result } of results) {
    const objects = [...p.objects].sort();
    dependencies.push({ type: p.target.type, id: p.target.id, state: result.state, ...(result.detail ? { detail: result.detail } : {}), objects });
    if (result.state === 'missing') {
      findings.push({ kind: 'missing-aws-resource', code: 'missing', type: p.target.type, id: p.target.id, objects,
        detail: `${describe(p.target)} does not exist in the recovery account and region${result.detail ? `: ${result.detail}` : ''}` });
    } else if (result.state === 'not-checkable') {
      findings.push({ kind: 'not-checkable', code: result.accessDenied ? 'access-denied' : 'lookup-failed', type: p.target.type, id: p.target.id, objects,
        detail: `${describe(p.target)} could not be checked: ${result.detail ?? 'unknown'}` });
    }
  }
  dependencies.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { dependencies, findings };
}

function describe(t: LookupTarget): string {
  if (t.type === 'ecr-image' && t.image) return `image ${t.image.repository}${t.image.digest ? `@${t.image.digest}` : `:${t.image.tag ?? 'latest'}`} (registry ${t.image.registryId}, ${t.region})`;
  return `${t.type} ${t.id}`;
}
