import { validateFilterSpec, type ResourceFilterSpec } from '../backup/filters';
import type { DelegateEnvironment } from '../config/environment';
import { validatePrefix, validateRecoveryPointId } from '../recovery-point/layout';
import type { BackupRequest } from './delegateRequest';
import type { EventFields } from './EventFields';

/** S3 bucket naming rules (general purpose buckets). */
export const BUCKET_NAME = /^(?!xn--|sthree-|.*-s3alias$|.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const FILTER_FIELDS = ['includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources'] as const;

/** Bucket, prefix and recovery point id with their defaults and checks; shared by backup and the catalog. */
export function readRecoveryPointLocation(
  f: EventFields, env: DelegateEnvironment, labels: { bucket?: string; prefix?: string } = {},
): { bucket: string | undefined; prefix: string } {
  const bucketLabel = labels.bucket ?? 'bucket';
  const bucket = f.string('bucket', bucketLabel) ?? env.bucket;
  if (!bucket) f.problems.push(`${bucketLabel} is missing (event field or RECOVERY_BUCKET)`);
  else if (!BUCKET_NAME.test(bucket)) f.problems.push(`${bucketLabel} "${bucket}" is not a valid S3 bucket name`);
  const prefix = f.string('prefix', labels.prefix ?? 'prefix') ?? env.prefix;
  f.problems.push(...validatePrefix(prefix).map((p) => `${labels.prefix ?? 'prefix'}: ${p}`));
  return { bucket, prefix };
}

/** includeNamespaces, excludeNamespaces, includeResources, excludeResources, checked as Velero checks them. */
export function readFilters(f: EventFields): ResourceFilterSpec {
  const filters: ResourceFilterSpec = {};
  for (const field of FILTER_FIELDS) {
    const v = f.stringList(field);
    if (v !== undefined) filters[field] = v;
  }
  f.problems.push(...validateFilterSpec(filters));
  return filters;
}

export function parseBackupEvent(f: EventFields, target: { clusterName: string; region: string }, env: DelegateEnvironment): BackupRequest {
  const { bucket, prefix } = readRecoveryPointLocation(f, env);
  const recoveryPointId = f.string('recoveryPointId');
  if (recoveryPointId !== undefined) f.problems.push(...validateRecoveryPointId(recoveryPointId).map((p) => `recoveryPointId: ${p}`));
  const filters = readFilters(f);
  return { action: 'backup', ...target, bucket: bucket ?? '', prefix, recoveryPointId, filters, trigger: 'direct' };
}
