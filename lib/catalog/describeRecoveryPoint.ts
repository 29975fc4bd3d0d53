// describe-recovery-point (DESIGN.md section 9): the manifest summarised, in the terms an operator asks in.
import type { ManifestCluster, RecoveryPointStatus, ResourceStatus } from '../recovery-point/manifest';
import { openRecoveryPoint } from './findLatestRecoveryPoint';
import type { ClusterLocation } from './recoveryPointFolders';
import { recoveryPointScope, type RecoveryPointScope } from './recoveryPointScope';

/** One resource type of the recovery point. */
export interface DescribedResourceType {
  name: string;
  kind: string;
  /** `<group>/<version>` or `<version>` for the core group. */
  apiVersion: string;
  namespaced: boolean;
  count: number;
  status: ResourceStatus;
  error?: string;
  /** Seekable recovery points (1.2): gzipped bytes of the type's members, what a restore of it downloads. */
  archiveBytes?: number;
}

/** One AWS dependency, as the dependency scan recorded it (type and id at least). */
export interface DescribedDependency {
  type: string;
  id: string;
  [field: string]: unknown;
}

export interface RecoveryPointDescription {
  recoveryPointId: string;
  status: RecoveryPointStatus;
  /** s3://bucket/<folder> */
  location: string;
  cluster: ManifestCluster;
  startedAt: string;
  completedAt: string;
  /**
   * How long the backup took. Not `durationMs`: every response carries that as its own run time, and the
   * describe action's would replace the backup's.
   */
  backupDurationMs: number;
  /** Whole-cluster or filtered, and the filters (docs/scope.md): only a whole-cluster one can be `latest`. */
  scope: RecoveryPointScope;
  archive: { key: string; bytes: number; sha256: string; objects: number };
  /** The manifest's format version; 1.2.0 and later with `seekable` true can be read one type at a time. */
  formatVersion: string;
  /** True when the archive has an index (format 1.2): each type is read by Range GETs of its own members. */
  seekable: boolean;
  /** Resource types per status (ok, forbidden, failed, excluded, gone). */
  resourceStatuses: Partial<Record<ResourceStatus, number>>;
  /** Every resource type, largest count first. */
  resources: DescribedResourceType[];
  /** Types that could not be read (forbidden, failed), with why. */
  unreadable: Array<{ resource: string; status: ResourceStatus; error?: string }>;
  warnings: string[];
  /** AWS dependencies per type. */
  dependencyCounts: Record<string, number>;
  /** The dependencies themselves; only with `details`. */
  dependencies?: DescribedDependency[];
  /** Present when the Secrets' values are sealed: the scheme and the KMS key a reader needs (README "Secrets"). */
  secretsEncryption?: { encryption: string; kmsKeyId: string };
}

/** Reads the manifest of `recoveryPointId` (or `latest`) and summarises it; the archive is not read (nor any type of it). */
export async function describeRecoveryPoint(
  where: ClusterLocation, recoveryPointId: string, options: { details?: boolean } = {},
): Promise<RecoveryPointDescription> {
  const reader = await openRecoveryPoint(where, recoveryPointId);
  const m = reader.manifest;
  const resourceStatuses: Partial<Record<ResourceStatus, number>> = {};
  for (const r of m.resources) resourceStatuses[r.status] = (resourceStatuses[r.status] ?? 0) + 1;
  const dependencies = (Array.isArray(m.awsDependencies) ? m.awsDependencies : []).filter(isDependency);
  const dependencyCounts: Record<string, number> = {};
  for (const d of dependencies) dependencyCounts[d.type] = (dependencyCounts[d.type] ?? 0) + 1;
  const typeBytes = new Map(m.index?.types.map((t) => [t.name, t.members.reduce((n, member) => n + member.length, 0)]));
  return {
    recoveryPointId: m.recoveryPointId,
    status: m.status,
    location: `s3://${where.bucket}/${reader.folder}`,
    cluster: m.cluster,
    startedAt: m.startedAt,
    completedAt: m.completedAt,
    backupDurationMs: Math.max(0, Date.parse(m.completedAt) - Date.parse(m.startedAt)),
    scope: recoveryPointScope(m),
    archive: { key: m.archive.key, bytes: m.archive.bytes, sha256: m.archive.sha256, objects: m.archive.objects },
    formatVersion: m.formatVersion,
    seekable: m.index !== undefined,
    resourceStatuses,
    resources: m.resources
      .map((r) => ({
        name: r.name, kind: r.kind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, namespaced: r.namespaced,
        count: r.count, status: r.status, ...(r.error ? { error: r.error } : {}),
        ...(typeBytes.has(r.name) ? { archiveBytes: typeBytes.get(r.name) } : {}),
      }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    unreadable: m.resources
      .filter((r) => r.status === 'forbidden' || r.status === 'failed')
      .map((r) => ({ resource: r.name, status: r.status, ...(r.error ? { error: r.error } : {}) })),
    warnings: m.warnings,
    dependencyCounts,
    ...(options.details ? { dependencies } : {}),
    ...(m.secrets ? { secretsEncryption: { encryption: m.secrets.encryption, kmsKeyId: m.secrets.kmsKeyId } } : {}),
  };
}

function isDependency(value: unknown): value is DescribedDependency {
  const v = value as { type?: unknown; id?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.id === 'string';
}
