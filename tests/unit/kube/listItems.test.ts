import { KubeApiError, KubeInvalidBodyError } from '../../../lib/kube/errors';
import { archivableJson, fetchListItems } from '../../../lib/kube/listItems';
import { withTypeMeta } from '../../../lib/kube/listPath';
import { listResourcePages } from '../../../lib/kube/pager';
import type { DiscoveredResource, KubeRequest, KubeResponse, KubeTransport } from '../../../lib/kube/types';

const verbs = ['get', 'list', 'watch'];
const configmaps: DiscoveredResource = { group: '', version: 'v1', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs, name: 'configmaps' };
const widgets: DiscoveredResource = { group: 'example.com', version: 'v1', groupVersion: 'example.com/v1', resource: 'widgets', kind: 'Widget', namespaced: true, verbs, name: 'widgets.example.com' };

class ScriptedTransport implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  constructor(private readonly answers: Array<{ status: number; body: string }>) {}
  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    const answer = this.answers.shift();
    if (!answer) throw new Error('no more answers scripted');
    return { status: answer.status, headers: {}, body: Buffer.from(answer.body, 'utf8') };
  }
}

const text = (b: Buffer) => b.toString('utf8');

describe('fetchListItems', () => {
  it('stores each item as withTypeMeta would, apiVersion and kind first, with the item bytes as sent', async () => {
    // A number no double can hold: parse and stringify would have rounded it.
    const body = '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":"t"},"items":[{"metadata":{"name":"a","namespace":"n"},"data":{"big":12345678901234567890123,"s":"ünï ✓"}},{}]}';
    const page = await fetchListItems(new ScriptedTransport([{ status: 200, body }]), configmaps, { limit: 2 });
    expect(page.metadata).toEqual({ continue: 't' });
    expect(page.items.map((i) => i.metadata)).toEqual([{ name: 'a', namespace: 'n' }, { name: undefined, namespace: undefined }]);
    expect(text(archivableJson(page.items[0]!))).toBe('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"},"data":{"big":12345678901234567890123,"s":"ünï ✓"}}');
    expect(text(archivableJson(page.items[1]!))).toBe('{"apiVersion":"v1","kind":"ConfigMap"}');
    const items = (JSON.parse(body) as { items: Array<Record<string, unknown>> }).items;
    page.items.forEach((item, i) => expect(JSON.parse(text(archivableJson(item)))).toEqual(withTypeMeta(items[i]!, configmaps)));
  });

  it('stores items that carry apiVersion and kind (custom resources) exactly as sent', async () => {
    const item = '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"n"},"spec":{"x":1.50}}';
    const page = await fetchListItems(new ScriptedTransport([{ status: 200, body: `{"apiVersion":"example.com/v1","items":[${item}],"kind":"WidgetList","metadata":{}}` }]), widgets, { limit: 5 });
    expect(text(archivableJson(page.items[0]!))).toBe(item);
  });

  it('parses the items only a parse can settle, with the same result as withTypeMeta', async () => {
    const items = [{ kind: 'Widget', metadata: { name: 'only-kind' } }, { apiVersion: 7, metadata: { name: 'odd' } }];
    const page = await fetchListItems(new ScriptedTransport([{ status: 200, body: JSON.stringify({ items }) }]), widgets, { limit: 5 });
    expect(page.items.map((i) => JSON.parse(text(archivableJson(i))) as unknown)).toEqual(items.map((i) => withTypeMeta(i, widgets)));
    expect(page.items.map((i) => i.metadata.name)).toEqual(['only-kind', 'odd']);
  });

  it('offers each item without its managedFields value (for the dependency scan), the archive copy untouched', async () => {
    const managed = [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:data': { 'f:arn': {} } } }];
    const listItems = [
      { metadata: { name: 'a', namespace: 'n', managedFields: managed, labels: { x: 'y' } }, data: { arn: 'arn:aws:sns:us-east-1:123456789012:t' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { managedFields: managed, name: 'w' } },
      { metadata: { name: 'plain' } },
    ];
    const page = await fetchListItems(new ScriptedTransport([{ status: 200, body: JSON.stringify({ items: listItems }) }]), configmaps, { limit: 5 });
    const withoutManaged = (i: number) => JSON.parse(text(Buffer.concat(page.items[i]!.withoutManagedFields!))) as unknown;
    expect(withoutManaged(0)).toEqual(withTypeMeta({ ...listItems[0]!, metadata: { ...listItems[0]!.metadata, managedFields: [] } }, configmaps));
    expect(withoutManaged(1)).toEqual({ ...listItems[1]!, metadata: { managedFields: [], name: 'w' } });
    expect(page.items[2]!.withoutManagedFields).toBeUndefined();
    // The archive keeps every byte.
    page.items.forEach((item, i) => expect(JSON.parse(text(archivableJson(item)))).toEqual(withTypeMeta(listItems[i]!, configmaps)));
  });

  it('fetches a body cut short again, and fails with KubeInvalidBodyError when it stays cut', async () => {
    const full = '{"items":[{"metadata":{"name":"a"}}],"metadata":{}}';
    const transport = new ScriptedTransport([{ status: 200, body: full.slice(0, 20) }, { status: 200, body: full }]);
    expect((await fetchListItems(transport, configmaps, { limit: 1 })).items).toHaveLength(1);
    expect(transport.requests).toHaveLength(2);
    const broken = new ScriptedTransport([1, 2, 3].map(() => ({ status: 200, body: full.slice(0, 30) })));
    await expect(fetchListItems(broken, configmaps, { limit: 1 })).rejects.toBeInstanceOf(KubeInvalidBodyError);
  });

  it('turns a non-2xx answer into KubeApiError with the Status reason', async () => {
    const transport = new ScriptedTransport([{ status: 403, body: '{"kind":"Status","reason":"Forbidden","message":"no"}' }]);
    const err = await fetchListItems(transport, configmaps, { limit: 1 }, 'ns').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 403, reason: 'Forbidden', path: '/api/v1/namespaces/ns/configmaps' });
  });

  it('sends limit and continue, and pages through with listResourcePages', async () => {
    const transport = new ScriptedTransport([
      { status: 200, body: '{"metadata":{"continue":"c1"},"items":[{"metadata":{"name":"a","namespace":"n"}}]}' },
      { status: 200, body: '{"metadata":{},"items":[{"metadata":{"name":"b","namespace":"n"}}]}' },
    ]);
    const names: Array<string | undefined> = [];
    for await (const page of listResourcePages((req) => fetchListItems(transport, configmaps, req), { pageSize: 1 })) {
      names.push(...page.items.map((i) => i.metadata.name));
    }
    expect(names).toEqual(['a', 'b']);
    expect(transport.requests.map((r) => r.query)).toEqual([{ limit: 1, continue: undefined }, { limit: 1, continue: 'c1' }]);
  });
});
