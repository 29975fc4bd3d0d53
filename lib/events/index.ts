export { parseDelegateEvent } from './parseDelegateEvent';
export { InvalidEventError } from './errors';
export { DELEGATE_ACTIONS } from './delegateRequest';
export { LATEST } from './parseRestoreEvent';
export type {
  DelegateAction, DelegateRequest, BackupRequest, CheckAccessRequest, PreflightRequest, RestoreRequest, RestoreSource,
  ExistingResourcePolicy, TranslationMode,
  CatalogRequest, ReadinessRequest, DriftRequest, ListRecoveryPointsRequest, DescribeRecoveryPointRequest, VerifyRecoveryPointRequest, DiffRecoveryPointsRequest,
} from './delegateRequest';
