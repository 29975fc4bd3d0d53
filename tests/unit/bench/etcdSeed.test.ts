import { asStored, etcdKey } from '../../../bench/etcdSeed';
import { objectAt } from '../../../bench/seedCluster';

describe('seeding straight into etcd', () => {
  it('uses the keys kube-apiserver 1.20 stores each seeded kind under', () => {
    const keys = Array.from({ length: 50 }, (_, i) => objectAt(i)).map((s) => etcdKey(s.collection, (s.body.metadata as { name: string }).name).split('/').slice(0, 4).join('/'));
    expect(new Set(keys)).toEqual(new Set([
      '/registry/namespaces/tenant-00000', '/registry/serviceaccounts/tenant-00000', '/registry/deployments/tenant-00000',
      '/registry/services/specs', '/registry/configmaps/tenant-00000', '/registry/secrets/tenant-00000', '/registry/bench.example.com/widgets',
    ]));
    expect(etcdKey('/api/v1/namespaces/tenant-00001/services', 'a')).toBe('/registry/services/specs/tenant-00001/a');
    expect(etcdKey('/apis/bench.example.com/v1/namespaces/tenant-00001/widgets', 'w')).toBe('/registry/bench.example.com/widgets/tenant-00001/w');
    expect(() => etcdKey('/apis/apps/v2/deployments', 'x')).toThrow('no etcd key');
  });

  it('adds what the API server adds on create: uid, creation time, managed fields, a namespace\'s finalizer and phase', () => {
    const ns = asStored(objectAt(0).body, '2026-11-30T10:00:00Z');
    expect(ns).toMatchObject({
      kind: 'Namespace', spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
      metadata: { name: 'tenant-00000', creationTimestamp: '2026-11-30T10:00:00Z', uid: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
    const cm = asStored(objectAt(20).body, '2026-11-30T10:00:00Z') as { metadata: { managedFields: Array<{ fieldsV1: Record<string, unknown> }> } };
    expect(cm.metadata.managedFields[0]!.fieldsV1).toMatchObject({ 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:data': { 'f:log-level': {} } });
  });
});
