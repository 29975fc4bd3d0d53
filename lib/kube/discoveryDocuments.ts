import { isJsonObject, type JsonObject } from './responseBody';
import type { DiscoveredResource } from './types';

/**
 * The Accept header of `/api` and `/apis`, as client-go and kubectl send it: aggregated discovery v2,
 * then v2beta1 (Kubernetes 1.26-1.29), then the legacy APIVersions / APIGroupList documents, which
 * older servers (the stand-in's 1.20) answer whatever is asked.
 */
export const AGGREGATED_DISCOVERY_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

const AGGREGATED_API_VERSIONS = new Set(['apidiscovery.k8s.io/v2', 'apidiscovery.k8s.io/v2beta1']);

/**
 * Types served by two groups, backed up once (Velero's "cohabitating resources",
 * pkg/backup/backup.go). The first group is the canonical one, kept when both are served.
 */
export const COHABITATING_RESOURCES: ReadonlyArray<{ resource: string; canonicalGroup: string; otherGroup: string }> = [
  { resource: 'deployments', canonicalGroup: 'apps', otherGroup: 'extensions' },
  { resource: 'daemonsets', canonicalGroup: 'apps', otherGroup: 'extensions' },
  { resource: 'replicasets', canonicalGroup: 'apps', otherGroup: 'extensions' },
  { resource: 'networkpolicies', canonicalGroup: 'networking.k8s.io', otherGroup: 'extensions' },
  { resource: 'ingresses', canonicalGroup: 'networking.k8s.io', otherGroup: 'extensions' },
  { resource: 'podsecuritypolicies', canonicalGroup: 'policy', otherGroup: 'extensions' },
  { resource: 'events', canonicalGroup: '', otherGroup: 'events.k8s.io' },
];

/** One resource of a group version, reduced to the fields discovery needs (legacy and aggregated alike). */
export interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

/** One group version of an aggregated document: its resources, or why it cannot be used. */
export type AggregatedVersion = { version: string; resources: ApiResource[] } | { version: string; stale: true };

/** One group of an aggregated document; versions in the server's priority order, the first preferred. */
export interface AggregatedGroup {
  name: string;
  versions: AggregatedVersion[];
}

/** A legacy APIGroupList entry. */
export interface LegacyGroup {
  name: string;
  /** Versions in the server's priority order. */
  versions: string[];
  preferredVersion: string | undefined;
}

/** True when a `/api` or `/apis` answer is an APIGroupDiscoveryList (v2 or v2beta1), not a legacy document. */
export function isAggregatedDocument(doc: JsonObject): boolean {
  return doc.kind === 'APIGroupDiscoveryList' || (typeof doc.apiVersion === 'string' && AGGREGATED_API_VERSIONS.has(doc.apiVersion));
}

/**
 * The groups of an APIGroupDiscoveryList (v2 and v2beta1 have the same shape). A version whose
 * `freshness` is `Stale` (its aggregated API server could not be reached when the document was built)
 * is kept as stale, so it is reported like a failed group version, as client-go does.
 */
export function parseAggregatedGroups(doc: JsonObject): AggregatedGroup[] {
  return (Array.isArray(doc.items) ? doc.items : []).filter(isJsonObject).map((item) => {
    const name = isJsonObject(item.metadata) && typeof item.metadata.name === 'string' ? item.metadata.name : '';
    const versions = (Array.isArray(item.versions) ? item.versions : []).filter(isJsonObject).flatMap((v): AggregatedVersion[] => {
      if (typeof v.version !== 'string') return [];
      if (v.freshness === 'Stale') return [{ version: v.version, stale: true }];
      return [{ version: v.version, resources: parseAggregatedResources(v.resources) }];
    });
    return { name, versions };
  });
}

/** Aggregated resources carry subresources inside them (never as `pods/log` entries) and the scope as a word. */
function parseAggregatedResources(value: unknown): ApiResource[] {
  return (Array.isArray(value) ? value : []).filter(isJsonObject).flatMap((r) => {
    const kind = isJsonObject(r.responseKind) ? r.responseKind.kind : undefined;
    // client-go skips a resource without a responseKind: nothing could be listed as a known kind.
    if (typeof r.resource !== 'string' || typeof kind !== 'string' || kind === '') return [];
    return [{ name: r.resource, kind, namespaced: r.scope === 'Namespaced', verbs: stringArray(r.verbs) }];
  });
}

export function parseLegacyGroups(doc: JsonObject): LegacyGroup[] {
  return (Array.isArray(doc.groups) ? doc.groups : []).filter(isJsonObject).map((g) => {
    const versions = (Array.isArray(g.versions) ? g.versions : [])
      .filter(isJsonObject)
      .map((v) => v.version)
      .filter((v): v is string => typeof v === 'string');
    const preferred = isJsonObject(g.preferredVersion) && typeof g.preferredVersion.version === 'string'
      ? g.preferredVersion.version
      : undefined;
    return { name: typeof g.name === 'string' ? g.name : '', versions, preferredVersion: preferred };
  });
}

/** The versions of a legacy APIVersions document (`/api`). */
export function parseLegacyCoreVersions(doc: JsonObject): string[] {
  return stringArray(doc.versions);
}

export function parseResourceList(list: JsonObject): ApiResource[] {
  return (Array.isArray(list.resources) ? list.resources : []).filter(isJsonObject).flatMap((r) =>
    typeof r.name === 'string' && typeof r.kind === 'string'
      ? [{ name: r.name, kind: r.kind, namespaced: r.namespaced === true, verbs: stringArray(r.verbs) }]
      : [],
  );
}

/**
 * client-go ServerPreferredResources for one group: every resource of the preferred version, then
 * from the other versions (in the server's priority order) the resources the preferred one lacks,
 * e.g. cronjobs only in batch/v1beta1 on Kubernetes 1.20. Subresources are skipped before choosing;
 * non-listable resources are dropped after choosing, as Velero filters the preferred list.
 */
export function preferredResources(
  group: { name: string; versions: string[]; preferredVersion: string | undefined },
  listOf: (version: string) => ApiResource[] | undefined,
): DiscoveredResource[] {
  const preferred = group.preferredVersion ?? group.versions[0];
  const order = preferred !== undefined && group.versions.includes(preferred)
    ? [preferred, ...group.versions.filter((v) => v !== preferred)]
    : group.versions;
  const seen = new Set<string>();
  const out: DiscoveredResource[] = [];
  for (const version of order) {
    for (const r of listOf(version) ?? []) {
      if (r.name.includes('/') || seen.has(r.name)) continue;
      seen.add(r.name);
      if (!r.verbs.includes('list')) continue;
      out.push({
        group: group.name,
        version,
        groupVersion: group.name === '' ? version : `${group.name}/${version}`,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: [...r.verbs],
        name: group.name === '' ? r.name : `${r.name}.${group.name}`,
      });
    }
  }
  return out;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
