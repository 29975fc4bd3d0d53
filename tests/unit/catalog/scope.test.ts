import {
  applyRetention, describeRecoveryPoint, findLatestRecoveryPoint, listRecoveryPoints, openRecoveryPoint, recoveryPointScope, resolveDiffPair,
} from '../../../lib/catalog';
import type { ManifestScope, RecoveryPointManifest } from '../../../lib/recovery-point';
import { memoryS3, type MemoryS3 } from './memoryS3';
import { configMap, putRecoveryPoint } from './recoveryPointFixture';

// DESIGN.md section 9, "Scope": a filtered recovery point is never `latest`, and retention never deletes
// the newest whole-cluster COMPLETED one to keep filtered ones.
const where = (s3: MemoryS3) => ({ s3: s3.client, bucket: 'bucket', prefix: 'eks/', clusterName: 'prod' });
const id = (day: number) => `202611${String(day).padStart(2, '0')}T000000Z-aaaa`;
const EVENTS = ['events', 'events.events.k8s.io'];
const WHOLE: ManifestScope = { wholeCluster: true, includeNamespaces: [], excludeNamespaces: [], includeResources: [], excludeResources: EVENTS };
const SHOP_ONLY: ManifestScope = { ...WHOLE, wholeCluster: false, includeNamespaces: ['shop'] };

async function put(s3: MemoryS3, day: number, scope: ManifestScope | undefined, status: 'COMPLETED' | 'PARTIAL' = 'COMPLETED') {
  await putRecoveryPoint(s3, {
    id: id(day), status, objects: [configMap('shop', 'x', { day: String(day) })], lastModified: new Date(Date.UTC(2026, 10, day)),
    editManifest: (m) => {
      if (scope) m.scope = scope;
      else m.formatVersion = '1.1.0';
    },
  });
}

describe('recoveryPointScope', () => {
  const rows = (excluded: string[]): RecoveryPointManifest['resources'] => excluded.map((name) => ({
    name, group: '', version: 'v1', resource: name, kind: name, namespaced: true, count: 0, status: 'excluded' as const,
  }));

  it('reads the recorded scope, keeping only the lists that filter something', () => {
    expect(recoveryPointScope({ scope: SHOP_ONLY, resources: [] })).toEqual({
      wholeCluster: false, recorded: true, filters: { includeNamespaces: ['shop'], excludeResources: EVENTS },
    });
  });

  it('takes a manifest before 1.2.0 for whole-cluster unless a type other than events was filtered out', () => {
    expect(recoveryPointScope({ resources: rows(EVENTS) })).toEqual({ wholeCluster: true, recorded: false, filters: {} });
    expect(recoveryPointScope({ resources: rows(['events', 'secrets']) })).toEqual({ wholeCluster: false, recorded: false, filters: {} });
  });
});

describe('latest', () => {
  it('is the newest whole-cluster recovery point, COMPLETED or PARTIAL, passing over newer filtered ones', async () => {
    const s3 = memoryS3();
    await put(s3, 20, WHOLE);
    await put(s3, 21, WHOLE, 'PARTIAL');
    await put(s3, 22, SHOP_ONLY);
    expect((await findLatestRecoveryPoint(s3.client, 'bucket', 'eks/', 'prod'))?.manifest.recoveryPointId).toBe(id(21));
    expect((await openRecoveryPoint(where(s3), 'latest')).manifest.recoveryPointId).toBe(id(21));
  });

  it('takes a filtered one only when asked with latest-any', async () => {
    const s3 = memoryS3();
    await put(s3, 20, WHOLE);
    await put(s3, 22, SHOP_ONLY);
    expect((await openRecoveryPoint(where(s3), 'latest-any')).manifest.recoveryPointId).toBe(id(22));
    expect((await findLatestRecoveryPoint(s3.client, 'bucket', 'eks/', 'prod', { scope: 'any' }))?.manifest.recoveryPointId).toBe(id(22));
  });

  it('counts an older manifest without a recorded scope as whole-cluster', async () => {
    const s3 = memoryS3();
    await put(s3, 20, undefined);
    await put(s3, 22, SHOP_ONLY);
    expect((await openRecoveryPoint(where(s3), 'latest')).manifest.recoveryPointId).toBe(id(20));
  });

  it('with only filtered ones, names the newest and the two ways to use it', async () => {
    const s3 = memoryS3();
    await put(s3, 21, SHOP_ONLY);
    await put(s3, 22, SHOP_ONLY);
    await expect(openRecoveryPoint(where(s3), 'latest')).rejects.toThrow(
      `cluster prod has no usable whole-cluster recovery point under s3://bucket/eks/; the newest filtered one is ${id(22)}: name it, or use "latest-any"`,
    );
  });

  it('diff compares the two newest whole-cluster recovery points by default, not a filtered copy', async () => {
    const s3 = memoryS3();
    await put(s3, 20, WHOLE);
    await put(s3, 21, SHOP_ONLY);
    await put(s3, 22, WHOLE);
    await put(s3, 23, SHOP_ONLY);
    const pair = await resolveDiffPair(where(s3), undefined, undefined);
    expect([pair.from.manifest.recoveryPointId, pair.to.manifest.recoveryPointId]).toEqual([id(20), id(22)]);
    const any = await resolveDiffPair(where(s3), undefined, 'latest-any');
    expect([any.from.manifest.recoveryPointId, any.to.manifest.recoveryPointId]).toEqual([id(22), id(23)]);
  });
});

describe('list and describe show the scope', () => {
  it('gives each row its scope and describe the filters', async () => {
    const s3 = memoryS3();
    await put(s3, 20, WHOLE);
    await put(s3, 21, SHOP_ONLY);
    const page = await listRecoveryPoints(where(s3));
    expect(page.recoveryPoints.map((r) => [r.recoveryPointId, r.scope.wholeCluster])).toEqual([[id(21), false], [id(20), true]]);
    const described = await describeRecoveryPoint(where(s3), id(21));
    expect(described.scope).toEqual({ wholeCluster: false, recorded: true, filters: { includeNamespaces: ['shop'], excludeResources: EVENTS } });
  });
});

describe('retention and scope', () => {
  const now = new Date('2026-11-30T12:00:00Z');

  it('with keep-last 1 after a filtered backup, keeps the newest whole-cluster COMPLETED one and says why', async () => {
    const s3 = memoryS3();
    await put(s3, 19, WHOLE);
    await put(s3, 20, WHOLE);
    await put(s3, 21, SHOP_ONLY);
    const r = await applyRetention(where(s3), { keepLast: 1 }, now);
    expect(r.deleted).toEqual([id(19)]);
    expect(r.protected).toEqual([{ recoveryPointId: id(20), reason: 'the newest whole-cluster COMPLETED recovery point' }]);
    expect((await openRecoveryPoint(where(s3), 'latest')).manifest.recoveryPointId).toBe(id(20));
  });

  it('does not count a PARTIAL whole-cluster one as the copy to keep: the newest COMPLETED whole-cluster one stays', async () => {
    const s3 = memoryS3();
    await put(s3, 19, WHOLE);
    await put(s3, 20, WHOLE, 'PARTIAL');
    await put(s3, 21, SHOP_ONLY);
    const r = await applyRetention(where(s3), { keepLast: 1 }, now);
    expect(r.deleted).toEqual([id(20)]);
    expect(r.protected).toEqual([{ recoveryPointId: id(19), reason: 'the newest whole-cluster COMPLETED recovery point' }]);
  });
});
