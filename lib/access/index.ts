export { checkAccess } from './checkAccess';
export {
  buildRemediation, readerManifest, ADMIN_VIEW_POLICY_ARN, DEFAULT_DELEGATE_USERNAME, DEFAULT_READER_GROUP,
  READER_CLUSTER_ROLE, READER_MANIFEST_FILE,
} from './buildRemediation';
export { buildRestoreRemediation, CLUSTER_ADMIN_POLICY_ARN } from './buildRestoreRemediation';
export { getCallerIdentity, principalFromArn } from './callerIdentity';
export { reviewListAccess, SELF_SUBJECT_ACCESS_REVIEW_PATH, DEFAULT_REVIEW_CONCURRENCY } from './reviewListAccess';
export type { ResourceAccess, ReviewListAccessOptions } from './reviewListAccess';
export { findExistingMapping } from './existingMapping';
export { remediateBackupAccess, UNKNOWN_ROLE_ARN_PLACEHOLDER } from './remediateBackupAccess';
export type { BackupAccessRemediation, RemediateBackupAccessDependencies } from './remediateBackupAccess';
export { shellQuote, shellCommand } from './shellQuote';
export type {
  AccessStatus, AccessReport, CallerIdentity, PrincipalType, ExistingMapping, Remediation, RemediationKind,
  RemediationInput, UnreadableResource, CheckAccessDependencies, CheckAccessOptions,
} from './types';
export * from './errors';
