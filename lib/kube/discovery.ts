import { DiscoveryError } from './discoveryErrors';
import { KubeApiError, KubeNetworkError } from './errors';
import { isJsonObject, parseJsonObjectResponse, withBodyRetries, type JsonObject } from './responseBody';
import type { DiscoveredResource, KubeTransport } from './types';
import type { DiscoveryOptions, DiscoveryResult, DuplicateResource, FailedGroupVersion } from './discoveryTypes';

/** Group versions fetched at once unless DiscoveryOptions.concurrency says otherwise. */
export const DEFAULT_DISCOVERY_CONCURRENCY = 8;

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

/** One entry of an APIResourceList, reduced to the fields discovery needs. */
interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiGroup {
  name: string;
  /** Versions in the server's priority order. */
  versions: string[];
  preferredVersion: string | undefined;
}

type GroupVersionOutcome = { ok: true; resources: ApiResource[] } | { ok: false; failure: FailedGroupVersion };

/**
 * Lists every resource type the cluster serves that can be listed, each at its preferred version
 * (client-go `ServerPreferredResources` semantics), using legacy discovery (`/api`, `/apis`, then one
 * request per group version).
 *
 * A group version that cannot be fetched (typically an aggregated API such as metrics.k8s.io whose
 * backing service is down and answers 503) becomes a warning and a `failedGroups` entry; failure of
 * `/api`, `/api/v1` or `/apis` throws DiscoveryError because nothing could be backed up reliably.
 */
export async function discoverResources(transport: KubeTransport, options: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_DISCOVERY_CONCURRENCY));
  const { signal } = options;

  // Requests that do not depend on each other run together: discovery is a fixed cost of every backup,
  // about a quarter of it at 1k objects when fetched one round trip after another (issue 8).
  const [coreRoot, groupList] = await Promise.all([getFatal(transport, '/api', signal), getFatal(transport, '/apis', signal)]);
  const coreVersions = stringArray(coreRoot.versions);
  const groups: ApiGroup[] = (Array.isArray(groupList.groups) ? groupList.groups : []).filter(isJsonObject).map(parseGroup);

  // The core group is served by kube-apiserver itself: without it there is no meaningful backup. Its
  // versions are fetched first, in the same pool as the group versions.
  const coreLists = new Map<string, ApiResource[]>();
  const groupVersions = groups.flatMap((g) => g.versions.map((version) => ({ group: g.name, version })));
  const jobs: Array<{ core: string } | { group: string; version: string }> = [...coreVersions.map((core) => ({ core })), ...groupVersions];
  const fetched = await mapWithConcurrency(jobs, concurrency, async (job) => {
    if ('core' in job) {
      coreLists.set(job.core, parseResourceList(await getFatal(transport, `/api/${job.core}`, signal)));
      return undefined;
    }
    return fetchGroupVersion(transport, job.group, job.version, signal);
  });
  const outcomes = fetched.slice(coreVersions.length);
  signal?.throwIfAborted();

  const lists = new Map<string, ApiResource[]>();
  const failedGroups: FailedGroupVersion[] = [];
  groupVersions.forEach(({ group, version }, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    if (outcome.ok) lists.set(`${group}/${version}`, outcome.resources);
    else failedGroups.push(outcome.failure);
  });

  const all: DiscoveredResource[] = [
    ...preferredResources({ name: '', versions: coreVersions, preferredVersion: coreVersions[0] }, (v) => coreLists.get(v)),
    ...groups.flatMap((g) => preferredResources(g, (v) => lists.get(`${g.name}/${v}`))),
  ];
  const { resources, duplicates } = dropCohabitatingDuplicates(all);

  return {
    resources,
    warnings: failedGroups.map((f) => `${f.groupVersion}: discovery failed: ${f.status ?? f.error}`),
    failedGroups,
    duplicates,
  };
}

/** GET a discovery document whose failure ends discovery. */
async function getFatal(transport: KubeTransport, path: string, signal: AbortSignal | undefined): Promise<JsonObject> {
  try {
    return await withBodyRetries(async () => parseJsonObjectResponse(await transport.request({ method: 'GET', path, signal }), path), signal);
  } catch (err) {
    if (err instanceof KubeApiError || err instanceof KubeNetworkError) {
      throw new DiscoveryError(path, err.message, { cause: err });
    }
    throw err;
  }
}

async function fetchGroupVersion(
  transport: KubeTransport,
  group: string,
  version: string,
  signal: AbortSignal | undefined,
): Promise<GroupVersionOutcome> {
  const groupVersion = `${group}/${version}`;
  const path = `/apis/${groupVersion}`;
  try {
    const body = await withBodyRetries(async () => parseJsonObjectResponse(await transport.request({ method: 'GET', path, signal }), path), signal);
    return { ok: true, resources: parseResourceList(body) };
  } catch (err) {
    // Only API and network failures are per-group; anything else (abort, bugs) ends discovery.
    if (err instanceof KubeApiError) return { ok: false, failure: { groupVersion, status: err.status, error: err.message } };
    if (err instanceof KubeNetworkError) return { ok: false, failure: { groupVersion, error: err.message } };
    throw err;
  }
}

/**
 * client-go ServerPreferredResources for one group: every resource of the preferred version, then
 * from the other versions (in the server's priority order) the resources the preferred one lacks,
 * e.g. cronjobs only in batch/v1beta1 on Kubernetes 1.20. Subresources are skipped before choosing;
 * non-listable resources are dropped after choosing, as Velero filters the preferred list.
 */
function preferredResources(group: ApiGroup, listOf: (version: string) => ApiResource[] | undefined): DiscoveredResource[] {
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

function dropCohabitatingDuplicates(all: DiscoveredResource[]): { resources: DiscoveredResource[]; duplicates: DuplicateResource[] } {
  const find = (group: string, resource: string) => all.find((r) => r.group === group && r.resource === resource);
  const dropped = new Set<DiscoveredResource>();
  const duplicates: DuplicateResource[] = [];
  for (const c of COHABITATING_RESOURCES) {
    const kept = find(c.canonicalGroup, c.resource);
    const other = find(c.otherGroup, c.resource);
    // Only when both are served: an old cluster serving ingresses only in extensions keeps that copy.
    if (kept && other) {
      dropped.add(other);
      duplicates.push({ name: other.name, keptAs: kept.name });
    }
  }
  return { resources: all.filter((r) => !dropped.has(r)), duplicates };
}

function parseGroup(g: JsonObject): ApiGroup {
  const versions = (Array.isArray(g.versions) ? g.versions : [])
    .filter(isJsonObject)
    .map((v) => v.version)
    .filter((v): v is string => typeof v === 'string');
  const preferred = isJsonObject(g.preferredVersion) && typeof g.preferredVersion.version === 'string'
    ? g.preferredVersion.version
    : undefined;
  return { name: typeof g.name === 'string' ? g.name : '', versions, preferredVersion: preferred };
}

function parseResourceList(list: JsonObject): ApiResource[] {
  return (Array.isArray(list.resources) ? list.resources : []).filter(isJsonObject).flatMap((r) =>
    typeof r.name === 'string' && typeof r.kind === 'string'
      ? [{ name: r.name, kind: r.kind, namespaced: r.namespaced === true, verbs: stringArray(r.verbs) }]
      : [],
  );
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Runs fn over items with at most `limit` in flight; results keep the items' order. */
async function mapWithConcurrency<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T);
      } catch (err) {
        failed = true; // stop the other workers from starting new requests
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
