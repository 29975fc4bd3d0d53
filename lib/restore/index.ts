export { runRestore, DEFAULT_RESTORE_CONCURRENCY, MAX_FAILURES_IN_RESPONSE } from './runRestore';
export { restoreOrder, restoreRank, skipReason, PRIORITY_RESOURCES, LAST_RESOURCES, NEVER_RESTORED_RESOURCES } from './plan';
export type { RecoveryPointFacts, SkipReason } from './plan';
export { prepareForRestore, carryOverForUpdate, alreadyMatches } from './prepareObject';
export { DEFAULT_CRD_WAIT_MS } from './TargetApi';
export { RestoreError, RestorePreconditionError, RestoreAccessError, CrdNotEstablishedError, RestoreDeadlineError, RestoreSourceError } from './errors';
export type * from './types';
