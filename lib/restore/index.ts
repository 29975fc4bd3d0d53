export { runRestore, DEFAULT_RESTORE_CONCURRENCY } from './runRestore';
export { MAX_FAILURES_IN_RESPONSE } from './RestoreTally';
export { decideRestoreStatus } from './decideRestoreStatus';
export type { StatusCounts } from './decideRestoreStatus';
export { OBJECT_ACTIONS } from './objectActions';
export {
  restoreOrder, restoreRank, skipReason, keepExistingReason, PRIORITY_RESOURCES, LAST_RESOURCES, NEVER_RESTORED_RESOURCES, NEVER_RESTORED_TYPES, OBJECT_RULES,
} from './plan';
export type { RecoveryPointFacts, SkipReason, ObjectDecision, ObjectRule, ObjectView } from './plan';
export { prepareForRestore, prepareObject, carryOverForUpdate, alreadyMatches } from './prepareObject';
export type { PrepareOptions, PreparedObject } from './prepareObject';
export { runResumeGitops } from './runResumeGitops';
export type { ResumeGitopsOptions, ResumeGitopsDependencies, ResumeGitopsOutcome, ResumedObject } from './runResumeGitops';
export { GITOPS_KINDS, GITOPS_MODES, GITOPS_PAUSED_ANNOTATION, pauseGitops, resumeGitops, mapGitopsNamespaces, parseHeldFields, GitopsAnnotationError } from './gitops';
export { admissionWebhooks, describeMatches, webhooksWithoutEndpoints, webhooksWarning, endpointsHaveReadyAddress, sliceHasReadyEndpoint, WEBHOOK_CONFIGURATION_KINDS } from './webhooks';
export type { AdmissionWebhook, ServiceReadiness } from './webhooks';
export { decodeHelmRelease, encodeHelmRelease, moveHelmRelease, HELM_RELEASE_SECRET_TYPE } from './helmRelease';
export type { HelmRelease } from './helmRelease';
export { DEFAULT_CRD_WAIT_MS } from './TargetApi';
export { RestoreError, RestorePreconditionError, RestoreAccessError, CrdNotEstablishedError, RestoreDeadlineError, RestoreSourceError, TargetThrottledError } from './errors';
export type * from './types';
