import { validateFilterSpec, type ResourceFilterSpec } from '../backup/filters';
import type { DelegateEnvironment } from '../config/environment';
import { isRegionName } from '../eks/stsHost';
import { validatePrefix, validateRecoveryPointId } from '../recovery-point/layout';
import { DELEGATE_ACTIONS, type DelegateAction, type DelegateRequest } from './delegateRequest';
import { InvalidEventError } from './errors';

const KNOWN_FIELDS = new Set([
  'action', 'clusterName', 'region', 'bucket', 'prefix', 'recoveryPointId',
  'includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources',
]);
// EKS: 1-100 characters, starting with a letter or digit.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
// S3 bucket naming rules (general purpose buckets).
const BUCKET_NAME = /^(?!xn--|sthree-|.*-s3alias$|.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Turns an invocation event into a DelegateRequest, or throws InvalidEventError naming every problem.
 * Accepted shapes: a direct event (`{"action": ...}`), an EventBridge Scheduler `Input` (the same), and an
 * EventBridge rule's "Scheduled Event" (`source: aws.events`), which means a backup with the defaults.
 */
export function parseDelegateEvent(event: unknown, env: DelegateEnvironment): DelegateRequest {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidEventError(['the event must be a JSON object']);
  }
  const raw = event as Record<string, unknown>;
  if (raw.source === 'aws.events' && raw['detail-type'] === 'Scheduled Event') {
    const request = parseDelegateEvent({ action: 'backup' }, env);
    return request.action === 'backup' ? { ...request, trigger: 'schedule' } : request;
  }

  const problems: string[] = [];
  const unknown = Object.keys(raw).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length) problems.push(`unknown field(s): ${unknown.join(', ')}`);

  const str = (field: string): string | undefined => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      problems.push(`${field} must be a string`);
      return undefined;
    }
    return v;
  };
  const list = (field: string): string[] | undefined => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      problems.push(`${field} must be an array of strings`);
      return undefined;
    }
    return v as string[];
  };

  const action = str('action') ?? 'backup';
  if (!DELEGATE_ACTIONS.includes(action as DelegateAction)) {
    problems.push(`unknown action "${action}" (expected one of ${DELEGATE_ACTIONS.join(', ')})`);
  }
  const clusterName = str('clusterName') ?? env.clusterName;
  if (!clusterName) problems.push('clusterName is missing (event field or CLUSTER_NAME)');
  else if (!CLUSTER_NAME.test(clusterName)) problems.push(`clusterName "${clusterName}" is not a valid EKS cluster name`);
  const region = str('region') ?? env.region;
  if (!region) problems.push('region is missing (event field or AWS_REGION)');
  else if (!isRegionName(region)) problems.push(`region "${region}" is not an AWS region name`);

  if (action !== 'backup') {
    const backupOnly = ['bucket', 'prefix', 'recoveryPointId', 'includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources'];
    const given = backupOnly.filter((f) => raw[f] !== undefined);
    if (given.length) problems.push(`field(s) ${given.join(', ')} only apply to action "backup"`);
    if (problems.length) throw new InvalidEventError(problems);
    return { action: action as 'check-access' | 'preflight', clusterName: clusterName!, region: region! };
  }

  const bucket = str('bucket') ?? env.bucket;
  if (!bucket) problems.push('bucket is missing (event field or RECOVERY_BUCKET)');
  else if (!BUCKET_NAME.test(bucket)) problems.push(`bucket "${bucket}" is not a valid S3 bucket name`);
  const prefix = str('prefix') ?? env.prefix;
  problems.push(...validatePrefix(prefix).map((p) => `prefix: ${p}`));
  const recoveryPointId = str('recoveryPointId');
  if (recoveryPointId !== undefined) problems.push(...validateRecoveryPointId(recoveryPointId).map((p) => `recoveryPointId: ${p}`));

  const filters: ResourceFilterSpec = {};
  for (const f of ['includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources'] as const) {
    const v = list(f);
    if (v !== undefined) filters[f] = v;
  }
  problems.push(...validateFilterSpec(filters));

  if (problems.length) throw new InvalidEventError(problems);
  return {
    action: 'backup', clusterName: clusterName!, region: region!, bucket: bucket!, prefix,
    recoveryPointId, filters, trigger: 'direct',
  };
}
