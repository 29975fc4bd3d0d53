// The catalog actions' events (DESIGN.md section 9): where the recovery points are (bucket, prefix, cluster,
// with backup's defaults) and which ones. Ids are checked like backup's; `latest` is the newest usable one.
import type { DelegateEnvironment } from '../config/environment';
import { validateRecoveryPointId } from '../recovery-point/layout';
import type {
  DescribeRecoveryPointRequest, DescribeRestoreRequest, DiffRecoveryPointsRequest, ListRecoveryPointsRequest, VerifyRecoveryPointRequest,
} from './delegateRequest';
import type { EventFields } from './EventFields';
import { readRecoveryPointLocation } from './parseBackupEvent';
import { LATEST } from './parseRestoreEvent';

type Target = { clusterName: string; region: string };
/** list-recovery-points reads at most this many manifests per call. */
const MAX_LIST_LIMIT = 1000;

function location(f: EventFields, target: Target, env: DelegateEnvironment): Target & { bucket: string; prefix: string } {
  const { bucket, prefix } = readRecoveryPointLocation(f, env);
  return { ...target, bucket: bucket ?? '', prefix };
}

/** An id or `latest`; undefined when absent. */
function recoveryPointRef(f: EventFields, field: string): string | undefined {
  const id = f.string(field);
  if (id !== undefined && id !== LATEST) f.problems.push(...validateRecoveryPointId(id).map((p) => `${field}: ${p}`));
  return id;
}

export function parseListEvent(f: EventFields, target: Target, env: DelegateEnvironment): ListRecoveryPointsRequest {
  const limit = f.integer('limit', 1, MAX_LIST_LIMIT);
  const nextToken = f.string('nextToken');
  if (nextToken !== undefined) f.problems.push(...validateRecoveryPointId(nextToken).map((p) => `nextToken: ${p}`));
  return { action: 'list-recovery-points', ...location(f, target, env), limit, nextToken };
}

export function parseDescribeRestoreEvent(f: EventFields, target: Target, env: DelegateEnvironment): DescribeRestoreRequest {
  const restoreId = f.string('restoreId');
  if (restoreId === undefined) f.problems.push('restoreId is missing (the restore response names it)');
  else f.problems.push(...validateRecoveryPointId(restoreId).map((p) => `restoreId: ${p.replace(/^recoveryPointId /, '')}`));
  return { action: 'describe-restore', ...location(f, target, env), restoreId: restoreId ?? '' };
}

export function parseDescribeEvent(f: EventFields, target: Target, env: DelegateEnvironment): DescribeRecoveryPointRequest {
  return {
    action: 'describe-recovery-point', ...location(f, target, env),
    recoveryPointId: recoveryPointRef(f, 'recoveryPointId') ?? LATEST,
    details: f.boolean('details') ?? false,
  };
}

export function parseVerifyEvent(f: EventFields, target: Target, env: DelegateEnvironment): VerifyRecoveryPointRequest {
  return { action: 'verify-recovery-point', ...location(f, target, env), recoveryPointId: recoveryPointRef(f, 'recoveryPointId') ?? LATEST };
}

export function parseDiffEvent(f: EventFields, target: Target, env: DelegateEnvironment): DiffRecoveryPointsRequest {
  const from = recoveryPointRef(f, 'from');
  const to = recoveryPointRef(f, 'to');
  if (from !== undefined && from === to) f.problems.push('from and to name the same recovery point');
  if (from === LATEST) f.problems.push('from cannot be "latest": it is the older of the two');
  return { action: 'diff-recovery-points', ...location(f, target, env), from, to };
}
