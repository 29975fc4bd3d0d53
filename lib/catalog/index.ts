// The recovery-point catalog (DESIGN.md section 9, issue 14): list, describe, verify, diff and retention;
// and the restores made from it (their reports).
export {
  findLatestRecoveryPoint, findSelectedRecoveryPoint, isLatestSelector, noLatestReason, openRecoveryPoint, usableRecoveryPoints,
  LATEST_ANY_RECOVERY_POINT, LATEST_RECOVERY_POINT,
} from './findLatestRecoveryPoint';
export type { LatestOptions } from './findLatestRecoveryPoint';
export { recoveryPointScope } from './recoveryPointScope';
export type { RecoveryPointScope } from './recoveryPointScope';
export { clusterFolder, listRecoveryPointIds } from './recoveryPointFolders';
export type { ClusterLocation } from './recoveryPointFolders';
export { listRecoveryPoints, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './listRecoveryPoints';
export type { IncompleteRecoveryPoint, ListRecoveryPointsOptions, ListRecoveryPointsResult, RecoveryPointRow } from './listRecoveryPoints';
export { describeRecoveryPoint } from './describeRecoveryPoint';
export type { DescribedDependency, DescribedResourceType, RecoveryPointDescription } from './describeRecoveryPoint';
export { verifyRecoveryPoint, MAX_REPORTED_PROBLEMS } from './verifyRecoveryPoint';
export type { VerifyOptions, VerifyResult } from './verifyRecoveryPoint';
export { diffRecoveryPoints, recoveryPointSource, resolveDiffPair } from './diffRecoveryPoints';
export { diffObjectSources } from './diffObjectSources';
export type { ObjectSource, ObjectSourceDiff, SourcedObject } from './diffObjectSources';
export type { ChangedObject, DiffCounts, DiffObjectRef, DiffOptions, DiffResult } from './diffRecoveryPoints';
export { IGNORED_FIELDS, normalizeObject } from './objectDigest';
export { applyRetention, retentionEnabled, INCOMPLETE_MAX_AGE_MS } from './applyRetention';
export type { RetentionPolicy, RetentionResult } from './applyRetention';
export { listRestoreReports, readRestoreReport, OUTCOME_ORDER } from './restoreReports';
export type { RestoreReportLocation, RestoreReportSummary, StoredRestoreReport } from './restoreReports';
export {
  CatalogError, NotEnoughRecoveryPointsError, RecoveryPointUnavailableError, RestoreReportNotFoundError, RestoreReportUnreadableError, RetentionDeleteError,
} from './errors';
