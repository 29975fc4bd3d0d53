import { KubeApiError, KubeInvalidBodyError, KubeNetworkError } from '../../../lib/kube/errors';
import { archivableJson, streamListItems, type ArchivableItem } from '../../../lib/kube/listItems';
import { resourceListPath, withTypeMeta } from '../../../lib/kube/listPath';
import { streamResourceItems } from '../../../lib/kube/pager';
import type { DiscoveredResource, KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';
import { collectListItems } from './helpers/collectListItems';

const verbs = ['get', 'list', 'watch'];
const configmaps: DiscoveredResource = { group: '', version: 'v1', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs, name: 'configmaps' };
const deployments: DiscoveredResource = { group: 'apps', version: 'v1', groupVersion: 'apps/v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs, name: 'deployments.apps' };
const clusterRoles: DiscoveredResource = { group: 'rbac.authorization.k8s.io', version: 'v1', groupVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false, verbs, name: 'clusterroles.rbac.authorization.k8s.io' };
const nodes: DiscoveredResource = { group: '', version: 'v1', groupVersion: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, verbs, name: 'nodes' };

class RecordingTransport implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  constructor(private readonly answer: (req: KubeRequest) => { status: number; body: string }) {}
  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    const { status, body } = this.answer(req);
    return { status, headers: {}, body: Buffer.from(body, 'utf8') };
  }
}

describe('resourceListPath', () => {
  it.each([
    [configmaps, undefined, '/api/v1/configmaps'],
    [configmaps, 'kube-system', '/api/v1/namespaces/kube-system/configmaps'],
    [deployments, undefined, '/apis/apps/v1/deployments'],
    [deployments, 'team-a', '/apis/apps/v1/namespaces/team-a/deployments'],
    [clusterRoles, 'team-a', '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
    [nodes, 'default', '/api/v1/nodes'],
  ])('builds the list path of %s in namespace %s', (resource, namespace, path) => {
    expect(resourceListPath(resource, namespace)).toBe(path);
  });
});

describe('a list page read through a transport without stream() (request() fallback)', () => {
  it('sends GET with limit and continue and hands on every item with every field, and the list metadata', async () => {
    const body = '{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"91","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":3},"items":[{"metadata":{"name":"web","namespace":"team-a","annotations":{"x":"1"}},"spec":{"replicas":2,"unknownField":{"kept":true}},"status":{}}]}';
    const transport = new RecordingTransport(() => ({ status: 200, body }));
    const signal = new AbortController().signal;
    const page = await collectListItems(transport, deployments, { limit: 500, continue: 'abc', signal }, 'team-a');
    expect(transport.requests).toEqual([
      { method: 'GET', path: '/apis/apps/v1/namespaces/team-a/deployments', query: { limit: 500, continue: 'abc' }, signal },
    ]);
    const parsed = JSON.parse(body) as { metadata: unknown; items: Array<Record<string, unknown>> };
    expect(page.metadata).toEqual(parsed.metadata);
    expect(page.items.map((i) => JSON.parse(archivableJson(i).toString('utf8')) as unknown)).toEqual(parsed.items.map((i) => withTypeMeta(i, deployments)));
  });

  it('leaves continue undefined on the first request, so the transport omits it', async () => {
    const transport = new RecordingTransport(() => ({ status: 200, body: '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}' }));
    await collectListItems(transport, configmaps, { limit: 500 });
    expect(transport.requests[0]?.query).toEqual({ limit: 500, continue: undefined });
    expect(transport.requests[0]?.path).toBe('/api/v1/configmaps');
  });

  it('treats "items": null as an empty list', async () => {
    const transport = new RecordingTransport(() => ({ status: 200, body: '{"kind":"PodMetricsList","metadata":{},"items":null}' }));
    expect((await collectListItems(transport, configmaps, { limit: 500 })).items).toEqual([]);
  });

  it('throws KubeApiError with the Status reason and message for a 403', async () => {
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'secrets is forbidden: User "backup" cannot list resource "secrets" in API group "" at the cluster scope', reason: 'Forbidden', details: { kind: 'secrets' }, code: 403 };
    const transport = new RecordingTransport(() => ({ status: 403, body: JSON.stringify(status) }));
    const err = await collectListItems(transport, configmaps, { limit: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 403, reason: 'Forbidden', path: '/api/v1/configmaps' });
    expect((err as KubeApiError).message).toContain('cannot list resource "secrets"');
  });

  it('throws KubeApiError without a reason when the error body is not JSON', async () => {
    const transport = new RecordingTransport(() => ({ status: 503, body: 'service unavailable\n' }));
    const err = await collectListItems(transport, nodes, { limit: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 503, reason: undefined, message: '/api/v1/nodes: HTTP 503' });
  });

  it('throws KubeInvalidBodyError (a KubeNetworkError) for a truncated 200 body', async () => {
    const transport = new RecordingTransport(() => ({ status: 200, body: '{"kind":"ConfigMapList","items":[{"metadata":' }));
    const err = await collectListItems(transport, configmaps, { limit: 500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidBodyError);
    expect(err).toBeInstanceOf(KubeNetworkError);
  });

  it('drives the pager through a namespaced list', async () => {
    const transport = new RecordingTransport((req) => req.query?.continue === undefined
      ? { status: 200, body: '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":"c1"},"items":[{"metadata":{"name":"a","namespace":"ns"}}]}' }
      : { status: 200, body: '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"b","namespace":"ns"}}]}' });
    const names: unknown[] = [];
    await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(transport, configmaps, req, 'ns', onItems), async (items) => {
      names.push(...items.map((i) => i.metadata.name));
    }, { pageSize: 2 });
    expect(names).toEqual(['a', 'b']);
    expect(transport.requests.map((r) => r.query)).toEqual([{ limit: 2, continue: undefined }, { limit: 2, continue: 'c1' }]);
    expect(transport.requests.map((r) => r.path)).toEqual(['/api/v1/namespaces/ns/configmaps', '/api/v1/namespaces/ns/configmaps']);
  });
});

describe('withTypeMeta', () => {
  it('puts apiVersion and kind first, then every field of the item in its order', () => {
    const item = { metadata: { name: 'web', namespace: 'a', creationTimestamp: '2024-05-01T10:00:00Z' }, spec: { replicas: 1, x: null }, status: {}, zz: [1, 'two'] };
    const obj = withTypeMeta(item, deployments);
    expect(Object.keys(obj)).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status', 'zz']);
    expect(obj).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', ...item });
    expect(JSON.stringify(obj)).toBe(`{"apiVersion":"apps/v1","kind":"Deployment",${JSON.stringify(item).slice(1)}`);
  });

  it('uses v1 for core resources', () => {
    expect(withTypeMeta({ metadata: { name: 'n1' } }, nodes)).toEqual({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  });

  it('keeps the values an item already carries, still first', () => {
    const obj = withTypeMeta({ metadata: { name: 'x' }, kind: 'Deployment', apiVersion: 'apps/v1beta2' }, deployments);
    expect(Object.entries(obj)).toEqual([['apiVersion', 'apps/v1beta2'], ['kind', 'Deployment'], ['metadata', { name: 'x' }]]);
  });
});
