import type { DiscoveredResource } from '../kube/types';
import type { ManifestScope } from '../recovery-point/manifest';

/** Which namespaces and resource types a backup covers. Names as Velero spells them. */
export interface ResourceFilterSpec {
  /** Namespaces to back up; absent, empty or `['*']` means all. */
  includeNamespaces?: string[];
  /** Namespaces to leave out; wins over includeNamespaces. */
  excludeNamespaces?: string[];
  /** Resources (`deployments`, `deployments.apps`, `secrets`) to back up; absent, empty or `['*']` means all. */
  includeResources?: string[];
  /**
   * Resources to leave out; wins over includeResources. An explicit `[]` excludes nothing.
   * @default DEFAULT_EXCLUDED_RESOURCES (resources named in includeResources are not excluded by default)
   */
  excludeResources?: string[];
}

/** Events are high-volume and useless after a restore; left out unless excludeResources says otherwise. */
export const DEFAULT_EXCLUDED_RESOURCES: readonly string[] = ['events', 'events.events.k8s.io'];

export interface ResourceFilter {
  /** Whether objects of this resource type are backed up at all. */
  includesResource(resource: DiscoveredResource): boolean;
  /**
   * Whether this object is backed up: its resource is included and, for namespaced objects, its
   * namespace is (for `namespaces` themselves, the namespace's own name). Other cluster-scoped
   * objects are kept.
   */
  includesObject(resource: DiscoveredResource, obj: { metadata?: { namespace?: string; name?: string } }): boolean;
  /** The namespaces to list one by one when includeNamespaces names specific ones; otherwise undefined (list cluster-wide). */
  namespacesToList(): string[] | undefined;
}

const WILDCARD = '*';
// DNS-1123 label (namespaces, plural resource names) and subdomain (`<plural>.<group>`).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type FilterField = keyof ResourceFilterSpec;

/** Every problem in the spec, one message each (empty when valid), so a bad event names them all at once. */
export function validateFilterSpec(spec: ResourceFilterSpec): string[] {
  const problems: string[] = [];
  const check = (field: FilterField, isValid: (s: string) => boolean, what: string): string[] => {
    const value: unknown = spec[field];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      problems.push(`${field} must be an array of strings`);
      return [];
    }
    const list = value as string[];
    for (const s of list) {
      if (s !== WILDCARD && !isValid(s)) problems.push(`${field}: "${s}" is not a valid ${what}`);
    }
    return list;
  };
  const isNamespace = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);
  const isResource = (s: string) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
  const nsIn = check('includeNamespaces', isNamespace, 'namespace name (DNS-1123 label)');
  const nsOut = check('excludeNamespaces', isNamespace, 'namespace name (DNS-1123 label)');
  const resIn = check('includeResources', isResource, 'resource name (like "deployments" or "deployments.apps")');
  const resOut = check('excludeResources', isResource, 'resource name (like "deployments" or "deployments.apps")');

  // Velero's ValidateIncludesExcludes rules.
  const pair = (includeField: FilterField, includes: string[], excludeField: FilterField, excludes: string[]) => {
    if (includes.includes(WILDCARD) && new Set(includes).size > 1) {
      problems.push(`${includeField} must be either ["*"] or a list of names, not both`);
    }
    if (excludes.includes(WILDCARD)) problems.push(`${excludeField} cannot contain "*"`);
    for (const s of new Set(excludes)) {
      if (s !== WILDCARD && includes.includes(s)) problems.push(`"${s}" is in both ${includeField} and ${excludeField}`);
    }
  };
  pair('includeNamespaces', nsIn, 'excludeNamespaces', nsOut);
  pair('includeResources', resIn, 'excludeResources', resOut);
  return problems;
}

/**
 * Small predicates combined as Velero combines them: an empty or `*` include list means everything,
 * and an exclude always wins. Call validateFilterSpec first; this does not re-validate.
 */
export function createResourceFilter(spec: ResourceFilterSpec): ResourceFilter {
  const { includeResources: resIncludes, excludeResources: resExcludes, includeNamespaces: nsIncludes, excludeNamespaces: nsExcludes } = effectiveFilters(spec);

  const resourceMatches = includesExcludes(resIncludes, resExcludes);
  const namespaceMatches = includesExcludes(nsIncludes, nsExcludes);

  const includesResource = (r: DiscoveredResource): boolean => resourceMatches(resourceNames(r));

  return {
    includesResource,
    includesObject(r, obj) {
      if (!includesResource(r)) return false;
      if (r.group === '' && r.resource === 'namespaces') return namespaceMatches([obj.metadata?.name ?? '']);
      if (r.namespaced) return namespaceMatches([obj.metadata?.namespace ?? '']);
      return true;
    },
    namespacesToList() {
      if (nsIncludes.length === 0) return undefined;
      return nsIncludes.filter((ns) => !nsExcludes.includes(ns));
    },
  };
}

/**
 * The four lists as a backup applies them: trimmed, lower-cased, without repeats, an include list of
 * `["*"]` as `[]` (all), and excludeResources defaulted (DEFAULT_EXCLUDED_RESOURCES, less any resource
 * named in includeResources). What the manifest records as the backup's scope.
 */
export function effectiveFilters(spec: ResourceFilterSpec): Required<ResourceFilterSpec> {
  const includeResources = allOrNames(normalize(spec.includeResources));
  const explicitIncludes = new Set(includeResources);
  const excludeResources = spec.excludeResources === undefined
    ? DEFAULT_EXCLUDED_RESOURCES.filter((r) => !explicitIncludes.has(r))
    : unique(normalize(spec.excludeResources));
  return {
    includeNamespaces: allOrNames(normalize(spec.includeNamespaces)),
    excludeNamespaces: unique(normalize(spec.excludeNamespaces)),
    includeResources,
    excludeResources,
  };
}

/**
 * Whether a backup with these filters copies the whole cluster: every namespace, every resource type,
 * and at most the default-excluded events left out. Events are not configuration (restore never
 * recreates them), so leaving them out, by default or by naming them, still makes a whole-cluster copy;
 * any other filter makes a partial one, which must never become `latest` (DESIGN.md section 9, "Scope").
 */
export function isWholeCluster(spec: ResourceFilterSpec): boolean {
  const f = effectiveFilters(spec);
  return f.includeNamespaces.length === 0 && f.excludeNamespaces.length === 0 && f.includeResources.length === 0
    && f.excludeResources.every((r) => DEFAULT_EXCLUDED_RESOURCES.includes(r));
}

/** Names a resource answers to: `plural` and `plural.group`, or only `plural` for the core group. */
function resourceNames(r: DiscoveredResource): string[] {
  return r.group === '' ? [r.resource] : [r.resource, `${r.resource}.${r.group}`];
}

/** Velero's IncludesExcludes: excluded if any name is excluded; included if the include list is empty, `*`, or names it. */
function includesExcludes(includes: string[], excludes: string[]): (names: string[]) => boolean {
  const inc = new Set(includes);
  const exc = new Set(excludes);
  const all = inc.size === 0 || inc.has(WILDCARD);
  return (names) => !names.some((n) => exc.has(n)) && (all || names.some((n) => inc.has(n)));
}

/** The scope a recovery point taken with these filters records in its manifest. */
export function recordedScope(spec: ResourceFilterSpec): ManifestScope {
  return { wholeCluster: isWholeCluster(spec), ...effectiveFilters(spec) };
}

function normalize(list: readonly string[] | undefined): string[] {
  return (list ?? []).map((s) => s.trim().toLowerCase());
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** `["*"]` (or any list holding it) means all, written `[]`; otherwise the names once each. */
function allOrNames(list: string[]): string[] {
  return list.includes(WILDCARD) ? [] : unique(list);
}
