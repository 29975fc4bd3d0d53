import { checkNamespaceNames, checkResourceNames, type ServedResources } from '../../../lib/backup/checkFilterNames';
import type { DiscoveredResource } from '../../../lib/kube/types';

const res = (group: string, resource: string): DiscoveredResource => ({
  group, version: 'v1', groupVersion: group === '' ? 'v1' : `${group}/v1`, resource, kind: resource, namespaced: true, verbs: ['list'],
  name: group === '' ? resource : `${resource}.${group}`,
});
const SERVED: ServedResources = {
  clusterName: 'prod',
  resources: [res('', 'configmaps'), res('', 'secrets'), res('', 'events'), res('apps', 'deployments'), res('apps', 'daemonsets'), res('batch', 'cronjobs')],
  duplicates: ['events.events.k8s.io'],
  failedGroups: ['metrics.k8s.io'],
};
const NAMESPACES = { names: ['default', 'kube-system', 'shop', 'shop-staging'] };

describe('checkResourceNames', () => {
  it('refuses the typo deploymentz in includeResources, suggesting deployments.apps', () => {
    expect(checkResourceNames({ includeResources: ['deploymentz'] }, SERVED)).toEqual({
      problems: ['includeResources: "deploymentz" is not a resource type cluster prod serves and can list; did you mean deployments.apps?'],
      warnings: [],
    });
  });

  it('accepts a type by plural or by plural.group, as the filter matches it, and the duplicate events.events.k8s.io', () => {
    expect(checkResourceNames({ includeResources: ['deployments', 'deployments.apps', 'configmaps', 'events.events.k8s.io', '*'] }, SERVED))
      .toEqual({ problems: [], warnings: [] });
  });

  it('names every unknown include at once, and only warns about unknown excludes (they leave out nothing)', () => {
    const check = checkResourceNames({ includeResources: ['deploymentz', 'confgmaps'], excludeResources: ['secretz'] }, SERVED);
    expect(check.problems).toHaveLength(2);
    expect(check.problems[1]).toMatch(/"confgmaps".*did you mean configmaps\?/);
    expect(check.warnings).toEqual(['excludeResources: "secretz" is not a resource type cluster prod serves: it excludes nothing; did you mean secrets?']);
  });

  it('does not check the default excludeResources, which is the delegate\'s own', () => {
    expect(checkResourceNames({}, { ...SERVED, resources: [res('', 'configmaps')], duplicates: [] })).toEqual({ problems: [], warnings: [] });
  });

  it('warns when a plural.group names a group whose discovery failed, but still refuses an unknown bare plural', () => {
    const check = checkResourceNames({ includeResources: ['pods.metrics.k8s.io', 'nodemetricz'] }, SERVED);
    expect(check.warnings).toEqual(['includeResources: "pods.metrics.k8s.io" could not be checked: discovery of group metrics.k8s.io failed']);
    expect(check.problems).toEqual(['includeResources: "nodemetricz" is not a resource type cluster prod serves and can list']);
  });
});

describe('checkNamespaceNames', () => {
  it('refuses an included namespace the cluster does not have, with the closest names', () => {
    expect(checkNamespaceNames({ includeNamespaces: ['shpo'] }, 'prod', NAMESPACES)).toEqual({
      problems: ['includeNamespaces: namespace "shpo" does not exist in cluster prod; did you mean shop?'],
      warnings: [],
    });
  });

  it('warns about an excluded namespace that does not exist (a CI namespace that comes and goes must not fail a schedule)', () => {
    expect(checkNamespaceNames({ excludeNamespaces: ['kube-sytem', 'shop'] }, 'prod', NAMESPACES)).toEqual({
      problems: [],
      warnings: ['excludeNamespaces: namespace "kube-sytem" does not exist in cluster prod: it excludes nothing; did you mean kube-system?'],
    });
  });

  it('says the names cannot be checked, as a warning, when the namespaces could not be listed', () => {
    expect(checkNamespaceNames({ includeNamespaces: ['shop'] }, 'prod', { unavailable: 'HTTP 403 Forbidden' })).toEqual({
      problems: [],
      warnings: ['the namespaces the filters name could not be checked: listing namespaces failed (HTTP 403 Forbidden)'],
    });
  });

  it('has nothing to say when the filters name no namespace, even without the list', () => {
    expect(checkNamespaceNames({ includeNamespaces: ['*'] }, 'prod', { unavailable: 'HTTP 403' })).toEqual({ problems: [], warnings: [] });
  });
});
