// A recovery point written into the in-memory S3 by the real RecoveryPointWriter, its manifest rows derived
// from the objects, for tests that read recovery points back (reader, restore).
import { MANIFEST_FORMAT_VERSION, RecoveryPointWriter, type ManifestResource, type RecoveryPointManifest } from '../../../lib/recovery-point';
import type { FakeS3 } from './fakeS3';

export interface RecoveryPointObjectSpec {
  /** Velero resource name, e.g. `configmaps`. */
  resource: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [field: string]: unknown }; [field: string]: unknown };
}

export interface WriteRecoveryPointOptions {
  /** false: a 1.1 recovery point (one gzip stream, no index). @default true (format 1.2) */
  seekable?: boolean;
  /** Gzipped bytes per member of a seekable archive (small values make types span several members). */
  maxMemberBytes?: number;
  /** Tar bytes of each type in the shared member of a seekable archive (0: every type in its own). */
  smallTypeBytes?: number;
}

/**
 * Writes `objects` (in order) and a COMPLETED manifest into `folder` of `bucket`; `edit` then changes the
 * stored manifest (a recovery point that is right in every way but one).
 */
export async function writeRecoveryPoint(
  s3: FakeS3, bucket: string, folder: string, objects: RecoveryPointObjectSpec[], edit?: (m: RecoveryPointManifest) => void,
  options: WriteRecoveryPointOptions = {},
): Promise<void> {
  const seekable = options.seekable ?? true;
  const writer = await RecoveryPointWriter.create({
    s3: s3.client, bucket, folder, seekable,
    ...(options.maxMemberBytes !== undefined ? { maxMemberBytes: options.maxMemberBytes } : {}),
    ...(options.smallTypeBytes !== undefined ? { smallTypeBytes: options.smallTypeBytes } : {}),
  });
  const rows = new Map<string, ManifestResource>();
  for (const { resource, object } of objects) {
    const { name, namespace } = object.metadata;
    await writer.addObject(resource, namespace, name, [Buffer.from(JSON.stringify(object))]);
    const [plural = resource, ...group] = resource.split('.');
    const row = rows.get(resource) ?? {
      name: resource, group: group.join('.'), version: object.apiVersion.split('/').at(-1) ?? 'v1', resource: plural,
      kind: object.kind, namespaced: namespace !== undefined, count: 0, status: 'ok' as const,
    };
    row.count++;
    rows.set(resource, row);
  }
  const summary = await writer.finish();
  const id = folder.split('/').at(-2) ?? '';
  await writer.writeManifest({
    formatVersion: seekable ? MANIFEST_FORMAT_VERSION : '1.1.0', recoveryPointId: id,
    cluster: { name: 'prod', arn: 'arn:aws:eks:us-east-1:123456789012:cluster/prod', region: 'us-east-1', account: '123456789012', kubernetesVersion: '1.31', platformVersion: 'eks.12', authenticationMode: 'API' },
    startedAt: '2026-11-23T20:05:01.000Z', completedAt: '2026-11-23T20:05:09.000Z', status: 'COMPLETED',
    archive: { key: summary.key, bytes: summary.bytes, sha256: summary.sha256, objects: summary.objects },
    resources: [...rows.values()],
    warnings: [], awsDependencies: [],
  });
  if (edit) {
    const key = `${folder}manifest.json`;
    const stored = JSON.parse(s3.objects.get(key)!.toString('utf8')) as RecoveryPointManifest;
    edit(stored);
    s3.objects.set(key, Buffer.from(JSON.stringify(stored)));
  }
}
