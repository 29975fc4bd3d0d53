import type { KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { silentLogger } from '../../../lib/observability/DelegateLogger';
import { GITOPS_PAUSED_ANNOTATION, pauseGitops, runResumeGitops } from '../../../lib/restore';
import { TargetApi } from '../../../lib/restore/TargetApi';

// runResumeGitops and TargetApi.serviceReadiness against a fake API server that serves Argo CD's group only.
type Json = Record<string, unknown>;
const json = (status: number, body: unknown): KubeResponse => ({ status, headers: {}, body: Buffer.from(JSON.stringify(body)) });
const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';

function heldApp(name: string, rv: string): Json {
  const app: Json = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'argocd', resourceVersion: rv },
    spec: { syncPolicy: { automated: { prune: true } } } };
  pauseGitops('applications.argoproj.io', app);
  return app;
}

/** Objects by path; PUTs go to `put`, which may answer a conflict. */
function fakeArgoCluster(objects: Map<string, Json>, put: (req: KubeRequest) => KubeResponse | undefined = () => undefined): KubeTransport & { puts: KubeRequest[] } {
  const puts: KubeRequest[] = [];
  return {
    puts,
    async request(req) {
      if (req.method === 'GET' && req.path === '/apis/argoproj.io/v1alpha1') {
        return json(200, { resources: [{ name: 'applications', kind: 'Application', namespaced: true, verbs: ['list', 'get', 'update'] }] });
      }
      if (req.method === 'GET' && req.path === '/apis/argoproj.io/v1alpha1/applications') {
        return json(200, { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationList', metadata: { resourceVersion: '9' }, items: [...objects.values()] });
      }
      if (req.method === 'GET' && objects.has(req.path)) return json(200, objects.get(req.path));
      if (req.method === 'PUT') {
        puts.push(req);
        const answer = put(req);
        if (answer) return answer;
        objects.set(req.path, req.body as Json);
        return json(200, req.body);
      }
      return json(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
    },
  };
}

describe('runResumeGitops', () => {
  it('puts back the recorded fields of every held applier, once (a second run finds nothing), with dryRun=All in a dry run', async () => {
    const objects = new Map([[`${APPS}/shop`, heldApp('shop', '5')], [`${APPS}/plain`, { metadata: { name: 'plain', namespace: 'argocd' }, spec: {} }]]);
    const kube = fakeArgoCluster(objects);
    const dry = await runResumeGitops({ dryRun: true, namespaces: [] }, { kube, logger: silentLogger });
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, resumed: 1, objects: [{ resource: 'applications.argoproj.io', namespace: 'argocd', name: 'shop', restored: ['spec.syncPolicy.automated'] }] });
    expect(kube.puts[0]?.query).toMatchObject({ dryRun: 'All' });
    objects.set(`${APPS}/shop`, heldApp('shop', '5'));

    const real = await runResumeGitops({ dryRun: false, namespaces: [] }, { kube, logger: silentLogger });
    expect(real).toMatchObject({ status: 'COMPLETED', resumed: 1, failed: 0 });
    expect(kube.puts[1]?.query).not.toHaveProperty('dryRun');
    expect(objects.get(`${APPS}/shop`)).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'shop', namespace: 'argocd', resourceVersion: '5' },
      spec: { syncPolicy: { automated: { prune: true } } } });
    expect(await runResumeGitops({ dryRun: false, namespaces: [] }, { kube, logger: silentLogger })).toMatchObject({ status: 'COMPLETED', resumed: 0, objects: [] });
  });

  it('reads the object again after a conflict and releases it as it now stands', async () => {
    const objects = new Map([[`${APPS}/shop`, heldApp('shop', '5')]]);
    const kube = fakeArgoCluster(objects, (req) => ((req.body as { metadata: Json }).metadata.resourceVersion === '5'
      ? json(409, { kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, message: 'the object has been modified' }) : undefined));
    // Changed since the list: the same hold, a new resourceVersion and a label someone added.
    const current = heldApp('shop', '6');
    (current.metadata as Json).labels = { team: 'shop' };
    const listed = structuredClone(objects.get(`${APPS}/shop`)!);
    objects.set(`${APPS}/shop`, current);
    const listOnce = kube.request.bind(kube);
    let listedOnce = false;
    kube.request = async (req) => {
      if (req.method === 'GET' && req.path === '/apis/argoproj.io/v1alpha1/applications' && !listedOnce) {
        listedOnce = true;
        return json(200, { items: [listed], metadata: { resourceVersion: '9' } });
      }
      return listOnce(req);
    };
    const outcome = await runResumeGitops({ dryRun: false, namespaces: [] }, { kube, logger: silentLogger });
    expect(outcome).toMatchObject({ status: 'COMPLETED', resumed: 1 });
    expect(objects.get(`${APPS}/shop`)).toMatchObject({ metadata: { resourceVersion: '6', labels: { team: 'shop' } }, spec: { syncPolicy: { automated: { prune: true } } } });
    expect((objects.get(`${APPS}/shop`)!.metadata as Json).annotations).toBeUndefined();
  });

  it('says so when the recovery cluster serves none of the appliers', async () => {
    const kube: KubeTransport = { request: async () => json(404, { kind: 'Status', status: 'Failure', code: 404 }) };
    expect(await runResumeGitops({ dryRun: false, namespaces: [] }, { kube, logger: silentLogger })).toEqual({
      status: 'COMPLETED', dryRun: false, resumed: 0, objects: [], failed: 0, failures: [],
      warnings: [expect.stringMatching(/serves none of Argo CD's or Flux's appliers/)],
    });
  });

  it('records an object whose annotation it cannot read, and one the API server refuses, and goes on', async () => {
    const broken = heldApp('broken', '1');
    ((broken.metadata as Json).annotations as Json)[GITOPS_PAUSED_ANNOTATION] = 'not json';
    const objects = new Map([[`${APPS}/broken`, broken], [`${APPS}/refused`, heldApp('refused', '1')], [`${APPS}/fine`, heldApp('fine', '1')]]);
    const kube = fakeArgoCluster(objects, (req) => (req.path.endsWith('/refused')
      ? json(422, { kind: 'Status', status: 'Failure', reason: 'Invalid', code: 422, message: 'spec.syncPolicy: Invalid value' }) : undefined));
    const outcome = await runResumeGitops({ dryRun: false, namespaces: [] }, { kube, logger: silentLogger });
    expect(outcome).toMatchObject({ status: 'PARTIAL', resumed: 1, failed: 2 });
    expect(outcome.failures).toEqual([
      { resource: 'applications.argoproj.io', namespace: 'argocd', name: 'broken', error: expect.stringMatching(/is not a JSON list/) },
      { resource: 'applications.argoproj.io', namespace: 'argocd', name: 'refused', error: expect.stringMatching(/422.*Invalid value/) },
    ]);
  });
});

describe('TargetApi.serviceReadiness', () => {
  const cluster = (objects: Record<string, unknown>, slices?: unknown[]): KubeTransport => ({
    async request(req) {
      if (req.path === '/apis/discovery.k8s.io/v1') return slices ? json(200, { resources: [{ name: 'endpointslices', kind: 'EndpointSlice', namespaced: true, verbs: ['list'] }] }) : json(404, {});
      if (req.path === '/apis/discovery.k8s.io') return json(404, {});
      if (req.path === '/apis/discovery.k8s.io/v1/namespaces/hooks/endpointslices') {
        expect(req.query).toEqual({ labelSelector: 'kubernetes.io/service-name=svc' });
        return json(200, { items: slices });
      }
      return req.path in objects ? json(200, objects[req.path]) : json(404, {});
    },
  });
  const SVC = '/api/v1/namespaces/hooks/services/svc';
  const EP = '/api/v1/namespaces/hooks/endpoints/svc';
  it.each([
    ['no Service', {}, undefined, 'service-not-found'],
    ['ExternalName Service: nothing to check', { [SVC]: { spec: { type: 'ExternalName' } } }, undefined, 'ready'],
    ['Endpoints with a ready address', { [SVC]: { spec: {} }, [EP]: { subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] } }, undefined, 'ready'],
    ['Endpoints with none, no EndpointSlice API', { [SVC]: { spec: {} }, [EP]: { subsets: [] } }, undefined, 'no-ready-endpoints'],
    ['no Endpoints, a ready EndpointSlice', { [SVC]: { spec: {} } }, [{ endpoints: [{ addresses: ['10.0.0.2'] }] }], 'ready'],
    ['no Endpoints, a slice whose endpoint is not ready', { [SVC]: { spec: {} } }, [{ endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: false } }] }], 'no-ready-endpoints'],
  ])('%s', async (_name, objects, slices, expected) => {
    expect(await new TargetApi(cluster(objects, slices)).serviceReadiness('hooks', 'svc')).toBe(expected);
  });
});
