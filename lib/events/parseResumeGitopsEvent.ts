import type { ResumeGitopsRequest } from './delegateRequest';
import type { EventFields } from './EventFields';
import { isNamespaceName } from './parseRestoreEvent';

/** resume-gitops (docs/gitops-and-webhooks.md): the recovery cluster, a dry run, and optionally which namespaces. */
export function parseResumeGitopsEvent(f: EventFields, target: { clusterName: string; region: string }): ResumeGitopsRequest {
  const dryRun = f.boolean('dryRun') ?? false;
  const namespaces = f.stringList('namespaces') ?? [];
  for (const ns of namespaces) if (!isNamespaceName(ns)) f.problems.push(`namespaces: "${ns}" is not a valid namespace name`);
  return { action: 'resume-gitops', ...target, dryRun, namespaces };
}
