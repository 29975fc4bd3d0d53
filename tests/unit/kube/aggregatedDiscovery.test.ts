import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverResources, ResourceDiscovery } from '../../../lib/kube/discovery';
import { AGGREGATED_DISCOVERY_ACCEPT } from '../../../lib/kube/discoveryDocuments';
import { KubeClient } from '../../../lib/kube/KubeClient';
import type { DiscoveredGroup } from '../../../lib/kube/discoveryTypes';
import type { DiscoveredResource } from '../../../lib/kube/types';
import { makeCerts } from '../../standin/certs';
import { FakeDiscoveryTransport, loadDiscoveryFixture } from './helpers/fakeDiscoveryTransport';

const v2 = loadDiscoveryFixture('discovery-aggregated-v2');
const v2beta1 = loadDiscoveryFixture('discovery-aggregated-v2beta1');
const legacy130 = loadDiscoveryFixture('discovery-1.30');
const byName = (resources: DiscoveredResource[], name: string) => resources.find((r) => r.name === name);

/** The v2 /apis document with one more group, as the server lists an aggregated API it could not reach. */
function withStaleMetrics(): Record<string, unknown> {
  const apis = structuredClone(v2['/apis']) as { items: unknown[] };
  apis.items.push({
    metadata: { name: 'metrics.k8s.io' },
    versions: [{ version: 'v1beta1', freshness: 'Stale', resources: [] }],
  });
  return { ...v2, '/apis': apis };
}

describe('aggregated discovery (apidiscovery.k8s.io/v2)', () => {
  it('reads every group from /api and /apis in two requests that ask for v2, then v2beta1, then legacy', async () => {
    const transport = new FakeDiscoveryTransport(legacy130, { aggregated: { version: 'v2', responses: v2 } });
    const result = await discoverResources(transport);
    expect(transport.requests.map((r) => [r.path, r.accept])).toEqual([
      ['/api', AGGREGATED_DISCOVERY_ACCEPT],
      ['/apis', AGGREGATED_DISCOVERY_ACCEPT],
    ]);
    expect(AGGREGATED_DISCOVERY_ACCEPT).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
    );
    expect(result.mode).toBe('aggregated');
    expect(result.resources.map((r) => `${r.name}@${r.version}`)).toEqual([
      'configmaps@v1', 'events@v1', 'namespaces@v1', 'pods@v1', 'secrets@v1', 'services@v1',
      'apiservices.apiregistration.k8s.io@v1',
      'controllerrevisions.apps@v1', 'daemonsets.apps@v1', 'deployments.apps@v1', 'replicasets.apps@v1', 'statefulsets.apps@v1',
      'horizontalpodautoscalers.autoscaling@v2',
      'cronjobs.batch@v1', 'jobs.batch@v1',
      'certificatesigningrequests.certificates.k8s.io@v1', 'clustertrustbundles.certificates.k8s.io@v1beta1',
      'ingressclasses.networking.k8s.io@v1', 'ingresses.networking.k8s.io@v1', 'ipaddresses.networking.k8s.io@v1',
      'networkpolicies.networking.k8s.io@v1', 'servicecidrs.networking.k8s.io@v1',
      'poddisruptionbudgets.policy@v1',
      'clusterrolebindings.rbac.authorization.k8s.io@v1', 'clusterroles.rbac.authorization.k8s.io@v1',
      'rolebindings.rbac.authorization.k8s.io@v1', 'roles.rbac.authorization.k8s.io@v1',
    ]);
    expect(result.warnings).toEqual([]);
    expect(result.duplicates).toEqual([{ name: 'events.events.k8s.io', keptAs: 'events' }]);
  });

  it('takes kind from responseKind, scope from the scope word, and keeps subresources out', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport({}, { aggregated: { version: 'v2', responses: v2 } }));
    expect(byName(result.resources, 'pods')).toEqual({
      group: '', version: 'v1', groupVersion: 'v1', resource: 'pods', kind: 'Pod', namespaced: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], name: 'pods',
    });
    expect(byName(result.resources, 'namespaces')?.namespaced).toBe(false);
    expect(byName(result.resources, 'clusterroles.rbac.authorization.k8s.io')).toMatchObject({
      group: 'rbac.authorization.k8s.io', groupVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false,
    });
    expect(result.resources.some((r) => r.resource.includes('/') || ['bindings', 'tokenreviews', 'selfsubjectreviews'].includes(r.resource))).toBe(false);
  });

  it('prefers the first listed version and borrows from later ones what it lacks', async () => {
    const result = await discoverResources(new FakeDiscoveryTransport({}, { aggregated: { version: 'v2', responses: v2 } }));
    expect(result.resources.filter((r) => r.resource === 'horizontalpodautoscalers').map((r) => r.groupVersion)).toEqual(['autoscaling/v2']);
    // certificates.k8s.io lists v1 first; clustertrustbundles is served only by v1beta1 and v1alpha1.
    expect(byName(result.resources, 'clustertrustbundles.certificates.k8s.io')?.groupVersion).toBe('certificates.k8s.io/v1beta1');
  });

  it('reports a Stale group version like a failed one, without asking the broken API server', async () => {
    const transport = new FakeDiscoveryTransport({}, { aggregated: { version: 'v2', responses: withStaleMetrics() } });
    const result = await discoverResources(transport);
    expect(result.failedGroups).toEqual([
      { groupVersion: 'metrics.k8s.io/v1beta1', error: 'the aggregated discovery document marks it Stale (its API server did not answer)' },
    ]);
    expect(result.warnings).toEqual(['metrics.k8s.io/v1beta1: discovery failed: the aggregated discovery document marks it Stale (its API server did not answer)']);
    expect(result.resources.some((r) => r.group === 'metrics.k8s.io')).toBe(false);
    expect(byName(result.resources, 'roles.rbac.authorization.k8s.io')).toBeDefined();
    expect(transport.requests.map((r) => r.path)).toEqual(['/api', '/apis']);
  });

  it('falls back to a later version when the first one is Stale', async () => {
    const apis = structuredClone(v2['/apis']) as { items: Array<{ metadata: { name: string }; versions: Array<{ version: string; freshness: string }> }> };
    const autoscaling = apis.items.find((g) => g.metadata.name === 'autoscaling');
    if (!autoscaling?.versions[0]) throw new Error('fixture lost autoscaling');
    autoscaling.versions[0].freshness = 'Stale';
    const result = await discoverResources(new FakeDiscoveryTransport({}, { aggregated: { version: 'v2', responses: { ...v2, '/apis': apis } } }));
    expect(byName(result.resources, 'horizontalpodautoscalers.autoscaling')?.groupVersion).toBe('autoscaling/v1');
    expect(result.failedGroups.map((f) => f.groupVersion)).toEqual(['autoscaling/v2']);
  });
});

describe('aggregated discovery (apidiscovery.k8s.io/v2beta1)', () => {
  it('reads a server that offers only v2beta1 the same way', async () => {
    const transport = new FakeDiscoveryTransport({}, { aggregated: { version: 'v2beta1', responses: v2beta1 } });
    const result = await discoverResources(transport);
    expect(transport.requests.map((r) => r.path)).toEqual(['/api', '/apis']);
    expect(result.mode).toBe('aggregated');
    expect(result.resources.map((r) => `${r.name}@${r.version}`)).toEqual([
      'configmaps@v1', 'events@v1', 'namespaces@v1', 'pods@v1', 'secrets@v1', 'services@v1',
      'apiservices.apiregistration.k8s.io@v1',
      'controllerrevisions.apps@v1', 'daemonsets.apps@v1', 'deployments.apps@v1', 'replicasets.apps@v1', 'statefulsets.apps@v1',
      'horizontalpodautoscalers.autoscaling@v2',
    ]);
    expect(result.duplicates).toEqual([{ name: 'events.events.k8s.io', keptAs: 'events' }]);
  });
});

describe('legacy discovery fallback', () => {
  it('fetches each group version when the server answers the aggregated Accept with an APIGroupList', async () => {
    const transport = new FakeDiscoveryTransport(legacy130);
    const result = await discoverResources(transport);
    expect(result.mode).toBe('legacy');
    const roots = transport.requests.filter((r) => r.path === '/api' || r.path === '/apis');
    expect(roots.map((r) => r.accept)).toEqual([AGGREGATED_DISCOVERY_ACCEPT, AGGREGATED_DISCOVERY_ACCEPT]);
    const groupVersions = transport.requests.filter((r) => r.path.startsWith('/apis/'));
    expect(groupVersions.length).toBeGreaterThan(10);
    // A group version is asked with one quick retry at most, and as plain JSON.
    expect(groupVersions.every((r) => r.maxAttempts === 2 && r.accept === undefined)).toBe(true);
    expect(byName(result.resources, 'eniconfigs.crd.k8s.amazonaws.com')).toBeDefined();
  });

  it('hands each group over as soon as its versions answer, without waiting for a slow group', async () => {
    let releaseMetrics: () => void = () => undefined;
    const metricsHeld = new Promise<void>((resolve) => { releaseMetrics = resolve; });
    const transport = new FakeDiscoveryTransport(legacy130);
    // A broken API that answers late: held until the other groups have been handed over.
    const request = transport.request.bind(transport);
    transport.request = async (req) => {
      if (req.path === '/apis/metrics.k8s.io/v1beta1') {
        await metricsHeld;
        return { status: 503, headers: {}, body: Buffer.from('service unavailable') };
      }
      return request(req);
    };
    const discovery = ResourceDiscovery.start(transport);
    const seen: DiscoveredGroup[] = [];
    for await (const group of discovery) {
      seen.push(group);
      if (group.group === 'rbac.authorization.k8s.io') releaseMetrics();
    }
    // Every other group arrived while metrics.k8s.io was still being asked.
    expect(seen.map((g) => g.group)).toContain('crd.k8s.amazonaws.com');
    expect(seen.some((g) => g.group === 'metrics.k8s.io')).toBe(false);
    const summary = await discovery.done;
    expect(summary.failedGroups.map((f) => f.groupVersion)).toEqual(['metrics.k8s.io/v1beta1']);
  });

  it('holds a cohabitating copy until its canonical group has answered, then drops it', async () => {
    // events.k8s.io answers at once, the core group late: events.k8s.io must not be handed over first.
    const transport = new FakeDiscoveryTransport(legacy130, { delayMs: (p) => (p === '/api/v1' ? 30 : 0) });
    const seen: DiscoveredGroup[] = [];
    for await (const group of ResourceDiscovery.start(transport)) seen.push(group);
    expect(seen.flatMap((g) => g.resources).filter((r) => r.resource === 'events').map((r) => r.name)).toEqual(['events']);
  });
});

describe('a broken aggregated API through the real KubeClient', () => {
  let server: Server;
  let endpoint: string;
  let caPem: string;
  const hits = new Map<string, number>();
  const accepts = new Map<string, string | undefined>();

  beforeAll(async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'kube-discovery-')));
    caPem = certs.caPem;
    server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (req, res) => {
      const path = req.url ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      accepts.set(path, req.headers.accept);
      // kube-apiserver's proxy to an APIService whose service is gone.
      if (path === '/apis/metrics.k8s.io/v1beta1') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable\n');
      const doc = legacy130[path];
      if (doc === undefined) return void res.writeHead(404).end('{"kind":"Status","code":404}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('asks the broken group version twice at most, while the client retries other requests six times', async () => {
    const sleeps: number[] = [];
    const client = new KubeClient({ endpoint, caPem, tokens: { getToken: async () => 't', invalidate: () => undefined }, sleep: async (ms) => void sleeps.push(ms) });
    try {
      const result = await discoverResources(client);
      expect(hits.get('/apis/metrics.k8s.io/v1beta1')).toBe(2);
      expect(sleeps).toHaveLength(1);
      expect(result.warnings).toEqual(['metrics.k8s.io/v1beta1: discovery failed: 503']);
      expect(byName(result.resources, 'eniconfigs.crd.k8s.amazonaws.com')).toBeDefined();
      expect(accepts.get('/apis')).toBe(AGGREGATED_DISCOVERY_ACCEPT);
      expect(accepts.get('/apis/apps/v1')).toBe('application/json');
    } finally {
      client.destroy();
    }
  });
});
