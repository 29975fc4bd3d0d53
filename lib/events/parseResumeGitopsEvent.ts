import type { ResumeGitopsRequest } from './delegateRequest';
import type { EventFields } from './EventFields';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** resume-gitops (docs/gitops-and-webhooks.md): the recovery cluster, a dry run, and optionally which namespaces. */
export function parseResumeGitopsEvent(f: EventFields, target: { clusterName: string; region: string }): ResumeGitopsRequest {
  const dryRun = f.boolean('dryRun') ?? false;
  const namespaces = f.stringList('namespaces') ?? [];
  for (const ns of namespaces) if (!DNS1123_LABEL.test(ns) || ns.length > 63) f.problems.push(`namespaces: "${ns}" is not a valid namespace name`);
  return { action: 'resume-gitops', ...target, dryRun, namespaces };
}
