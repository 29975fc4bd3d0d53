export { parseDelegateEvent } from './parseDelegateEvent';
export { InvalidEventError } from './errors';
export { DELEGATE_ACTIONS } from './delegateRequest';
export type { DelegateAction, DelegateRequest, BackupRequest, CheckAccessRequest, PreflightRequest } from './delegateRequest';
