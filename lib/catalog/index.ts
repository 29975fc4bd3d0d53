export { findLatestRecoveryPoint, openRecoveryPoint, usableRecoveryPoints, LATEST_RECOVERY_POINT } from './findLatestRecoveryPoint';
export { clusterFolder, listRecoveryPointIds } from './recoveryPointFolders';
export type { ClusterLocation } from './recoveryPointFolders';
export { CatalogError, NotEnoughRecoveryPointsError, RecoveryPointUnavailableError } from './errors';
