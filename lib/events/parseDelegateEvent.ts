import { readEnvironment, type DelegateEnvironment } from '../config/environment';
import { isRegionName } from '../eks/stsHost';
import { DELEGATE_ACTIONS, type DelegateAction, type DelegateRequest } from './delegateRequest';
import { EventFields } from './EventFields';
import { InvalidEventError } from './errors';
import { parseBackupEvent } from './parseBackupEvent';
import { parseRestoreEvent } from './parseRestoreEvent';
import { parseResumeGitopsEvent } from './parseResumeGitopsEvent';
import {
  parseDescribeEvent, parseDescribeRestoreEvent, parseDiffEvent, parseListEvent, parseListRestoresEvent, parseVerifyEvent,
} from './parseCatalogEvent';
import { parseDriftEvent, parseReadinessEvent } from './parseReadinessEvent';

// EKS: 1-100 characters, starting with a letter or digit.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

type Target = { clusterName: string; region: string };
type ActionParser = (f: EventFields, target: Target, env: DelegateEnvironment) => DelegateRequest;

/** One parser per action; each reads only its own fields, so anything else is reported as not applying. */
const PARSERS: Record<DelegateAction, ActionParser> = {
  backup: parseBackupEvent,
  'check-access': (_f, target) => ({ action: 'check-access', ...target }),
  preflight: (_f, target) => ({ action: 'preflight', ...target }),
  restore: parseRestoreEvent,
  'resume-gitops': parseResumeGitopsEvent,
  'list-recovery-points': parseListEvent,
  'describe-recovery-point': parseDescribeEvent,
  'verify-recovery-point': parseVerifyEvent,
  'diff-recovery-points': parseDiffEvent,
  'list-restores': parseListRestoresEvent,
  'describe-restore': parseDescribeRestoreEvent,
  readiness: parseReadinessEvent,
  drift: parseDriftEvent,
};

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

  const f = new EventFields(raw);
  const action = f.string('action') ?? 'backup';
  const known = DELEGATE_ACTIONS.includes(action as DelegateAction);
  if (!known) f.problems.push(`unknown action "${action}" (expected one of ${DELEGATE_ACTIONS.join(', ')})`);
  const clusterName = f.string('clusterName') ?? env.clusterName;
  if (!clusterName) f.problems.push('clusterName is missing (event field or CLUSTER_NAME)');
  else if (!CLUSTER_NAME.test(clusterName)) f.problems.push(`clusterName "${clusterName}" is not a valid EKS cluster name`);
  const region = f.string('region') ?? env.region;
  if (!region) f.problems.push('region is missing (event field or AWS_REGION)');
  else if (!isRegionName(region)) f.problems.push(`region "${region}" is not an AWS region name`);
  if (!known) throw new InvalidEventError(f.problems);

  const request = PARSERS[action as DelegateAction](f, { clusterName: clusterName ?? '', region: region ?? '' }, env);
  const unread = f.unread();
  if (unread.length) f.problems.push(...describeUnread(unread, action as DelegateAction, raw));
  if (f.problems.length) throw new InvalidEventError(f.problems);
  return request;
}

/** Fields another action reads are named with the actions they apply to; the rest are unknown. */
function describeUnread(fields: string[], action: DelegateAction, raw: Record<string, unknown>): string[] {
  const byActions = new Map<string, string[]>();
  const unknown: string[] = [];
  for (const field of fields) {
    const owners = DELEGATE_ACTIONS.filter((a) => a !== action && readsField(a, field, raw));
    if (owners.length === 0) unknown.push(field);
    else {
      const key = owners.map((a) => `"${a}"`).join(', ');
      byActions.set(key, [...(byActions.get(key) ?? []), field]);
    }
  }
  return [
    ...(unknown.length ? [`unknown field(s): ${unknown.join(', ')}`] : []),
    ...[...byActions].map(([actions, fs]) => `field(s) ${fs.join(', ')} only apply to action ${actions}`),
  ];
}

/** Whether another action's parser would read `field` (dry-runs that parser on a copy of the event). */
function readsField(action: DelegateAction, field: string, raw: Record<string, unknown>): boolean {
  const probe = new EventFields({ ...raw, action });
  try {
    PARSERS[action](probe, { clusterName: 'x', region: 'us-east-1' }, readEnvironment({}));
  } catch {
    // A parser that throws on a foreign event still marked what it read before.
  }
  return !probe.unread().includes(field);
}
