import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DependencyCollector } from '../../../lib/dependencies';
import { PARTITIONS } from '../../../lib/dependencies/arns';
import { mayReferenceAws, mayReferenceAwsText } from '../../../lib/dependencies/mayReferenceAws';
import { objectAt } from '../../../bench/seedCluster';
import { collectListItems } from '../kube/helpers/collectListItems';
import type { DiscoveredResource, KubeTransport } from '../../../lib/kube/types';
import { loadFixture, type FixtureName } from './loadFixture';

const FIXTURES = readdirSync(join(__dirname, 'fixtures')).map((f) => f.replace(/\.json$/, '') as FixtureName);
const options = { clusterAccount: '111122223333', clusterRegion: 'us-west-2' };
const json = (obj: unknown) => Buffer.from(JSON.stringify(obj), 'utf8');

describe('mayReferenceAws and DependencyCollector.observeJson', () => {
  it.each(FIXTURES)('finds exactly what observe() finds in fixture %s', (name) => {
    const fixture = loadFixture(name);
    expect(mayReferenceAws(json(fixture))).toBe(true);
    const parsed = new DependencyCollector(options);
    parsed.observe(fixture);
    const raw = new DependencyCollector(options);
    raw.observeJson(json(fixture));
    expect(raw.result()).toEqual(parsed.result());
    expect(raw.result().length).toBeGreaterThan(0);
  });

  it.each(FIXTURES)('finds the same in fixture %s served in a list and read without its managedFields', async (name) => {
    const fixture = loadFixture(name) as Record<string, unknown> & { metadata?: Record<string, unknown> };
    // managedFields naming an image and an ARN-like key: skipped by observe(), and excised by the list reader.
    const served: Record<string, unknown> = { ...fixture, metadata: { ...fixture.metadata, managedFields: [{ manager: 'arn:aws:iam::111122223333:role/x', fieldsV1: { 'f:image': {} } }] } };
    const { apiVersion, kind, ...item } = served;
    const [group, version] = String(apiVersion).includes('/') ? String(apiVersion).split('/') : ['', String(apiVersion)];
    const resource: DiscoveredResource = {
      group: group!, version: version!, groupVersion: String(apiVersion), resource: 'things', kind: String(kind), namespaced: true, verbs: ['list'], name: 'things',
    };
    const transport: KubeTransport = { request: async () => ({ status: 200, headers: {}, body: json({ items: [item] }) }) };
    const [listed] = (await collectListItems(transport, resource, { limit: 1 })).items;
    expect(listed!.withoutManagedFields).toBeDefined();
    const parsed = new DependencyCollector(options);
    parsed.observe(served);
    const raw = new DependencyCollector(options);
    raw.observeJson(listed!.withoutManagedFields!);
    expect(raw.result()).toEqual(parsed.result());
    expect(raw.result().length).toBeGreaterThan(0);
  });

  it('skips objects whose text names nothing AWS, and those indeed yield nothing', () => {
    const plain = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: 'c2VjcmV0' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { images: ['not-a-container'] } },
    ];
    for (const obj of plain) {
      expect(mayReferenceAws(json(obj))).toBe(false);
      const collector = new DependencyCollector(options);
      collector.observe(obj);
      expect(collector.result()).toEqual([]);
    }
  });

  it('sees an ARN of every partition findArns accepts, whose names all hold the `aws` marker', () => {
    for (const partition of PARTITIONS) {
      const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' }, data: { topic: `arn:${partition}:sns:us-west-2:111122223333:t` } };
      expect(mayReferenceAws(json(obj))).toBe(true);
      const collector = new DependencyCollector(options);
      collector.observeJson(json(obj));
      expect(collector.result().map((d) => d.id)).toEqual([`arn:${partition}:sns:us-west-2:111122223333:t`]);
    }
  });

  it('finds what observe() finds in every object of the bench cluster (its first 2,000 seeds)', () => {
    const parsed = new DependencyCollector(options);
    const raw = new DependencyCollector(options);
    let skipped = 0;
    for (let i = 0; i < 2000; i++) {
      const { body } = objectAt(i);
      parsed.observe(body);
      raw.observeJson(json(body));
      if (!mayReferenceAws(json(body))) skipped++;
    }
    expect(raw.result()).toEqual(parsed.result());
    expect(raw.result().length).toBeGreaterThan(100);
    // The pre-filter does skip objects (secrets, services, widgets), or it would prove nothing.
    expect(skipped).toBeGreaterThan(500);
  });

  it('tests text as it tests bytes: a marker or a backslash anywhere, split or not', () => {
    const markers = ['aws', '"image"', '.dkr', 'alb.ingress.kubernetes.io/', '\\'];
    const near = ['aw', 'image"', '.dk', 'alb.ingress.kubernetes.io', 'AWS', '"Image"', 'ünïcode ✓', '{"a":[1,2]}'];
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 2000; round++) {
      const pieces = Array.from({ length: 1 + next(6) }, () => (next(8) === 0 ? markers[next(markers.length)]! : near[next(near.length)]!));
      const text = pieces.join('');
      const expected = markers.some((m) => text.includes(m));
      expect(mayReferenceAwsText(text)).toBe(expected);
      expect(mayReferenceAws(Buffer.from(text, 'utf8'))).toBe(expected);
    }
  });

  it('walks objects whose markers hide behind JSON escapes', () => {
    // No marker is left in the bytes: `aws` is spelled with an escape.
    const text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"},"data":{"topic":"arn:\\u0061ws:sns:us-west-2:111122223333:orders"}}';
    expect(text).not.toContain('aws');
    const collector = new DependencyCollector(options);
    collector.observeJson(Buffer.from(text, 'utf8'));
    expect(collector.result().map((d) => d.id)).toEqual(['arn:aws:sns:us-west-2:111122223333:orders']);
  });

  it('keeps the first references up to the default cap of 10 and counts the rest', () => {
    const collector = new DependencyCollector(options);
    for (let i = 0; i < 25; i++) {
      collector.observe({
        apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${String(i).padStart(2, '0')}`, namespace: 'n', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' } },
      });
    }
    const [role] = collector.result();
    expect(role?.references.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `sa-${String(i).padStart(2, '0')}`));
    expect(role?.referencesTruncated).toBe(15);
  });
});

describe('DependencyCollector walk', () => {
  it('does not walk metadata.managedFields, which records field owners, not configuration', () => {
    const collector = new DependencyCollector(options);
    collector.observe({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: {
        name: 'c', namespace: 'n',
        managedFields: [{ manager: 'arn:aws:iam::111122223333:role/owner', fieldsV1: { 'f:data': { 'f:topic': {} } } }],
      },
      data: { topic: 'arn:aws:sns:us-west-2:111122223333:orders' },
    });
    expect(collector.result().map((d) => d.id)).toEqual(['arn:aws:sns:us-west-2:111122223333:orders']);
  });
});
