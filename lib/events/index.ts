export { parseDelegateEvent } from './parseDelegateEvent';
export { InvalidEventError } from './errors';
export { DELEGATE_ACTIONS } from './delegateRequest';
export { LATEST } from './parseRestoreEvent';
export type {
  DelegateAction, DelegateRequest, BackupRequest, CheckAccessRequest, PreflightRequest, RestoreRequest, RestoreSource, RestoreMode, DescribeRestoreRequest,
  ExistingResourcePolicy, TranslationMode,
  CatalogRequest, ListRecoveryPointsRequest, DescribeRecoveryPointRequest, VerifyRecoveryPointRequest, DiffRecoveryPointsRequest,
} from './delegateRequest';
