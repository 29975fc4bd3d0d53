export { RecoveryPointWriter, DEFAULT_GZIP_LEVEL, DEFAULT_PART_SIZE_BYTES, DEFAULT_QUEUE_SIZE } from './RecoveryPointWriter';
export type {
  ArchiveSummary,
  RecoveryPointWriterOptions,
  RecoveryPointWriterState,
  ServerSideEncryption,
} from './RecoveryPointWriter';
export { readArchiveEntries, DEFAULT_MAX_ENTRY_BYTES } from './ArchiveReader';
export { RecoveryPointReader } from './RecoveryPointReader';
export type { ArchiveReadSummary, OpenRecoveryPointOptions, ReadObjectsOptions, RecoveryPointObject } from './RecoveryPointReader';
export { fetchMembers, DEFAULT_RANGE_CONCURRENCY } from './fetchMembers';
export type { FetchMembersOptions, FetchedMember } from './fetchMembers';
export type { ArchiveEntry, ReadArchiveOptions } from './ArchiveReader';
export { MANIFEST_FORMAT_VERSION, SEEKABLE_FORMAT_VERSION, compareVersions, parseManifest, serializeManifest, validateManifest } from './manifest';
export type {
  ManifestArchive,
  ManifestCluster,
  ManifestResource,
  ManifestScope,
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
  RESTORE_REPORT_SUFFIX,
  restoreReportKey,
  parseRestoreReportKey,
  restoreStatusKey,
  restoreReportPartKey,
  restoreFactsKey,
  restoreExistingNamesKey,
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
export type { ParsedEntryPath, ParsedRestoreReportKey } from './layout';
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
export { validateIndex, membersInArchiveOrder, membersOfType } from './archiveIndex';
export type { ArchiveIndex, ArchiveMember, IndexMember, IndexType } from './archiveIndex';
export { DEFAULT_MEMBER_BYTES, DEFAULT_SMALL_TYPE_BYTES } from './MemberArchive';
