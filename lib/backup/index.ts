export { runBackup } from './runBackup';
export { decideBackupStatus } from './decideStatus';
export { createResourceFilter, effectiveFilters, isWholeCluster, recordedScope, validateFilterSpec, DEFAULT_EXCLUDED_RESOURCES } from './filters';
export { checkNamespaceNames, checkResourceNames } from './checkFilterNames';
export type { ClusterNamespaces, FilterNameCheck, ServedResources } from './checkFilterNames';
export { didYouMean, editDistance, suggestNames } from './suggestNames';
export type { ResourceFilterSpec, ResourceFilter } from './filters';
export * from './errors';
export type * from './types';
