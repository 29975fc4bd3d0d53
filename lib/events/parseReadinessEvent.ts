// The readiness and drift events (DESIGN.md section 11). Readiness checks the restore that would run, so its
// source, identifierMap, namespaceMapping and translate are read and checked exactly as restore's are.
import type { DelegateEnvironment } from '../config/environment';
import { validateRecoveryPointId } from '../recovery-point/layout';
import type { DriftRequest, ReadinessRequest } from './delegateRequest';
import { EventFields } from './EventFields';
import { readRecoveryPointLocation } from './parseBackupEvent';
import { LATEST, parseRestoreEvent } from './parseRestoreEvent';

type Target = { clusterName: string; region: string };
/** The restore fields readiness shares; anything else of restore's (dryRun, filters, policy) does not apply. */
const SHARED_WITH_RESTORE = ['source', 'identifierMap', 'zoneMap', 'regionMap', 'namespaceMapping', 'translate'] as const;

export function parseReadinessEvent(f: EventFields, target: Target, env: DelegateEnvironment): ReadinessRequest {
  const shared: Record<string, unknown> = {};
  for (const field of SHARED_WITH_RESTORE) if (f.has(field)) shared[field] = f.raw(field);
  const fields = new EventFields(shared);
  const restore = parseRestoreEvent(fields, target, env);
  f.problems.push(...fields.problems);
  return {
    action: 'readiness', ...target,
    source: restore.source, namespaceMapping: restore.namespaceMapping, identifierMap: restore.identifierMap,
    zoneMap: restore.zoneMap, regionMap: restore.regionMap, translate: restore.translate,
  };
}

export function parseDriftEvent(f: EventFields, target: Target, env: DelegateEnvironment): DriftRequest {
  const { bucket, prefix } = readRecoveryPointLocation(f, env);
  const id = f.string('recoveryPointId');
  if (id !== undefined && id !== LATEST) f.problems.push(...validateRecoveryPointId(id).map((p) => `recoveryPointId: ${p}`));
  return { action: 'drift', ...target, bucket: bucket ?? '', prefix, recoveryPointId: id ?? LATEST };
}
