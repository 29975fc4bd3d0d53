// The recovery point's path layout: pure functions shared by the writer and every reader or verifier,
// so the two can never disagree. The archive layout is Velero's (pkg/archive, pkg/backup):
//   metadata/version
//   resources/<plural>[.<group>]/namespaces/<ns>/<name>.json
//   resources/<plural>[.<group>]/cluster/<name>.json
import { randomBytes } from 'node:crypto';
import { ArchiveEntryError, RecoveryPointPathError } from './errors';

/** Velero's backup format version, written as the content of `metadata/version`. */
export const ARCHIVE_FORMAT_VERSION = '1.1.0';
/** Path of the archive's version entry. */
export const METADATA_VERSION_PATH = 'metadata/version';
/** Name of the archive object inside a recovery point folder. */
export const ARCHIVE_FILE_NAME = 'resources.tar.gz';
/** Name of the manifest (the commit marker) inside a recovery point folder. */
export const MANIFEST_FILE_NAME = 'manifest.json';
/** Folder inside a recovery point folder for restore reports and restore locks. */
export const RESTORES_DIR = 'restores/';
/** Suffix of a restore lock: `<folder>restores/<restoreId>.lock`. */
export const RESTORE_LOCK_SUFFIX = '.lock';
/**
 * A restore lock older than this is treated as left behind by a restore that died (a Lambda cannot run
 * longer than 15 minutes), and no longer protects its recovery point from retention.
 */
export const RESTORE_LOCK_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Folder inside a cluster folder for readiness reports: `<prefix><cluster>/readiness/<id>.json` and `.html` (DESIGN.md section 11). */
export const READINESS_DIR = 'readiness/';
/**
 * Folders beside the recovery points under `<prefix><cluster>/` that are not recovery points: readiness
 * reports, and the restore reports of a recovery delegate writing to its own bucket. The catalog never lists
 * them (as incomplete backups) and retention never deletes them.
 */
export const NOT_RECOVERY_POINT_FOLDERS: ReadonlySet<string> = new Set([READINESS_DIR.slice(0, -1), RESTORES_DIR.slice(0, -1)]);

const RESOURCES_DIR = 'resources';
const NAMESPACES_DIR = 'namespaces';
const CLUSTER_DIR = 'cluster';
const OBJECT_SUFFIX = '.json';

const RECOVERY_POINT_ID = /^[A-Za-z0-9._-]{1,128}$/;
// EKS CreateCluster: 1-100 characters, starts with a letter or digit.
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
// `<plural>` or `<plural>.<group>`: lowercase DNS-style names, as Velero names resources.
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// C0 controls, DEL and C1 controls: never meaningful in a key or a file name, and NUL ends tar names.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** `<prefix><clusterName>/<id>/`. Throws RecoveryPointPathError naming every unsafe part. */
export function recoveryPointFolder(prefix: string, clusterName: string, id: string): string {
  const problems = [...validatePrefix(prefix), ...validateClusterName(clusterName), ...validateRecoveryPointId(id)];
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  return `${prefix}${clusterName}/${id}/`;
}

/** `<prefix><clusterName>/readiness/` */
export function readinessFolder(prefix: string, clusterName: string): string {
  const problems = [...validatePrefix(prefix), ...validateClusterName(clusterName)];
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  return `${prefix}${clusterName}/${READINESS_DIR}`;
}

/** `<folder>resources.tar.gz` */
export function archiveKey(folder: string): string {
  return `${folder}${ARCHIVE_FILE_NAME}`;
}

/** `<folder>manifest.json` */
export function manifestKey(folder: string): string {
  return `${folder}${MANIFEST_FILE_NAME}`;
}

/**
 * `<folder>restores/<restoreId>.lock`: a restore writes it (any body) before it reads the recovery point
 * and deletes it when done (best effort: without s3:DeleteObject it expires). While a lock younger than RESTORE_LOCK_MAX_AGE_MS exists, retention never
 * deletes the recovery point (lib/catalog/applyRetention.ts). Throws RecoveryPointPathError for an unsafe id.
 */
export function restoreLockKey(folder: string, restoreId: string): string {
  const problems = validateSegment('restoreId', restoreId);
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  return `${folder}${RESTORES_DIR}${restoreId}${RESTORE_LOCK_SUFFIX}`;
}

/** Suffix of a restore report: `<folder>restores/<restoreId>.json`. */
export const RESTORE_REPORT_SUFFIX = '.json';

/**
 * Where a restore's report goes: beside its recovery point (`<folder>restores/<restoreId>.json`), or, when
 * the delegate restoring writes to a bucket of its own, `<prefix><targetCluster>/restores/<restoreId>.json`
 * there (DESIGN.md section 8). Throws RecoveryPointPathError for an unsafe id.
 */
export function restoreReportKey(where: { folder: string } | { prefix: string; targetCluster: string }, restoreId: string): string {
  const problems = [...validateSegment('restoreId', restoreId)];
  if ('targetCluster' in where) problems.push(...validatePrefix(where.prefix), ...validateClusterName(where.targetCluster));
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  const folder = 'folder' in where ? where.folder : `${where.prefix}${where.targetCluster}/`;
  return `${folder}${RESTORES_DIR}${restoreId}${RESTORE_REPORT_SUFFIX}`;
}

/** A restore report's key read back: which cluster's folder, which recovery point (absent: the target's own). */
export interface ParsedRestoreReportKey {
  cluster: string;
  recoveryPointId?: string;
  restoreId: string;
}

/** The inverse of restoreReportKey under `prefix`; undefined for any other key (a lock, an archive). */
export function parseRestoreReportKey(prefix: string, key: string): ParsedRestoreReportKey | undefined {
  if (!key.startsWith(prefix) || !key.endsWith(RESTORE_REPORT_SUFFIX)) return undefined;
  const parts = key.slice(prefix.length, -RESTORE_REPORT_SUFFIX.length).split('/');
  const restoresDir = RESTORES_DIR.slice(0, -1);
  const [cluster, a, b, c] = parts;
  if (cluster === undefined || validateClusterName(cluster).length > 0) return undefined;
  if (parts.length === 3 && a === restoresDir && b) return validSegment(b) ? { cluster, restoreId: b } : undefined;
  if (parts.length === 4 && a && b === restoresDir && c) {
    return validateRecoveryPointId(a).length === 0 && validSegment(c) ? { cluster, recoveryPointId: a, restoreId: c } : undefined;
  }
  return undefined;
}

function validSegment(id: string): boolean {
  return validateSegment('restoreId', id).length === 0;
}

/**
 * `<prefix><clusterName>/restores/<restoreId>/status.json` in the recovery delegate's own bucket: the small
 * progress document each step of a durable restore rewrites (read by `describe-restore`). Keyed by the
 * recovery cluster, so a restoreId is all a caller needs. Throws RecoveryPointPathError for an unsafe part.
 */
export function restoreStatusKey(prefix: string, clusterName: string, restoreId: string): string {
  const problems = [...validatePrefix(prefix), ...validateClusterName(clusterName), ...validateSegment('restoreId', restoreId)];
  if (problems.length > 0) throw new RecoveryPointPathError(problems);
  return `${prefix}${clusterName}/${RESTORES_DIR}${restoreId}/status.json`;
}

/**
 * One step's part of a restore report: `<report key without .json>/parts/<index, 5 digits>.json`. A step run
 * again writes the same key, so the merged report has one row per object.
 */
export function restoreReportPartKey(reportKey: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 99_999) throw new RecoveryPointPathError([`report part ${index} must be an integer from 0 to 99999`]);
  return `${reportKey.replace(/\.json$/, '')}/parts/${String(index).padStart(5, '0')}.json`;
}

/**
 * What a durable restore's `prepare` learned of a seekable recovery point, for its steps to read instead of
 * the whole archive: `<report key without .json>/facts.json`, beside the report's parts.
 */
export function restoreFactsKey(reportKey: string): string {
  return `${reportKey.replace(/\.json$/, '')}/facts.json`;
}

/**
 * The names a durable restore's chunked type had in the recovery cluster, listed once for all its chunks:
 * `<report key without .json>/existing/<resourceName>.json`. Throws RecoveryPointPathError for a resource
 * name that is not one path segment.
 */
export function restoreExistingNamesKey(reportKey: string, resourceName: string): string {
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(resourceName)) throw new RecoveryPointPathError([`resource name ${JSON.stringify(resourceName)} is not a single lowercase DNS-like segment`]);
  return `${reportKey.replace(/\.json$/, '')}/existing/${resourceName}.json`;
}

/**
 * The archive path of one object: `resources/<resourceName>/namespaces/<ns>/<name>.json`, or
 * `resources/<resourceName>/cluster/<name>.json` when `namespace` is undefined (cluster-scoped).
 * Throws RecoveryPointPathError when a part could escape its folder or is not a single path segment.
 */
export function objectEntryPath(resourceName: string, namespace: string | undefined, name: string): string {
  const nameProblems = validateSegment('name', name);
  const namespaceProblems = namespace === undefined ? NO_PROBLEMS : validateSegment('namespace', namespace);
  const resourceProblems = validateResourceName(resourceName);
  if (resourceProblems.length + namespaceProblems.length + nameProblems.length > 0) {
    throw new RecoveryPointPathError([...resourceProblems, ...namespaceProblems, ...nameProblems]);
  }
  const scope = namespace === undefined ? CLUSTER_DIR : `${NAMESPACES_DIR}/${namespace}`;
  return `${RESOURCES_DIR}/${resourceName}/${scope}/${name}${OBJECT_SUFFIX}`;
}

/** What an archive path names: the version entry, one object, or another (safe) Velero entry. */
export type ParsedEntryPath =
  | { kind: 'metadata-version'; path: string }
  | { kind: 'object'; path: string; resourceName: string; namespace: string | undefined; name: string }
  | { kind: 'other'; path: string };

/**
 * Inverse of objectEntryPath. Throws ArchiveEntryError for any path that could escape the folder it is
 * extracted to (absolute, `..`, `.`, empty segments, backslashes, control characters). Safe paths that are
 * not in this layout (e.g. Velero's `resources/<r>/v1-preferredversion/...` copies) come back as `other`.
 */
export function parseEntryPath(path: string): ParsedEntryPath {
  const problems = pathSafetyProblems(path);
  if (problems.length > 0) throw new ArchiveEntryError(path, problems.join('; '));
  if (path === METADATA_VERSION_PATH) return { kind: 'metadata-version', path };

  const parts = path.split('/');
  const [top, resourceName] = parts;
  const file = parts[parts.length - 1];
  if (
    top !== RESOURCES_DIR ||
    resourceName === undefined ||
    !RESOURCE_NAME.test(resourceName) ||
    file === undefined ||
    !file.endsWith(OBJECT_SUFFIX) ||
    file.length === OBJECT_SUFFIX.length
  ) {
    return { kind: 'other', path };
  }
  const name = file.slice(0, -OBJECT_SUFFIX.length);
  if (parts.length === 4 && parts[2] === CLUSTER_DIR) {
    return { kind: 'object', path, resourceName, namespace: undefined, name };
  }
  if (parts.length === 5 && parts[2] === NAMESPACES_DIR && parts[3] !== undefined) {
    return { kind: 'object', path, resourceName, namespace: parts[3], name };
  }
  return { kind: 'other', path };
}

/**
 * Problems with a key prefix; empty when it is safe. A prefix is '' or ends with '/'; it has no leading
 * '/', no '//', no '.' or '..' segment, no backslash and no control character.
 */
export function validatePrefix(prefix: string): string[] {
  const problems: string[] = [];
  if (prefix === '') return problems;
  const shown = JSON.stringify(prefix);
  if (!prefix.endsWith('/')) problems.push(`prefix ${shown} must be empty or end with '/'`);
  if (prefix.startsWith('/')) problems.push(`prefix ${shown} must not start with '/'`);
  if (prefix.includes('//')) problems.push(`prefix ${shown} must not contain '//'`);
  if (prefix.includes('\\')) problems.push(`prefix ${shown} must not contain a backslash`);
  if (CONTROL_CHARS.test(prefix)) problems.push(`prefix ${shown} must not contain control characters`);
  if (prefix.split('/').some((segment) => segment === '..' || segment === '.')) {
    problems.push(`prefix ${shown} must not contain a '.' or '..' segment`);
  }
  return problems;
}

/** Problems with a recovery point id; empty when it is 1-128 of [A-Za-z0-9._-] and not '.' or '..'. */
export function validateRecoveryPointId(id: string): string[] {
  if (id === '.' || id === '..' || !RECOVERY_POINT_ID.test(id)) {
    return [`recoveryPointId ${JSON.stringify(id)} must be 1-128 characters of [A-Za-z0-9._-] and not '.' or '..'`];
  }
  // Its folder would be taken for the reports beside the recovery points, and never listed.
  if (NOT_RECOVERY_POINT_FOLDERS.has(id)) return [`recoveryPointId ${JSON.stringify(id)} is reserved for the reports beside the recovery points`];
  return [];
}

/** Problems with an EKS cluster name used as a folder; empty when it matches EKS's own rule. */
export function validateClusterName(clusterName: string): string[] {
  if (!CLUSTER_NAME.test(clusterName)) {
    return [
      `clusterName ${JSON.stringify(clusterName)} must be 1-100 characters of [A-Za-z0-9_-] starting with a letter or digit`,
    ];
  }
  return [];
}

/**
 * A new, sortable recovery point id: UTC time to the second plus 4 random hex digits, e.g.
 * `20261123T200501Z-7f3a`. The random part keeps two runs in the same second apart.
 * @param random source of random bytes (tests pass a fixed one). @default crypto.randomBytes
 */
export function newRecoveryPointId(now: Date, random: (size: number) => Uint8Array = randomBytes): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${Buffer.from(random(2)).toString('hex').slice(0, 4)}`;
}

function validateResourceName(resourceName: string): readonly string[] {
  if (!RESOURCE_NAME.test(resourceName) || resourceName.includes('..')) {
    return [`resource name ${JSON.stringify(resourceName)} must be <plural> or <plural>.<group> in lowercase`];
  }
  return NO_PROBLEMS;
}

/** Shared by every valid part; never modified (callers spread it). */
const NO_PROBLEMS: readonly string[] = [];

// Kubernetes names may hold characters such as ':' (RBAC names); only what could change the path is refused.
function validateSegment(what: string, value: string): readonly string[] {
  // Once per backed-up object: the usual answer costs no message and no array (issue 16).
  if (value !== '' && value !== '.' && value !== '..' && !value.includes('/') && !value.includes('\\') && !CONTROL_CHARS.test(value)) return NO_PROBLEMS;
  const shown = JSON.stringify(value);
  const problems: string[] = [];
  if (value === '' || value === '.' || value === '..') problems.push(`${what} ${shown} is not a usable file name`);
  if (value.includes('/') || value.includes('\\')) problems.push(`${what} ${shown} must not contain '/' or '\\'`);
  if (CONTROL_CHARS.test(value)) problems.push(`${what} ${shown} must not contain control characters`);
  return problems;
}

function pathSafetyProblems(path: string): string[] {
  const problems: string[] = [];
  if (path === '') return ['path is empty'];
  if (path.startsWith('/')) problems.push('path is absolute');
  if (/^[A-Za-z]:/.test(path)) problems.push('path starts with a drive letter');
  if (path.includes('\\')) problems.push('path contains a backslash');
  if (CONTROL_CHARS.test(path)) problems.push('path contains control characters');
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) problems.push("path has a '..' segment");
  if (segments.some((segment) => segment === '.')) problems.push("path has a '.' segment");
  if (segments.some((segment, index) => segment === '' && !(index === 0 && path.startsWith('/')))) {
    problems.push('path has an empty segment');
  }
  return problems;
}
