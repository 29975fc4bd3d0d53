import { discoverResources } from '../../../lib/kube/discovery';
import { DiscoveryError } from '../../../lib/kube/discoveryErrors';
import { KubeApiError, KubeNetworkError } from '../../../lib/kube/errors';
import type { DiscoveredResource } from '../../../lib/kube/types';
import { FakeDiscoveryTransport, loadDiscoveryFixture } from './helpers/fakeDiscoveryTransport';

const UNAVAILABLE = { status: 503, body: 'service unavailable\n' };

const CORE = [
  'componentstatuses', 'configmaps', 'endpoints', 'events', 'limitranges', 'namespaces', 'nodes',
  'persistentvolumeclaims', 'persistentvolumes', 'pods', 'podtemplates', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'serviceaccounts', 'services',
];

const byName = (resources: DiscoveredResource[], name: string) => resources.find((r) => r.name === name);

describe('discoverResources against a Kubernetes 1.30 server', () => {
  const responses = loadDiscoveryFixture('discovery-1.30');

  it('lists listable resources at their preferred version, core first, then groups in server order', async () => {
    const transport = new FakeDiscoveryTransport(responses, { overrides: { '/apis/metrics.k8s.io/v1beta1': UNAVAILABLE } });
    const result = await discoverResources(transport);
    expect(result.resources.map((r) => r.name)).toEqual([
      ...CORE,
      'apiservices.apiregistration.k8s.io',
      'controllerrevisions.apps', 'daemonsets.apps', 'deployments.apps', 'replicasets.apps', 'statefulsets.apps',
      'horizontalpodautoscalers.autoscaling',
      'cronjobs.batch', 'jobs.batch',
      'ingressclasses.networking.k8s.io', 'ingresses.networking.k8s.io', 'networkpolicies.networking.k8s.io',
      'poddisruptionbudgets.policy',
      'clusterrolebindings.rbac.authorization.k8s.io', 'clusterroles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io', 'roles.rbac.authorization.k8s.io',
      'flowschemas.flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io',
      'eniconfigs.crd.k8s.amazonaws.com',
    ]);
  });

  it('fills every field of DiscoveredResource for core and group resources', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(byName(result.resources, 'secrets')).toEqual({
      group: '', version: 'v1', groupVersion: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], name: 'secrets',
    });
    expect(byName(result.resources, 'eniconfigs.crd.k8s.amazonaws.com')).toMatchObject({
      group: 'crd.k8s.amazonaws.com', version: 'v1alpha1', groupVersion: 'crd.k8s.amazonaws.com/v1alpha1',
      resource: 'eniconfigs', kind: 'ENIConfig', namespaced: false,
    });
    expect(byName(result.resources, 'namespaces')?.namespaced).toBe(false);
  });

  it('picks the preferred version when several versions serve the same resources', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(byName(result.resources, 'horizontalpodautoscalers.autoscaling')?.groupVersion).toBe('autoscaling/v2');
    expect(byName(result.resources, 'flowschemas.flowcontrol.apiserver.k8s.io')?.groupVersion).toBe('flowcontrol.apiserver.k8s.io/v1');
    expect(result.resources.filter((r) => r.resource === 'horizontalpodautoscalers')).toHaveLength(1);
  });

  it('drops subresources and resources that cannot be listed', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(result.resources.filter((r) => r.resource.includes('/'))).toEqual([]);
    for (const name of ['bindings', 'tokenreviews.authentication.k8s.io', 'selfsubjectreviews.authentication.k8s.io']) {
      expect(byName(result.resources, name)).toBeUndefined();
    }
    expect(result.resources.every((r) => r.verbs.includes('list'))).toBe(true);
  });

  it('backs up events once, from the core group, and records events.k8s.io as the duplicate', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(result.resources.filter((r) => r.resource === 'events').map((r) => r.name)).toEqual(['events']);
    expect(result.duplicates).toEqual([{ name: 'events.events.k8s.io', keptAs: 'events' }]);
  });

  it('turns a 503 from an aggregated API into a warning and carries on', async () => {
    const transport = new FakeDiscoveryTransport(responses, { overrides: { '/apis/metrics.k8s.io/v1beta1': UNAVAILABLE } });
    const result = await discoverResources(transport);
    expect(result.warnings).toEqual(['metrics.k8s.io/v1beta1: discovery failed: 503']);
    expect(result.failedGroups).toEqual([
      { groupVersion: 'metrics.k8s.io/v1beta1', status: 503, error: '/apis/metrics.k8s.io/v1beta1: HTTP 503' },
    ]);
    expect(result.resources.some((r) => r.group === 'metrics.k8s.io')).toBe(false);
    expect(byName(result.resources, 'eniconfigs.crd.k8s.amazonaws.com')).toBeDefined();
  });

  it('includes the aggregated API when it answers', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(result.warnings).toEqual([]);
    expect(result.failedGroups).toEqual([]);
    expect(result.resources.slice(-2).map((r) => r.name)).toEqual(['nodes.metrics.k8s.io', 'pods.metrics.k8s.io']);
  });

  it('records a network failure of a group version without a status', async () => {
    const transport = new FakeDiscoveryTransport(responses, {
      overrides: { '/apis/crd.k8s.amazonaws.com/v1alpha1': new KubeNetworkError('/apis/crd.k8s.amazonaws.com/v1alpha1', 'socket hang up') },
    });
    const result = await discoverResources(transport);
    expect(result.warnings).toEqual(['crd.k8s.amazonaws.com/v1alpha1: discovery failed: /apis/crd.k8s.amazonaws.com/v1alpha1: socket hang up']);
    expect(result.failedGroups).toEqual([{ groupVersion: 'crd.k8s.amazonaws.com/v1alpha1', error: '/apis/crd.k8s.amazonaws.com/v1alpha1: socket hang up' }]);
  });

  it('orders resources the same way whatever order the group versions answer in', async () => {
    const expected = (await discoverResources(new FakeDiscoveryTransport(responses))).resources;
    // Reverse-ish completion order: later groups answer first.
    const paths = Object.keys(responses);
    const transport = new FakeDiscoveryTransport(responses, { delayMs: (p) => 2 * (paths.length - paths.indexOf(p)) });
    expect((await discoverResources(transport)).resources).toEqual(expected);
  });
});

describe('discoverResources against a Kubernetes 1.20 server', () => {
  const responses = loadDiscoveryFixture('discovery-1.20');

  it('takes cronjobs from batch/v1beta1 because the preferred batch/v1 lacks them', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(byName(result.resources, 'jobs.batch')?.groupVersion).toBe('batch/v1');
    expect(byName(result.resources, 'cronjobs.batch')).toEqual({
      group: 'batch', version: 'v1beta1', groupVersion: 'batch/v1beta1', resource: 'cronjobs', kind: 'CronJob',
      namespaced: true, verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      name: 'cronjobs.batch',
    });
    // Preferred version's resources come before the ones borrowed from other versions.
    const names = result.resources.map((r) => r.name);
    expect(names.indexOf('jobs.batch')).toBeLessThan(names.indexOf('cronjobs.batch'));
  });

  it('keeps ingresses from networking.k8s.io/v1 and drops the extensions/v1beta1 copy', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(result.resources.filter((r) => r.resource === 'ingresses').map((r) => `${r.groupVersion} ${r.name}`)).toEqual([
      'networking.k8s.io/v1 ingresses.networking.k8s.io',
    ]);
    expect(result.duplicates).toEqual([
      { name: 'ingresses.extensions', keptAs: 'ingresses.networking.k8s.io' },
      { name: 'events.events.k8s.io', keptAs: 'events' },
    ]);
    expect(result.resources.some((r) => r.group === 'extensions' || r.group === 'events.k8s.io')).toBe(false);
  });

  it('lists the whole 1.20 set in a stable order', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses, { overrides: { '/apis/metrics.k8s.io/v1beta1': UNAVAILABLE } }));
    expect(result.resources.map((r) => `${r.name}@${r.version}`)).toEqual([
      ...CORE.map((n) => `${n}@v1`),
      'apiservices.apiregistration.k8s.io@v1',
      'controllerrevisions.apps@v1', 'daemonsets.apps@v1', 'deployments.apps@v1', 'replicasets.apps@v1', 'statefulsets.apps@v1',
      'horizontalpodautoscalers.autoscaling@v1',
      'jobs.batch@v1', 'cronjobs.batch@v1beta1',
      'networkpolicies.networking.k8s.io@v1', 'ingressclasses.networking.k8s.io@v1', 'ingresses.networking.k8s.io@v1',
      'poddisruptionbudgets.policy@v1beta1', 'podsecuritypolicies.policy@v1beta1',
      'clusterrolebindings.rbac.authorization.k8s.io@v1', 'clusterroles.rbac.authorization.k8s.io@v1',
      'rolebindings.rbac.authorization.k8s.io@v1', 'roles.rbac.authorization.k8s.io@v1',
    ]);
    expect(result.warnings).toEqual(['metrics.k8s.io/v1beta1: discovery failed: 503']);
  });

  it('falls back to another version when the preferred one fails, as client-go does', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses, {
      overrides: { '/apis/networking.k8s.io/v1': { status: 500, body: '{"kind":"Status","reason":"InternalError","message":"boom","code":500}' } },
    }));
    expect(result.warnings).toEqual(['networking.k8s.io/v1: discovery failed: 500']);
    expect(byName(result.resources, 'ingresses.networking.k8s.io')?.groupVersion).toBe('networking.k8s.io/v1beta1');
    expect(byName(result.resources, 'networkpolicies.networking.k8s.io')).toBeUndefined();
  });

  it('keeps the extensions copy when the canonical group does not serve the type', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses, {
      overrides: { '/apis/networking.k8s.io/v1': UNAVAILABLE, '/apis/networking.k8s.io/v1beta1': UNAVAILABLE },
    }));
    expect(byName(result.resources, 'ingresses.extensions')?.groupVersion).toBe('extensions/v1beta1');
    expect(result.duplicates).toEqual([{ name: 'events.events.k8s.io', keptAs: 'events' }]);
  });

  it('fetches group versions with at most 8 requests in flight by default, or the configured number', async () => {
    const slow = { delayMs: () => 5 };
    const byDefault = new FakeDiscoveryTransport(responses, slow);
    await discoverResources(byDefault);
    expect(byDefault.maxInFlight).toBe(8);
    const two = new FakeDiscoveryTransport(responses, slow);
    await discoverResources(two, { concurrency: 2 });
    expect(two.maxInFlight).toBe(2);
    // Every group version of every group was asked for exactly once.
    const groupPaths = two.requests.map((r) => r.path).filter((p) => p.startsWith('/apis/'));
    expect(new Set(groupPaths).size).toBe(groupPaths.length);
    expect(groupPaths.sort()).toEqual(Object.keys(responses).filter((p) => p.startsWith('/apis/')).sort());
  });
});

describe('discoverResources with other cohabitating types', () => {
  const psp = { kind: 'PodSecurityPolicy', name: 'podsecuritypolicies', namespaced: false, verbs: ['get', 'list'] };
  const deploy = { kind: 'Deployment', name: 'deployments', namespaced: true, verbs: ['get', 'list'] };
  const responses: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
    '/apis': {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: ['extensions', 'apps', 'policy'].map((g) => ({
        name: g,
        versions: [{ groupVersion: `${g}/v1beta1`, version: 'v1beta1' }],
        preferredVersion: { groupVersion: `${g}/v1beta1`, version: 'v1beta1' },
      })),
    },
    '/apis/extensions/v1beta1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'extensions/v1beta1', resources: [deploy, psp] },
    '/apis/apps/v1beta1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1beta1', resources: [deploy] },
    '/apis/policy/v1beta1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'policy/v1beta1', resources: [psp] },
  };

  it('keeps apps deployments and policy podsecuritypolicies over their extensions copies', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport(responses));
    expect(result.resources.map((r) => r.name)).toEqual(['deployments.apps', 'podsecuritypolicies.policy']);
    expect(result.duplicates).toEqual([
      { name: 'deployments.extensions', keptAs: 'deployments.apps' },
      { name: 'podsecuritypolicies.extensions', keptAs: 'podsecuritypolicies.policy' },
    ]);
  });
});

describe('discoverResources failures', () => {
  const responses = loadDiscoveryFixture('discovery-1.30');

  it.each(['/api', '/api/v1', '/apis'])('throws DiscoveryError when %s fails', async (path) => {
    const transport = new FakeDiscoveryTransport(responses, {
      overrides: { [path]: { status: 403, body: '{"kind":"Status","reason":"Forbidden","message":"forbidden: User \\"x\\" cannot get path","code":403}' } },
    });
    const err = await discoverResources(transport).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiscoveryError);
    expect((err as DiscoveryError).path).toBe(path);
    const cause = (err as DiscoveryError).cause;
    expect(cause).toBeInstanceOf(KubeApiError);
    expect((cause as KubeApiError).status).toBe(403);
    expect((cause as KubeApiError).reason).toBe('Forbidden');
  });

  it('throws DiscoveryError when /apis cannot be reached', async () => {
    const transport = new FakeDiscoveryTransport(responses, { overrides: { '/apis': new KubeNetworkError('/apis', 'ECONNRESET') } });
    await expect(discoverResources(transport)).rejects.toBeInstanceOf(DiscoveryError);
  });

  it('lets errors that are not API or network failures propagate unchanged', async () => {
    const bug = new TypeError('bug in the transport');
    const transport = new FakeDiscoveryTransport(responses, { overrides: { '/apis/apps/v1': bug } });
    await expect(discoverResources(transport)).rejects.toBe(bug);
  });

  it('stops when the signal is aborted and passes the signal to every request', async () => {
    const controller = new AbortController();
    const transport = new FakeDiscoveryTransport(responses, {
      delayMs: (p) => {
        if (p === '/apis/apps/v1') controller.abort(new Error('deadline'));
        return 0;
      },
    });
    await expect(discoverResources(transport, { signal: controller.signal })).rejects.toThrow('deadline');
    expect(transport.requests.every((r) => r.signal === controller.signal)).toBe(true);
  });
});
