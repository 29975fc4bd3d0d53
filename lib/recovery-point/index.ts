export { RecoveryPointWriter, DEFAULT_GZIP_LEVEL, DEFAULT_PART_SIZE_BYTES, DEFAULT_QUEUE_SIZE } from './RecoveryPointWriter';
export type {
  ArchiveSummary,
  RecoveryPointWriterOptions,
  RecoveryPointWriterState,
  ServerSideEncryption,
} from './RecoveryPointWriter';
export { readArchiveEntries, DEFAULT_MAX_ENTRY_BYTES } from './ArchiveReader';
export { RecoveryPointReader } from './RecoveryPointReader';
export type { ArchiveReadSummary, ReadObjectsOptions, RecoveryPointObject } from './RecoveryPointReader';
export type { ArchiveEntry, ReadArchiveOptions } from './ArchiveReader';
export { MANIFEST_FORMAT_VERSION, parseManifest, serializeManifest, validateManifest } from './manifest';
export type {
  ManifestArchive,
  ManifestCluster,
  ManifestResource,
  RecoveryPointManifest,
  RecoveryPointStatus,
  ResourceStatus,
} from './manifest';
export {
  ARCHIVE_FILE_NAME,
  ARCHIVE_FORMAT_VERSION,
  MANIFEST_FILE_NAME,
  METADATA_VERSION_PATH,
  RESTORES_DIR,
  READINESS_DIR,
  NOT_RECOVERY_POINT_FOLDERS,
  readinessFolder,
  RESTORE_LOCK_MAX_AGE_MS,
  RESTORE_LOCK_SUFFIX,
  restoreLockKey,
  archiveKey,
  manifestKey,
  newRecoveryPointId,
  objectEntryPath,
  parseEntryPath,
  recoveryPointFolder,
  validateClusterName,
  validatePrefix,
  validateRecoveryPointId,
} from './layout';
export type { ParsedEntryPath } from './layout';
export {
  ArchiveEntryError,
  ManifestError,
  RecoveryPointAbortedError,
  RecoveryPointError,
  RecoveryPointExistsError,
  RecoveryPointIntegrityError,
  RecoveryPointNotFoundError,
  RecoveryPointPathError,
  RecoveryPointReadError,
  RecoveryPointStateError,
  RecoveryPointWriteError,
} from './errors';
