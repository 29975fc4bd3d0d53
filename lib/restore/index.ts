export { runRestore, DEFAULT_RESTORE_CONCURRENCY, MAX_FAILURES_IN_RESPONSE } from './runRestore';
export {
  restoreOrder, restoreRank, skipReason, keepExistingReason, PRIORITY_RESOURCES, LAST_RESOURCES, NEVER_RESTORED_RESOURCES, NEVER_RESTORED_TYPES, OBJECT_RULES,
} from './plan';
export type { RecoveryPointFacts, SkipReason, ObjectDecision, ObjectRule, ObjectView } from './plan';
export { prepareForRestore, carryOverForUpdate, alreadyMatches } from './prepareObject';
export { DEFAULT_CRD_WAIT_MS } from './TargetApi';
export { RestoreError, RestorePreconditionError, RestoreAccessError, CrdNotEstablishedError, RestoreDeadlineError, RestoreSourceError } from './errors';
export type * from './types';
