import {
  createResourceFilter, DEFAULT_EXCLUDED_RESOURCES, effectiveFilters, isWholeCluster, recordedScope, validateFilterSpec, type ResourceFilterSpec,
} from '../../../lib/backup/filters';
import type { DiscoveredResource } from '../../../lib/kube/types';

const res = (group: string, resource: string, namespaced = true): DiscoveredResource => ({
  group,
  version: 'v1',
  groupVersion: group === '' ? 'v1' : `${group}/v1`,
  resource,
  kind: resource,
  namespaced,
  verbs: ['list'],
  name: group === '' ? resource : `${resource}.${group}`,
});
const secrets = res('', 'secrets');
const configmaps = res('', 'configmaps');
const deployments = res('apps', 'deployments');
const extDeployments = res('extensions', 'deployments');
const events = res('', 'events');
const eventsK8s = res('events.k8s.io', 'events');
const namespaces = res('', 'namespaces', false);
const clusterRoles = res('rbac.authorization.k8s.io', 'clusterroles', false);
const ALL = [secrets, configmaps, deployments, extDeployments, events, eventsK8s, namespaces, clusterRoles];

const included = (spec: ResourceFilterSpec) => ALL.filter(createResourceFilter(spec).includesResource).map((r) => r.name);
const obj = (namespace: string | undefined, name: string) => ({ metadata: namespace === undefined ? { name } : { namespace, name } });

describe('validateFilterSpec', () => {
  it('accepts an empty spec and typical Velero-style names', () => {
    expect(validateFilterSpec({})).toEqual([]);
    expect(validateFilterSpec({
      includeNamespaces: ['default', 'team-a', 'a1'],
      excludeNamespaces: ['kube-system'],
      includeResources: ['deployments', 'deployments.apps', 'eniconfigs.crd.k8s.amazonaws.com', 'secrets'],
      excludeResources: ['events', 'events.events.k8s.io'],
    })).toEqual([]);
    expect(validateFilterSpec({ includeNamespaces: ['*'], includeResources: ['*'] })).toEqual([]);
  });

  it('rejects names that are not lower-case DNS-1123 names, naming every one', () => {
    const problems = validateFilterSpec({
      includeNamespaces: ['Team-A', 'ok', 'a.b'],
      excludeNamespaces: ['-x', 'x'.repeat(64)],
      includeResources: ['Deployments', 'deployments.apps', 'pods/log', ''],
      excludeResources: ['secrets..', 'config maps'],
    });
    expect(problems).toEqual([
      'includeNamespaces: "Team-A" is not a valid namespace name (DNS-1123 label)',
      'includeNamespaces: "a.b" is not a valid namespace name (DNS-1123 label)',
      'excludeNamespaces: "-x" is not a valid namespace name (DNS-1123 label)',
      `excludeNamespaces: "${'x'.repeat(64)}" is not a valid namespace name (DNS-1123 label)`,
      'includeResources: "Deployments" is not a valid resource name (like "deployments" or "deployments.apps")',
      'includeResources: "pods/log" is not a valid resource name (like "deployments" or "deployments.apps")',
      'includeResources: "" is not a valid resource name (like "deployments" or "deployments.apps")',
      'excludeResources: "secrets.." is not a valid resource name (like "deployments" or "deployments.apps")',
      'excludeResources: "config maps" is not a valid resource name (like "deployments" or "deployments.apps")',
    ]);
  });

  it('rejects a name that is both included and excluded', () => {
    expect(validateFilterSpec({ includeNamespaces: ['prod'], excludeNamespaces: ['prod'], includeResources: ['secrets'], excludeResources: ['secrets'] })).toEqual([
      '"prod" is in both includeNamespaces and excludeNamespaces',
      '"secrets" is in both includeResources and excludeResources',
    ]);
  });

  it('rejects "*" mixed with names and "*" in an exclude list', () => {
    expect(validateFilterSpec({ includeResources: ['*', 'secrets'], excludeNamespaces: ['*'] })).toEqual([
      'excludeNamespaces cannot contain "*"',
      'includeResources must be either ["*"] or a list of names, not both',
    ]);
  });

  it('rejects values that are not arrays of strings (events are untyped JSON)', () => {
    const spec = JSON.parse('{"includeNamespaces":"default","excludeResources":[1]}') as ResourceFilterSpec;
    expect(validateFilterSpec(spec)).toEqual([
      'includeNamespaces must be an array of strings',
      'excludeResources must be an array of strings',
    ]);
  });
});

describe('createResourceFilter.includesResource', () => {
  it('excludes events in both groups by default', () => {
    expect(DEFAULT_EXCLUDED_RESOURCES).toEqual(['events', 'events.events.k8s.io']);
    expect(included({})).toEqual(['secrets', 'configmaps', 'deployments.apps', 'deployments.extensions', 'namespaces', 'clusterroles.rbac.authorization.k8s.io']);
  });

  it('excludes nothing when excludeResources is an explicit empty list', () => {
    expect(included({ excludeResources: [] })).toEqual(ALL.map((r) => r.name));
  });

  it('treats an empty include list and "*" as everything', () => {
    expect(included({ includeResources: [], excludeResources: [] })).toEqual(ALL.map((r) => r.name));
    expect(included({ includeResources: ['*'], excludeResources: [] })).toEqual(ALL.map((r) => r.name));
  });

  it('matches non-core resources by plural or plural.group, and core resources by plural only', () => {
    expect(included({ includeResources: ['deployments'] })).toEqual(['deployments.apps', 'deployments.extensions']);
    expect(included({ includeResources: ['deployments.apps'] })).toEqual(['deployments.apps']);
    expect(included({ includeResources: ['clusterroles'] })).toEqual(['clusterroles.rbac.authorization.k8s.io']);
    expect(included({ includeResources: ['secrets'] })).toEqual(['secrets']);
    expect(included({ includeResources: ['secrets.core', 'secrets.v1'] })).toEqual([]);
  });

  it('lets an exclude win over an include', () => {
    expect(included({ includeResources: ['*'], excludeResources: ['secrets', 'deployments.extensions'] })).toEqual([
      'configmaps', 'deployments.apps', 'events', 'events.events.k8s.io', 'namespaces', 'clusterroles.rbac.authorization.k8s.io',
    ]);
    expect(included({ includeResources: ['deployments'], excludeResources: ['deployments.extensions'] })).toEqual(['deployments.apps']);
  });

  it('backs up events when they are named in includeResources and excludeResources is left at its default', () => {
    // events.events.k8s.io stays excluded: it is the same objects, and discovery drops it anyway.
    expect(included({ includeResources: ['events'] })).toEqual(['events']);
    expect(included({ includeResources: ['events', 'events.events.k8s.io'] })).toEqual(['events', 'events.events.k8s.io']);
  });
});

describe('createResourceFilter.includesObject', () => {
  it('keeps every namespace when no namespace filter is set', () => {
    const f = createResourceFilter({});
    expect(f.includesObject(secrets, obj('kube-system', 's'))).toBe(true);
    expect(f.includesObject(namespaces, obj(undefined, 'kube-system'))).toBe(true);
  });

  it('applies includeNamespaces to namespaced objects', () => {
    const f = createResourceFilter({ includeNamespaces: ['team-a', 'team-b'] });
    expect(f.includesObject(secrets, obj('team-a', 's'))).toBe(true);
    expect(f.includesObject(secrets, obj('default', 's'))).toBe(false);
    expect(f.includesObject(deployments, obj('team-b', 'web'))).toBe(true);
  });

  it('applies excludeNamespaces, which wins over includeNamespaces "*"', () => {
    const f = createResourceFilter({ includeNamespaces: ['*'], excludeNamespaces: ['kube-system'] });
    expect(f.includesObject(configmaps, obj('kube-system', 'aws-auth'))).toBe(false);
    expect(f.includesObject(configmaps, obj('default', 'x'))).toBe(true);
  });

  it('applies namespace filters to a namespace by its own name', () => {
    const f = createResourceFilter({ includeNamespaces: ['team-a'] });
    expect(f.includesObject(namespaces, obj(undefined, 'team-a'))).toBe(true);
    expect(f.includesObject(namespaces, obj(undefined, 'kube-system'))).toBe(false);
    const g = createResourceFilter({ excludeNamespaces: ['kube-system'] });
    expect(g.includesObject(namespaces, obj(undefined, 'kube-system'))).toBe(false);
  });

  it('keeps other cluster-scoped objects whatever the namespace filter', () => {
    const f = createResourceFilter({ includeNamespaces: ['team-a'], excludeNamespaces: ['team-b'] });
    expect(f.includesObject(clusterRoles, obj(undefined, 'admin'))).toBe(true);
  });

  it('drops objects of excluded resources', () => {
    const f = createResourceFilter({ excludeResources: ['secrets'] });
    expect(f.includesObject(secrets, obj('default', 's'))).toBe(false);
    expect(createResourceFilter({}).includesObject(events, obj('default', 'e'))).toBe(false);
  });
});

describe('createResourceFilter.namespacesToList', () => {
  it('returns the named namespaces, without duplicates or excluded ones', () => {
    expect(createResourceFilter({ includeNamespaces: ['team-a', 'team-b', 'team-a'], excludeNamespaces: ['team-b'] }).namespacesToList()).toEqual(['team-a']);
  });

  it('returns undefined when every namespace is included', () => {
    expect(createResourceFilter({}).namespacesToList()).toBeUndefined();
    expect(createResourceFilter({ includeNamespaces: [] }).namespacesToList()).toBeUndefined();
    expect(createResourceFilter({ includeNamespaces: ['*'], excludeNamespaces: ['kube-system'] }).namespacesToList()).toBeUndefined();
  });
});

describe('isWholeCluster and the recorded scope', () => {
  it('counts the defaults, "*" and leaving out only events as whole-cluster: events are not configuration', () => {
    expect(isWholeCluster({})).toBe(true);
    expect(isWholeCluster({ includeNamespaces: ['*'], includeResources: ['*'], excludeNamespaces: [] })).toBe(true);
    expect(isWholeCluster({ excludeResources: [] })).toBe(true);
    expect(isWholeCluster({ excludeResources: ['events'] })).toBe(true);
    expect(isWholeCluster({ excludeResources: ['Events', 'events.events.k8s.io'] })).toBe(true);
  });

  it('counts any namespace or resource filter of the caller as filtered', () => {
    expect(isWholeCluster({ includeNamespaces: ['shop'] })).toBe(false);
    expect(isWholeCluster({ excludeNamespaces: ['kube-system'] })).toBe(false);
    expect(isWholeCluster({ includeResources: ['deployments.apps'] })).toBe(false);
    expect(isWholeCluster({ excludeResources: ['events', 'secrets'] })).toBe(false);
  });

  it('records the filters as they took effect: lower-cased, once each, "*" as [], excludeResources defaulted', () => {
    expect(recordedScope({})).toEqual({
      wholeCluster: true, includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: [...DEFAULT_EXCLUDED_RESOURCES],
    });
    expect(recordedScope({ includeNamespaces: ['Shop', 'shop'], includeResources: ['*'], excludeResources: ['secrets'] })).toEqual({
      wholeCluster: false, includeNamespaces: ['shop'], excludeNamespaces: [], includeResources: [], excludeResources: ['secrets'],
    });
    // Including events explicitly drops it from the default excludes, as the filter does.
    expect(effectiveFilters({ includeResources: ['events'] }).excludeResources).toEqual(['events.events.k8s.io']);
  });
});
