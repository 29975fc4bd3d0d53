import { ListBodySyntaxError } from '../../../lib/kube/jsonScan';
import { ListStreamScanner } from '../../../lib/kube/ListStreamScanner';

/** A whole body through the scanner at once: its items (offsets into the body) and the list metadata. */
function scanListBody(body: Buffer) {
  const scanner = new ListStreamScanner({ scanThresholdBytes: 0 });
  const first = scanner.push(body);
  const last = scanner.end();
  return { items: [...first.items, ...last.items], metadata: last.metadata };
}

const body = (text: string) => Buffer.from(text, 'utf8');
const slice = (b: Buffer, s: { start: number; end: number }) => b.toString('utf8', s.start, s.end);

describe('scanListBody', () => {
  it('finds each item with its name and namespace, and the continue token of a built-in list', () => {
    const items = [
      { metadata: { name: 'a', namespace: 'team-a', labels: { x: '}{]["' } }, data: { k: 'v' } },
      { metadata: { name: 'b', namespace: 'team-b' }, spec: { list: [1, 2, { deep: [] }] } },
    ];
    const b = body(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '9', continue: 'tok' }, items }));
    const scanned = scanListBody(b);
    expect(scanned.metadata).toEqual({ resourceVersion: '9', continue: 'tok' });
    expect(scanned.items.map((i) => [i.name, i.namespace, i.hasApiVersion, i.hasKind, i.needsParse])).toEqual([
      ['a', 'team-a', false, false, false],
      ['b', 'team-b', false, false, false],
    ]);
    expect(scanned.items.map((i) => JSON.parse(slice(b, i)) as unknown)).toEqual(items);
  });

  it('gives the range of metadata.managedFields, and none when it is absent or not a list', () => {
    const managed = [{ manager: 'm', fieldsV1: { 'f:data': { '.': {}, 'f:"odd]': {} } } }];
    const items = [
      { metadata: { name: 'a', managedFields: managed, namespace: 'n' }, data: { k: 'v' } },
      { metadata: { name: 'b' }, spec: { managedFields: [1] } },
      { metadata: { name: 'c', managedFields: null } },
    ];
    const b = body(JSON.stringify({ items }));
    const scanned = scanListBody(b);
    expect(JSON.parse(slice(b, scanned.items[0]!.managedFields!))).toEqual(managed);
    expect(scanned.items[0]!.namespace).toBe('n');
    expect(scanned.items.slice(1).map((i) => i.managedFields)).toEqual([undefined, undefined]);
    expect(scanned.items.map((i) => JSON.parse(slice(b, i)) as unknown)).toEqual(items);
  });

  it('reads custom resource lists, whose keys are sorted: metadata after items, apiVersion and kind on each item', () => {
    const b = body(JSON.stringify({
      apiVersion: 'example.com/v1',
      items: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { annotations: { a: 'b' }, name: 'w', namespace: 'n' }, spec: {} }],
      kind: 'WidgetList',
      metadata: { continue: 'next' },
    }));
    const scanned = scanListBody(b);
    expect(scanned.metadata).toEqual({ continue: 'next' });
    expect(scanned.items).toHaveLength(1);
    expect(scanned.items[0]).toMatchObject({ name: 'w', namespace: 'n', hasApiVersion: true, hasKind: true, needsParse: false });
  });

  it('copes with whitespace, escaped quotes and backslashes, and decodes escaped names', () => {
    const text = '{ "items" : [ { "metadata" : { "name" : "a\\"b\\\\" , "namespace":"ns\\u00e9" }, "data": {"q": "x\\\\\\"}"} } ,\n {"metadata":{"name":"c"}} ] , "metadata" : { } }';
    const b = body(text);
    const scanned = scanListBody(b);
    expect(scanned.items.map((i) => [i.name, i.namespace])).toEqual([['a"b\\', 'nsé'], ['c', undefined]]);
    expect(JSON.parse(slice(b, scanned.items[0]!))).toEqual((JSON.parse(text) as { items: unknown[] }).items[0]);
  });

  it('treats null or missing items as an empty list and skips elements that are not objects', () => {
    expect(scanListBody(body('{"items":null,"metadata":{}}')).items).toEqual([]);
    expect(scanListBody(body('{"metadata":{}}')).items).toEqual([]);
    const scanned = scanListBody(body('{"items":[1,"x",null,{"metadata":{"name":"only"}},[]]}'));
    expect(scanned.items.map((i) => i.name)).toEqual(['only']);
  });

  it('marks items whose meaning needs a real parse: escaped keys, non-string or repeated apiVersion and kind', () => {
    const scanned = scanListBody(body(JSON.stringify({ items: [
      { kind: 1, metadata: { name: 'a' } },
      { apiVersion: 'v1', metadata: { name: 'b' } },
    ] }).replace('"items":[', '"items":[{"metadata":{"n\\u0061me":"c"}},{"kind":"A","kind":"B"},')));
    expect(scanned.items.map((i) => i.needsParse)).toEqual([true, true, true, false]);
    expect(scanned.items[3]).toMatchObject({ hasApiVersion: true, hasKind: false });
  });

  it('rejects a body cut short at any byte', () => {
    const text = JSON.stringify({ kind: 'List', metadata: { continue: 'c' }, items: [{ metadata: { name: 'a"{' }, n: 12, t: true, z: null }] });
    for (let cut = 0; cut < text.length; cut++) {
      expect(() => scanListBody(body(text.slice(0, cut)))).toThrow(ListBodySyntaxError);
    }
    expect(scanListBody(body(text)).items).toHaveLength(1);
  });

  it('rejects what is not a list object', () => {
    for (const text of ['<html></html>', '[]', '{"items":{}}', '{"items":[]} trailing', '{"items" [] }']) {
      expect(() => scanListBody(body(text))).toThrow(ListBodySyntaxError);
    }
  });
});
