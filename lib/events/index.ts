export { parseDelegateEvent } from './parseDelegateEvent';
export { InvalidEventError } from './errors';
export { DELEGATE_ACTIONS } from './delegateRequest';
export { LATEST } from './parseRestoreEvent';
export type {
  DelegateAction, DelegateRequest, BackupRequest, CheckAccessRequest, PreflightRequest, RestoreRequest, RestoreSource, RestoreMode,
  ResumeGitopsRequest, ExistingResourcePolicy, GitopsMode, TranslationMode,
  CatalogRequest, ReadinessRequest, DriftRequest, ListRecoveryPointsRequest, DescribeRecoveryPointRequest, VerifyRecoveryPointRequest, DiffRecoveryPointsRequest,
  ListRestoresRequest, DescribeRestoreRequest,
} from './delegateRequest';
