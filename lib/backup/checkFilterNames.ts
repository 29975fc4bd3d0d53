// A filter naming a resource or namespace the cluster does not have is bad input (DESIGN.md section 9,
// "Scope"; issue 27: `includeResources: ["deploymentz"]` gave an empty COMPLETED recovery point that then
// became `latest`). Checked against discovery and the namespace list before anything is listed or written.
import type { DiscoveredResource } from '../kube/types';
import { effectiveFilters, type ResourceFilterSpec } from './filters';
import { didYouMean, suggestNames, type NameCandidate } from './suggestNames';

/** The resource types the cluster has, as far as discovery could see. */
export interface ServedResources {
  clusterName: string;
  /** Every listable resource type discovery found, filtered out or not. */
  resources: readonly DiscoveredResource[];
  /** Names of types served twice and backed up under their other name (`events.events.k8s.io`). */
  duplicates: readonly string[];
  /** Groups whose discovery failed: a resource there cannot be seen, so a name in them cannot be checked. */
  failedGroups: readonly string[];
}

/** The cluster's namespaces, or why they could not be listed (e.g. `HTTP 403`). */
export type ClusterNamespaces = { names: readonly string[] } | { unavailable: string };

/** `problems` make the event bad input; `warnings` go into the response and the manifest. */
export interface FilterNameCheck {
  problems: string[];
  warnings: string[];
}

// Include lists naming something unknown are problems: the backup would be silently smaller than asked
// (a typo gives an empty recovery point). Exclude lists naming something unknown are warnings: they
// leave out nothing, so the recovery point holds more than asked, never less, and a namespace that
// comes and goes (a CI namespace) must not break a scheduled backup.

/**
 * Checks the resource names the filters give against discovery. The default excludeResources (events)
 * is not checked: it is the delegate's, not the caller's. A bare plural that matches nothing is a
 * problem even when a group's discovery failed: a typo must not pass because metrics.k8s.io is down
 * (`<plural>.<group>` names a type in a failed group unambiguously, and is only warned about).
 */
export function checkResourceNames(spec: ResourceFilterSpec, cluster: ServedResources): FilterNameCheck {
  const result: FilterNameCheck = { problems: [], warnings: [] };
  const f = effectiveFilters(spec);
  const resources = resourceNames(cluster);
  const check = (field: 'includeResources' | 'excludeResources', names: string[], fatal: boolean) => {
    for (const name of names) {
      if (resources.known.has(name)) continue;
      const group = name.includes('.') ? name.slice(name.indexOf('.') + 1) : undefined;
      if (group !== undefined && cluster.failedGroups.includes(group)) {
        result.warnings.push(`${field}: "${name}" could not be checked: discovery of group ${group} failed`);
        continue;
      }
      const hint = didYouMean(suggestNames(name, resources.candidates));
      if (fatal) result.problems.push(`${field}: "${name}" is not a resource type cluster ${cluster.clusterName} serves and can list${hint}`);
      else result.warnings.push(`${field}: "${name}" is not a resource type cluster ${cluster.clusterName} serves: it excludes nothing${hint}`);
    }
  };
  check('includeResources', f.includeResources, true);
  if (spec.excludeResources !== undefined) check('excludeResources', f.excludeResources, false);
  return result;
}

/** Whether the filters name namespaces at all (then the namespace list is needed before anything is listed). */
export function namesNamespaces(spec: ResourceFilterSpec): boolean {
  const f = effectiveFilters(spec);
  return f.includeNamespaces.length + f.excludeNamespaces.length > 0;
}

/**
 * Checks the namespace names the filters give against the cluster's namespaces. When they could not be
 * listed (a role without `list namespaces`), that is one warning and the names are used as given.
 */
export function checkNamespaceNames(spec: ResourceFilterSpec, clusterName: string, namespaces: ClusterNamespaces): FilterNameCheck {
  const result: FilterNameCheck = { problems: [], warnings: [] };
  if (!namesNamespaces(spec)) return result;
  if ('unavailable' in namespaces) {
    result.warnings.push(`the namespaces the filters name could not be checked: listing namespaces failed (${namespaces.unavailable})`);
    return result;
  }
  const f = effectiveFilters(spec);
  const existing = new Set(namespaces.names);
  const candidates = [...existing].map((name) => ({ name }));
  for (const ns of f.includeNamespaces) {
    if (!existing.has(ns)) result.problems.push(`includeNamespaces: namespace "${ns}" does not exist in cluster ${clusterName}${didYouMean(suggestNames(ns, candidates))}`);
  }
  for (const ns of f.excludeNamespaces) {
    if (!existing.has(ns)) result.warnings.push(`excludeNamespaces: namespace "${ns}" does not exist in cluster ${clusterName}: it excludes nothing${didYouMean(suggestNames(ns, candidates))}`);
  }
  return result;
}

/**
 * The spellings a filter accepts (filters.ts matches `plural` and `plural.group`), and one suggestion per
 * type under its Velero name, the one that is never ambiguous.
 */
function resourceNames(cluster: ServedResources): { known: Set<string>; candidates: NameCandidate[] } {
  const known = new Set<string>(cluster.duplicates);
  const candidates: NameCandidate[] = [];
  for (const r of cluster.resources) {
    known.add(r.resource);
    known.add(r.name);
    candidates.push({ name: r.name, spellings: [r.resource, r.name] });
  }
  return { known, candidates };
}
