export { runBackup } from './runBackup';
export { decideBackupStatus } from './decideStatus';
export { createResourceFilter, validateFilterSpec, DEFAULT_EXCLUDED_RESOURCES } from './filters';
export type { ResourceFilterSpec, ResourceFilter } from './filters';
export * from './errors';
export type * from './types';
