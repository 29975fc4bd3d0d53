import { KubeApiError, KubeInvalidBodyError } from '../../../lib/kube/errors';
import { archivableJson, type ArchivableItem } from '../../../lib/kube/listItems';
import { withTypeMeta } from '../../../lib/kube/listPath';
import { streamResourceItems } from '../../../lib/kube/pager';
import { collectListItems, keepItem } from './helpers/collectListItems';
import { streamListItems } from '../../../lib/kube/listItems';
import { BufferPool } from '../../../lib/kube/BufferPool';
import type { DiscoveredResource, KubeRequest, KubeResponse, KubeStreamResponse, KubeTransport } from '../../../lib/kube/types';

const verbs = ['get', 'list', 'watch'];
const configmaps: DiscoveredResource = { group: '', version: 'v1', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs, name: 'configmaps' };
const widgets: DiscoveredResource = { group: 'example.com', version: 'v1', groupVersion: 'example.com/v1', resource: 'widgets', kind: 'Widget', namespaced: true, verbs, name: 'widgets.example.com' };

class ScriptedTransport implements KubeTransport {
  readonly requests: KubeRequest[] = [];
  /** With `chunkBytes`, stream() hands bodies over in pieces of that size, as a socket would. */
  constructor(private readonly answers: Array<{ status: number; body: string }>, chunkBytes?: number) {
    if (chunkBytes !== undefined) {
      this.stream = async (req: KubeRequest): Promise<KubeStreamResponse> => {
        const res = await this.request(req);
        return { status: res.status, headers: res.headers, body: inPieces(res.body, chunkBytes) };
      };
    }
  }
  stream?: (req: KubeRequest) => Promise<KubeStreamResponse>;
  async request(req: KubeRequest): Promise<KubeResponse> {
    this.requests.push(req);
    const answer = this.answers.shift();
    if (!answer) throw new Error('no more answers scripted');
    return { status: answer.status, headers: {}, body: Buffer.from(answer.body, 'utf8') };
  }
}

async function* inPieces(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

const text = (b: Buffer) => b.toString('utf8');

describe('streamListItems', () => {
  it('stores each item as withTypeMeta would, apiVersion and kind first, with the item bytes as sent', async () => {
    // A number no double can hold: parse and stringify would have rounded it.
    const body = '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"continue":"t"},"items":[{"metadata":{"name":"a","namespace":"n"},"data":{"big":12345678901234567890123,"s":"ünï ✓"}},{}]}';
    const page = await collectListItems(new ScriptedTransport([{ status: 200, body }]), configmaps, { limit: 2 });
    expect(page.metadata).toEqual({ continue: 't' });
    expect(page.items.map((i) => i.metadata)).toEqual([{ name: 'a', namespace: 'n' }, { name: undefined, namespace: undefined }]);
    expect(text(archivableJson(page.items[0]!))).toBe('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"n"},"data":{"big":12345678901234567890123,"s":"ünï ✓"}}');
    expect(text(archivableJson(page.items[1]!))).toBe('{"apiVersion":"v1","kind":"ConfigMap"}');
    const items = (JSON.parse(body) as { items: Array<Record<string, unknown>> }).items;
    page.items.forEach((item, i) => expect(JSON.parse(text(archivableJson(item)))).toEqual(withTypeMeta(items[i]!, configmaps)));
  });

  it('hands on the same items whatever the chunk size and scan threshold, reusing pooled windows', async () => {
    const listItems = Array.from({ length: 40 }, (_, k) => ({
      metadata: { name: `cm-${k}`, namespace: `ns-${k % 3}`, managedFields: [{ manager: 'm', fieldsV1: { 'f:data': {} } }] },
      data: { text: 'x'.repeat(k * 97), quote: '"}]{[\\', unicode: 'ünï ✓' },
    }));
    const body = JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { continue: 'next' }, items: listItems });
    const expected = listItems.map((i) => withTypeMeta(i, configmaps));
    const pool = new BufferPool({ maxFree: 1, minBytes: 16 });
    for (const chunk of [1, 3, 17, 1000, body.length]) {
      for (const scanThresholdBytes of [0, 100, 64 * 1024]) {
        const items: ArchivableItem[] = [];
        const end = await streamListItems(new ScriptedTransport([{ status: 200, body }], chunk), configmaps, { limit: 40 }, undefined, async (batch) => {
          items.push(...batch.map(keepItem));
        }, { pool, scanThresholdBytes });
        expect(end.metadata).toEqual({ continue: 'next' });
        expect(items.map((i) => JSON.parse(text(archivableJson(i))) as unknown)).toEqual(expected);
        expect(items.map((i) => i.metadata)).toEqual(listItems.map((i) => ({ name: i.metadata.name, namespace: i.metadata.namespace })));
        expect(pool.freeCount).toBe(1);
      }
    }
  });

  it('hands on an item larger than the window and the threshold (a 2 MB secret), and keeps the grown window for reuse', async () => {
    const huge = { metadata: { name: 'huge', namespace: 'n' }, data: { blob: 'A'.repeat(2_000_000) } };
    const small = { metadata: { name: 'after', namespace: 'n' }, data: { k: 'v' } };
    const body = JSON.stringify({ kind: 'SecretList', metadata: {}, items: [huge, small] });
    const pool = new BufferPool({ maxFree: 1 });
    const items: ArchivableItem[] = [];
    await streamListItems(new ScriptedTransport([{ status: 200, body }], 16 * 1024), configmaps, { limit: 2 }, undefined, async (batch) => {
      items.push(...batch.map(keepItem));
    }, { pool });
    expect(items.map((i) => i.metadata.name)).toEqual(['huge', 'after']);
    expect(JSON.parse(text(archivableJson(items[0]!)))).toEqual(withTypeMeta(huge, configmaps));
    expect(pool.freeCount).toBe(1);
    expect(pool.take(2_000_000).length).toBeGreaterThanOrEqual(2_000_000);
  });

  it('stores items that carry apiVersion and kind (custom resources) exactly as sent', async () => {
    const item = '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"n"},"spec":{"x":1.50}}';
    const page = await collectListItems(new ScriptedTransport([{ status: 200, body: `{"apiVersion":"example.com/v1","items":[${item}],"kind":"WidgetList","metadata":{}}` }]), widgets, { limit: 5 });
    expect(text(archivableJson(page.items[0]!))).toBe(item);
  });

  it('parses the items only a parse can settle, with the same result as withTypeMeta', async () => {
    const items = [{ kind: 'Widget', metadata: { name: 'only-kind' } }, { apiVersion: 7, metadata: { name: 'odd' } }];
    const page = await collectListItems(new ScriptedTransport([{ status: 200, body: JSON.stringify({ items }) }]), widgets, { limit: 5 });
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
    const page = await collectListItems(new ScriptedTransport([{ status: 200, body: JSON.stringify({ items: listItems }) }]), configmaps, { limit: 5 });
    const withoutManaged = (i: number) => JSON.parse(text(Buffer.concat(page.items[i]!.withoutManagedFields!))) as unknown;
    expect(withoutManaged(0)).toEqual(withTypeMeta({ ...listItems[0]!, metadata: { ...listItems[0]!.metadata, managedFields: [] } }, configmaps));
    expect(withoutManaged(1)).toEqual({ ...listItems[1]!, metadata: { managedFields: [], name: 'w' } });
    expect(page.items[2]!.withoutManagedFields).toBeUndefined();
    // The archive keeps every byte.
    page.items.forEach((item, i) => expect(JSON.parse(text(archivableJson(item)))).toEqual(withTypeMeta(listItems[i]!, configmaps)));
  });

  it('throws KubeInvalidBodyError for a body cut short, after handing on the items before the cut', async () => {
    const full = '{"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}],"metadata":{}}';
    const seen: string[] = [];
    const err = await streamListItems(new ScriptedTransport([{ status: 200, body: full.slice(0, 50) }], 7), configmaps, { limit: 2 }, undefined, async (items) => {
      seen.push(...items.map((i) => i.metadata.name ?? ''));
    }, { scanThresholdBytes: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidBodyError);
    expect(seen).toEqual(['a']);
  });

  it('turns a non-2xx answer into KubeApiError with the Status reason', async () => {
    const transport = new ScriptedTransport([{ status: 403, body: '{"kind":"Status","reason":"Forbidden","message":"no"}' }]);
    const err = await collectListItems(transport, configmaps, { limit: 1 }, 'ns').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ status: 403, reason: 'Forbidden', path: '/api/v1/namespaces/ns/configmaps' });
  });

  it('sends limit and continue, and pages through with streamResourceItems', async () => {
    const transport = new ScriptedTransport([
      { status: 200, body: '{"metadata":{"continue":"c1"},"items":[{"metadata":{"name":"a","namespace":"n"}}]}' },
      { status: 200, body: '{"metadata":{},"items":[{"metadata":{"name":"b","namespace":"n"}}]}' },
    ]);
    const names: Array<string | undefined> = [];
    await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(transport, configmaps, req, undefined, onItems), async (items) => {
      names.push(...items.map((i) => i.metadata.name));
    }, { pageSize: 1 });
    expect(names).toEqual(['a', 'b']);
    expect(transport.requests.map((r) => r.query)).toEqual([{ limit: 1, continue: undefined }, { limit: 1, continue: 'c1' }]);
  });

  it('asks again for a page whose body broke, handing on each item once', async () => {
    const page = (names: string[], cont?: string) => JSON.stringify({ metadata: cont ? { continue: cont } : {}, items: names.map((name) => ({ metadata: { name, namespace: 'n' } })) });
    const first = page(['a', 'b', 'c'], 'c1');
    const transport = new ScriptedTransport([
      { status: 200, body: first.slice(0, first.indexOf('"c"') - 5) }, // cut inside item c: a and b are handed on
      { status: 200, body: first },
      { status: 200, body: page(['d']) },
    ], 5);
    const names: Array<string | undefined> = [];
    await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(transport, configmaps, req, undefined, onItems, { scanThresholdBytes: 0 }), async (items) => {
      names.push(...items.map((i) => keepItem(i).metadata.name));
    }, { pageSize: 3 });
    expect(names).toEqual(['a', 'b', 'c', 'd']);
    expect(transport.requests.map((r) => r.query?.continue)).toEqual([undefined, undefined, 'c1']);
  });

  it('gives up on a page whose body keeps breaking, after bodyAttempts', async () => {
    const body = '{"items":[{"metadata":{"name":"a"}}]';
    const transport = new ScriptedTransport([1, 2].map(() => ({ status: 200, body })));
    const err = await streamResourceItems<ArchivableItem>((req, onItems) => streamListItems(transport, configmaps, req, undefined, onItems), async () => undefined, { bodyAttempts: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeInvalidBodyError);
    expect(transport.requests).toHaveLength(2);
  });
});
