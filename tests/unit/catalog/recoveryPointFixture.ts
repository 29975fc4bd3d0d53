// Builds recovery points in a MemoryS3 the way the writer lays them out (Velero tar, gzip, manifest last),
// so the catalog is tested against real archives without a cluster.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { MANIFEST_FORMAT_VERSION, type RecoveryPointManifest } from '../../../lib/recovery-point/manifest';
import { archiveKey, manifestKey, objectEntryPath, recoveryPointFolder } from '../../../lib/recovery-point/layout';
import type { MemoryS3 } from './memoryS3';

export interface FixtureObject {
  /** Velero resource name, e.g. `configmaps`, `deployments.apps`. */
  resource: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; [k: string]: unknown };
}

export interface FixtureOptions {
  prefix?: string;
  clusterName?: string;
  id: string;
  objects: FixtureObject[];
  status?: 'COMPLETED' | 'PARTIAL';
  startedAt?: string;
  lastModified?: Date;
  /** Raw entries added to the tar as they are (e.g. a `../` path). */
  extraEntries?: Array<{ path: string; body: string }>;
  /** Changes the manifest before it is stored. */
  editManifest?: (m: RecoveryPointManifest) => void;
  /** Changes the archive bytes after the manifest measured them. */
  editArchive?: (gz: Buffer) => Buffer;
  awsDependencies?: unknown[];
}

export async function tarGz(entries: Array<{ path: string; body: string }>): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => {
      if (c instanceof Uint8Array) chunks.push(Buffer.from(c));
    });
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) p.entry({ name: e.path, size: Buffer.byteLength(e.body) }, e.body);
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export async function putRecoveryPoint(s3: MemoryS3, o: FixtureOptions): Promise<RecoveryPointManifest> {
  const prefix = o.prefix ?? 'eks/';
  const clusterName = o.clusterName ?? 'prod';
  const folder = recoveryPointFolder(prefix, clusterName, o.id);
  const entries = [{ path: 'metadata/version', body: '1.1.0\n' }];
  for (const { resource, object } of o.objects) {
    entries.push({ path: objectEntryPath(resource, object.metadata.namespace, object.metadata.name), body: JSON.stringify(object) });
  }
  entries.push(...(o.extraEntries ?? []));
  const gz = await tarGz(entries);
  const rows = new Map<string, { kind: string; namespaced: boolean; count: number; apiVersion: string }>();
  for (const { resource, object } of o.objects) {
    const row = rows.get(resource) ?? { kind: object.kind, namespaced: object.metadata.namespace !== undefined, count: 0, apiVersion: object.apiVersion };
    row.count++;
    rows.set(resource, row);
  }
  const startedAt = o.startedAt ?? '2026-11-23T20:05:01.000Z';
  const manifest: RecoveryPointManifest = {
    formatVersion: MANIFEST_FORMAT_VERSION,
    recoveryPointId: o.id,
    cluster: {
      name: clusterName, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${clusterName}`, region: 'us-east-1', account: '111122223333',
      kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API_AND_CONFIG_MAP',
    },
    startedAt,
    completedAt: new Date(Date.parse(startedAt) + 4200).toISOString(),
    status: o.status ?? 'COMPLETED',
    archive: { key: archiveKey(folder), bytes: gz.length, sha256: createHash('sha256').update(gz).digest('hex'), objects: o.objects.length },
    resources: [...rows].map(([name, r]) => {
      const [resource = name, ...group] = name.split('.');
      return {
        name, group: group.join('.'), version: r.apiVersion.split('/').at(-1) ?? 'v1', resource, kind: r.kind,
        namespaced: r.namespaced, count: r.count, status: 'ok' as const,
      };
    }),
    warnings: [],
    awsDependencies: o.awsDependencies ?? [],
  };
  o.editManifest?.(manifest);
  s3.put(archiveKey(folder), o.editArchive ? o.editArchive(gz) : gz, o.lastModified);
  s3.put(manifestKey(folder), `${JSON.stringify(manifest, null, 2)}\n`, o.lastModified);
  return manifest;
}

export function configMap(namespace: string, name: string, data: Record<string, string>, rv = '1'): FixtureObject {
  return {
    resource: 'configmaps',
    object: {
      apiVersion: 'v1', kind: 'ConfigMap', data,
      metadata: { name, namespace, resourceVersion: rv, uid: `uid-${name}-${rv}`, creationTimestamp: '2026-11-23T20:00:00Z', managedFields: [{ manager: rv }] },
    },
  };
}
