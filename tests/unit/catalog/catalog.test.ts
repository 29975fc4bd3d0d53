import {
  applyRetention, describeRecoveryPoint, diffRecoveryPoints, listRecoveryPoints, resolveDiffPair, verifyRecoveryPoint,
} from '../../../lib/catalog';
import { archiveKey, manifestKey, restoreLockKey } from '../../../lib/recovery-point';
import { memoryS3, type MemoryS3 } from './memoryS3';
import { configMap, putRecoveryPoint, type FixtureObject } from './recoveryPointFixture';

const where = (s3: MemoryS3) => ({ s3: s3.client, bucket: 'bucket', prefix: 'eks/', clusterName: 'prod' });
const id = (day: number, suffix = 'aaaa') => `202611${String(day).padStart(2, '0')}T000000Z-${suffix}`;
const DAY = 24 * 60 * 60 * 1000;

function deployment(name: string, replicas: number, rv: string): FixtureObject {
  return {
    resource: 'deployments.apps',
    object: {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace: 'shop', resourceVersion: rv, generation: Number(rv), uid: 'u1', managedFields: [{ manager: rv }], labels: { 'app.kubernetes.io/name': name } },
      spec: { replicas, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
      status: { replicas, observedGeneration: Number(rv) },
    },
  };
}

function secret(name: string, data: Record<string, string>, rv = '1'): FixtureObject {
  return { resource: 'secrets', object: { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace: 'shop', resourceVersion: rv }, data } };
}

function namespace(name: string, rv = '1'): FixtureObject {
  return { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: rv }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } };
}

describe('listRecoveryPoints', () => {
  it('lists newest first with counts, and shows a folder without a manifest as incomplete', async () => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: id(20), objects: [configMap('a', 'x', { k: '1' })] });
    await putRecoveryPoint(s3, { id: id(21), status: 'PARTIAL', objects: [configMap('a', 'x', { k: '1' }), configMap('a', 'y', { k: '1' })], awsDependencies: [{ type: 'ecr-repository', id: 'r' }] });
    s3.put(archiveKey(`eks/prod/${id(22)}/`), 'partial upload', new Date('2026-11-22T00:00:05Z'));
    const out = await listRecoveryPoints(where(s3));
    expect(out.recoveryPoints.map((r) => [r.recoveryPointId, r.status, r.objects, r.dependencies])).toEqual([
      [id(21), 'PARTIAL', 2, 1], [id(20), 'COMPLETED', 1, 0],
    ]);
    expect(out.recoveryPoints[0]).toMatchObject({ durationMs: 4200, resources: 1, unreadable: 0 });
    expect(out.incomplete).toEqual([{ recoveryPointId: id(22), lastModified: '2026-11-22T00:00:05.000Z', bytes: 14, reason: expect.stringMatching(/no manifest/) }]);
    expect(out.total).toBe(3);
    expect(out.nextToken).toBeUndefined();
  });

  it('pages 10,000 recovery points with delimited listings, reading only the page\'s manifests and no archive', async () => {
    const s3 = memoryS3();
    const template = await putRecoveryPoint(memoryS3(), { id: 'template', objects: [configMap('a', 'x', { k: '1' })] });
    for (let i = 0; i < 10_000; i++) {
      const rp = `2026${String(10_000_000 + i)}-0000`;
      s3.put(manifestKey(`eks/prod/${rp}/`), JSON.stringify({ ...template, recoveryPointId: rp, archive: { ...template.archive, key: archiveKey(`eks/prod/${rp}/`) } }));
    }
    const first = await listRecoveryPoints(where(s3), { limit: 50 });
    expect(first.recoveryPoints).toHaveLength(50);
    expect(first.recoveryPoints[0]!.recoveryPointId).toBe('202610009999-0000');
    expect(first.total).toBe(10_000);
    expect(s3.calls.get('ListObjectsV2')).toBe(10); // 1,000 folders per request
    expect(s3.calls.get('GetObject')).toBe(50);
    expect(s3.reads.every((k) => k.endsWith('manifest.json'))).toBe(true);
    const second = await listRecoveryPoints(where(s3), { limit: 50, nextToken: first.nextToken! });
    expect(second.recoveryPoints[0]!.recoveryPointId).toBe('202610009949-0000');
  });
});

describe('describeRecoveryPoint', () => {
  it('summarises the manifest: per-type counts and statuses, unreadable types, dependencies by type, and lists them only with details', async () => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, {
      id: id(20), objects: [configMap('a', 'x', { k: '1' }), configMap('a', 'y', { k: '1' }), deployment('web', 2, '1')],
      awsDependencies: [{ type: 'iam-role', id: 'arn:aws:iam::1:role/a' }, { type: 'iam-role', id: 'arn:aws:iam::1:role/b' }, { type: 'ebs-volume', id: 'vol-1' }],
      editManifest: (m) => {
        m.resources.push({ name: 'secrets', group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, count: 0, status: 'forbidden', error: 'secrets is forbidden' });
        m.warnings.push('metrics.k8s.io/v1beta1: discovery failed: 503');
      },
    });
    const d = await describeRecoveryPoint(where(s3), 'latest');
    expect(d).toMatchObject({
      recoveryPointId: id(20), status: 'COMPLETED', location: `s3://bucket/eks/prod/${id(20)}/`,
      resourceStatuses: { ok: 2, forbidden: 1 }, dependencyCounts: { 'iam-role': 2, 'ebs-volume': 1 },
      unreadable: [{ resource: 'secrets', status: 'forbidden', error: 'secrets is forbidden' }],
      warnings: ['metrics.k8s.io/v1beta1: discovery failed: 503'],
    });
    expect(d.resources.map((r) => [r.name, r.count, r.apiVersion])).toEqual([['configmaps', 2, 'v1'], ['deployments.apps', 1, 'apps/v1'], ['secrets', 0, 'v1']]);
    expect(d.dependencies).toBeUndefined();
    expect((await describeRecoveryPoint(where(s3), id(20), { details: true })).dependencies).toHaveLength(3);
  });
});

describe('verifyRecoveryPoint', () => {
  const objects = [configMap('a', 'x', { k: '1' }), deployment('web', 2, '1')];

  it('is VALID for a sound recovery point', async () => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: id(20), objects });
    const progress: number[] = [];
    const v = await verifyRecoveryPoint(where(s3), id(20), { onArchiveBytes: (n) => progress.push(n) });
    expect(v).toMatchObject({ status: 'VALID', objects: 2, problems: [], problemCount: 0 });
    expect(v.sha256).toBe(v.expected.sha256);
    expect(progress.at(-1)).toBe(v.bytes);
  });

  it.each([
    ['a flipped byte in the gzip header time (only the digest can tell)', { editArchive: (gz: Buffer) => flip(gz, 5) }, /SHA-256/],
    ['a flipped byte in the compressed data', { editArchive: (gz: Buffer) => flip(gz, Math.floor(gz.length / 2)) }, /SHA-256|cannot be read/],
    ['a truncated archive', { editArchive: (gz: Buffer) => gz.subarray(0, gz.length - 30) }, /cannot be read|SHA-256/],
    ['a manifest whose object count is off', { editManifest: (m: { archive: { objects: number } }) => void (m.archive.objects += 1) }, /archive holds 2 objects, the manifest says 3/],
    ['an entry with ../ in its path', { extraEntries: [{ path: 'resources/../../etc/evil.json', body: '{}' }] }, /'\.\.' segment/],
    ['an entry outside resources/', { extraEntries: [{ path: 'elsewhere/x.json', body: '{}' }] }, /outside resources\//],
    ['an entry that is not one JSON object', { extraEntries: [{ path: 'resources/configmaps/namespaces/a/z.json', body: '[1]' }] }, /not one JSON object/],
    ['an entry whose name differs from its path', { extraEntries: [{ path: 'resources/configmaps/namespaces/a/z.json', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"q","namespace":"a"}}' }] }, /named "q", its path says "z"/],
  ])('is INVALID and names the problem for %s', async (_label, edit, problem) => {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: id(20), objects, ...edit });
    const v = await verifyRecoveryPoint(where(s3), id(20));
    expect(v.status).toBe('INVALID');
    expect(v.problems.join('\n')).toMatch(problem);
  });

  it('throws RecoveryPointUnavailableError for an incomplete folder', async () => {
    const s3 = memoryS3();
    s3.put(archiveKey(`eks/prod/${id(20)}/`), 'x');
    await expect(verifyRecoveryPoint(where(s3), id(20))).rejects.toThrow(/incomplete/);
  });
});

describe('diffRecoveryPoints', () => {
  async function twoPoints(before: FixtureObject[], after: FixtureObject[]) {
    const s3 = memoryS3();
    await putRecoveryPoint(s3, { id: id(20), objects: before });
    await putRecoveryPoint(s3, { id: id(21), objects: after });
    const pair = await resolveDiffPair(where(s3), undefined, undefined);
    return diffRecoveryPoints(pair.from, pair.to);
  }

  it('defaults to the newest and the one before, and reports added, removed and changed with their paths', async () => {
    const d = await twoPoints(
      [configMap('shop', 'settings', { color: 'blue', size: 'L' }, '10'), deployment('web', 2, '10'), namespace('old-team'), configMap('shop', 'same', { a: 'b' }, '3')],
      [configMap('shop', 'settings', { color: 'green', size: 'L' }, '11'), deployment('web', 5, '12'), secret('new-key', { password: 'czNjcjN0' }), configMap('shop', 'same', { a: 'b' }, '9')],
    );
    expect(d).toMatchObject({ from: id(20), to: id(21), counts: { added: 1, removed: 1, changed: 2 } });
    expect(d.added).toEqual([{ resource: 'secrets', namespace: 'shop', name: 'new-key' }]);
    expect(d.removed).toEqual([{ resource: 'namespaces', name: 'old-team' }]);
    expect(d.changed).toEqual([
      { resource: 'configmaps', namespace: 'shop', name: 'settings', paths: ['data.color'] },
      { resource: 'deployments.apps', namespace: 'shop', name: 'web', paths: ['spec.replicas'] },
    ]);
    expect(d.byResource).toEqual({
      configmaps: { added: 0, removed: 0, changed: 1 }, 'deployments.apps': { added: 0, removed: 0, changed: 1 },
      namespaces: { added: 0, removed: 1, changed: 0 }, secrets: { added: 1, removed: 0, changed: 0 },
    });
  });

  it('names the highest path that exists on one side only, and quotes keys that are not plain names', async () => {
    const before = deployment('web', 2, '1');
    const after = deployment('web', 2, '2');
    const spec = after.object.spec as { template: { spec: { containers: unknown[] } } };
    spec.template.spec.containers.push({ name: 'sidecar', image: 'envoy:1', ports: [{ containerPort: 9901 }] });
    (after.object.metadata.labels as Record<string, string>)['app.kubernetes.io/name'] = 'web2';
    const d = await twoPoints([before], [after]);
    expect(d.changed[0]!.paths).toEqual(['metadata.labels["app.kubernetes.io/name"]', 'spec.template.spec.containers[1]']);
  });

  it('never puts a Secret value in its result (canary)', async () => {
    const canary = 'CANARY-7c1e-value';
    const b64 = Buffer.from(canary).toString('base64');
    const d = await twoPoints(
      [secret('db', { password: Buffer.from('old').toString('base64'), user: 'YWRtaW4=' })],
      [secret('db', { password: b64, user: 'YWRtaW4=' }), secret('new', { token: b64 })],
    );
    expect(d.changed).toEqual([{ resource: 'secrets', namespace: 'shop', name: 'db', paths: ['data.password'] }]);
    const text = JSON.stringify(d);
    expect(text).not.toContain(canary);
    expect(text).not.toContain(b64);
  });
});

describe('applyRetention', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  async function points(s3: MemoryS3, days: number[], statuses: Record<number, 'PARTIAL'> = {}) {
    for (const day of days) {
      await putRecoveryPoint(s3, { id: id(day), objects: [configMap('a', 'x', { k: String(day) })], status: statuses[day] ?? 'COMPLETED', lastModified: new Date(Date.UTC(2026, 10, day)) });
    }
  }
  const remaining = (s3: MemoryS3) => [...new Set([...s3.objects.keys()].map((k) => k.split('/')[2]))].sort();

  it('with keep-last 2 deletes the older ones oldest first, an incomplete folder older than a day, and keeps a younger one', async () => {
    const s3 = memoryS3();
    await points(s3, [20, 21, 22, 23]);
    s3.put(archiveKey(`eks/prod/${id(19, 'inco')}/`), 'x', new Date(now.getTime() - 2 * DAY));
    s3.put(archiveKey(`eks/prod/${id(30, 'inco')}/`), 'x', new Date(now.getTime() - 60_000));
    const r = await applyRetention(where(s3), { keepLast: 2 }, now);
    expect(r).toEqual({ deleted: [id(20), id(21)], incompleteDeleted: [id(19, 'inco')], kept: 2, protected: [] });
    expect(remaining(s3)).toEqual([id(22), id(23), id(30, 'inco')]);
  });

  it('deletes only what is past both limits', async () => {
    const s3 = memoryS3();
    await points(s3, [20, 27, 28, 29]);
    const r = await applyRetention(where(s3), { keepLast: 1, keepDays: 5 }, now);
    expect(r.deleted).toEqual([id(20)]);
  });

  it('never deletes the newest COMPLETED one, nor one with a fresh restore lock', async () => {
    const s3 = memoryS3();
    await points(s3, [20, 21, 22, 23], { 22: 'PARTIAL', 23: 'PARTIAL' });
    s3.put(restoreLockKey(`eks/prod/${id(20)}/`, 'r1'), '{}', new Date(now.getTime() - 60_000));
    const r = await applyRetention(where(s3), { keepLast: 1 }, now);
    expect(r.deleted).toEqual([id(22)]);
    expect(r.protected).toEqual([
      { recoveryPointId: id(21), reason: 'the newest COMPLETED recovery point' },
      { recoveryPointId: id(20), reason: 'a restore is reading it' },
    ]);
  });

  it('does nothing, and lists nothing, when both limits are off', async () => {
    const s3 = memoryS3();
    await points(s3, [20, 21]);
    await expect(applyRetention(where(s3), {}, now)).resolves.toEqual({ deleted: [], incompleteDeleted: [], kept: 0, protected: [] });
    expect(s3.calls.size).toBe(0);
  });
});

function flip(buf: Buffer, at: number): Buffer {
  const copy = Buffer.from(buf);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
