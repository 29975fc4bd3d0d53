// manifest.json: the recovery point's index and commit marker (DESIGN.md section 4). It is written last;
// a folder without it is an incomplete recovery point and must never be presented as usable.
import { ManifestError } from './errors';
import { validateRecoveryPointId } from './layout';
import { validateIndex, type ArchiveIndex } from './archiveIndex';
import { ENCRYPTION_SCHEME, type SecretsManifestEntry } from '../secrets/SecretEnvelope';

/**
 * Version of the manifest's own format. Readers accept the same major version.
 * 1.1.0 added the optional `secrets` field (Secret values sealed with a KMS data key, docs/secrets.md).
 * 1.2.0 added `scope`: the backup's filters and whether it is whole-cluster (docs/scope.md); older
 * manifests have none, and lib/catalog's recoveryPointScope says what they are taken for. 1.2.0 also added
 * `index`: the archive is gzip members per resource type, and the index says where each lies (seekable
 * recovery points); readers read a manifest without `index` as one stream.
 */
export const MANIFEST_FORMAT_VERSION = '1.2.0';
/** The first manifest version that may carry `index`. */
export const SEEKABLE_FORMAT_VERSION = '1.2.0';

/** Outcome of a backup run. A manifest is only ever written for COMPLETED or PARTIAL. */
export type RecoveryPointStatus = 'COMPLETED' | 'PARTIAL' | 'FAILED';

/** What happened to one resource type: read, refused (RBAC), failed, filtered out, or gone mid-run. */
export type ResourceStatus = 'ok' | 'forbidden' | 'failed' | 'excluded' | 'gone';

/** The cluster the recovery point was taken from, as EKS DescribeCluster and STS describe it. */
export interface ManifestCluster {
  name: string;
  arn: string;
  region: string;
  /** AWS account id that owns the cluster. */
  account: string;
  /** Kubernetes minor version, e.g. "1.31". */
  kubernetesVersion: string;
  /** EKS platform version, e.g. "eks.12". */
  platformVersion: string;
  /** accessConfig.authenticationMode: CONFIG_MAP, API_AND_CONFIG_MAP or API. */
  authenticationMode: string;
}

/** The archive object, as the writer measured it while streaming (RecoveryPointWriter.finish()). */
export interface ManifestArchive {
  key: string;
  /** Size of the gzipped archive in bytes. */
  bytes: number;
  /** Hex SHA-256 of the gzipped archive, as stored in S3. */
  sha256: string;
  /** Number of Kubernetes objects in the archive (the metadata/version entry is not counted). */
  objects: number;
}

/** One row per resource type the run considered. */
export interface ManifestResource {
  /** Velero-style name: `<plural>` for the core group, `<plural>.<group>` otherwise. */
  name: string;
  /** API group; '' for the core group. */
  group: string;
  /** The version the objects were read at (the most preferred version serving the resource). */
  version: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Objects of this type written to the archive. */
  count: number;
  status: ResourceStatus;
  /** Why the status is not `ok`. */
  error?: string;
}

/**
 * What the backup was asked to cover (since 1.2.0), as the filters took effect: names lower-cased, an
 * include list of `["*"]` written as `[]`, and excludeResources with its default (events) when the event
 * gave none. An empty include list means all.
 */
export interface ManifestScope {
  /**
   * Every namespace and every resource type the cluster served, except the events left out by default:
   * a copy of the whole cluster's configuration, fit to be `latest` (docs/scope.md).
   */
  wholeCluster: boolean;
  includeNamespaces: string[];
  excludeNamespaces: string[];
  includeResources: string[];
  excludeResources: string[];
}

/**
 * The manifest. `D` is the type of one AWS dependency row, which the dependency scan defines.
 */
export interface RecoveryPointManifest<D = unknown> {
  formatVersion: string;
  recoveryPointId: string;
  cluster: ManifestCluster;
  /** ISO 8601 UTC. */
  startedAt: string;
  /** ISO 8601 UTC. */
  completedAt: string;
  status: RecoveryPointStatus;
  archive: ManifestArchive;
  resources: ManifestResource[];
  warnings: string[];
  awsDependencies: D[];
  /** Present when the archive's Secret values are sealed (since 1.1.0): the scheme and the KMS-encrypted data key. */
  secrets?: SecretsManifestEntry;
  /** The backup's filters and whether it is whole-cluster (since 1.2.0; absent in older manifests). */
  scope?: ManifestScope;
  /** Where each resource type's gzip members lie in the archive (since 1.2.0); absent: read the archive as one stream. */
  index?: ArchiveIndex;
}

/**
 * A manifest to write: the dependency rows may be any iterable that can be iterated more than once (the
 * collector's lazy list), serialized one row at a time.
 */
export type ManifestToWrite<D = unknown> = Omit<RecoveryPointManifest<D>, 'awsDependencies'> & { awsDependencies: Iterable<D> };

const STATUSES: readonly RecoveryPointStatus[] = ['COMPLETED', 'PARTIAL', 'FAILED'];
const RESOURCE_STATUSES: readonly ResourceStatus[] = ['ok', 'forbidden', 'failed', 'excluded', 'gone'];
const CLUSTER_FIELDS = [
  'name',
  'arn',
  'region',
  'account',
  'kubernetesVersion',
  'platformVersion',
  'authenticationMode',
] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The manifest as written: pretty JSON with a trailing newline, so `cat` and diffs read well; byte for byte
 * `JSON.stringify(manifest, null, 2) + "\n"`. Built piece by piece, in one pass, into 64 KiB chunks joined at
 * the end: at 100k objects the dependency list makes a manifest of several MB, which as one string plus its
 * encoded copy was the backup's last and highest memory peak (issue 8). One pass, not a sizing pass and a
 * writing pass: each row is expanded (its references parsed and sorted) and serialized once, which at 10k
 * dependencies halves the ~0.6 s the manifest took (issue 16).
 */
export function serializeManifest<D>(manifest: ManifestToWrite<D>): Buffer {
  const chunks: Buffer[] = [];
  let pending = '';
  for (const piece of prettyPieces(manifest)) {
    pending += piece;
    if (pending.length >= MANIFEST_CHUNK_CHARS) {
      chunks.push(Buffer.from(pending, 'utf8'));
      pending = '';
    }
  }
  chunks.push(Buffer.from(pending, 'utf8'));
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Characters gathered before they are encoded: few native calls; at 1 MiB, flattening the joined pieces cost more than the rows (issue 16). */
const MANIFEST_CHUNK_CHARS = 64 * 1024;

/**
 * JSON.stringify(value, null, 2) + newline, in pieces: the top-level object's arrays element by element,
 * and its other iterables (ManifestToWrite.awsDependencies) as the arrays they stand for.
 */
function* prettyPieces(value: object): Generator<string> {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i]!;
    yield `${i === 0 ? '' : ','}\n  ${JSON.stringify(key)}: `;
    if (isRows(v)) {
      let j = 0;
      for (const row of v) yield `${j++ === 0 ? '[' : ','}\n    ${nested(row, ROW_WRAPPER)}`;
      yield j === 0 ? '[]' : '\n  ]';
    } else {
      yield nested(v, VALUE_WRAPPER);
    }
  }
  yield '\n}\n';
}

/**
 * Where a value sits in the pretty output: inside `{"": value}` (a top-level field) or `{"": [value]}` (a
 * row of a top-level array). JSON.stringify of that wrapper indents the value exactly as it appears in the
 * manifest, and the wrapper's fixed ends are cut off: no second pass over the text to indent it.
 */
interface Wrapper {
  wrap: (value: unknown) => unknown;
  head: number;
  tail: number;
}
const VALUE_WRAPPER: Wrapper = { wrap: (value) => ({ '': value }), head: '{\n  "": '.length, tail: '\n}'.length };
const ROW_WRAPPER: Wrapper = { wrap: (value) => ({ '': [value] }), head: '{\n  "": [\n    '.length, tail: '\n  ]\n}'.length };

/** `value` as pretty JSON, indented for its place (see Wrapper); a row that is undefined is `null`, as in an array. */
function nested(value: unknown, wrapper: Wrapper): string {
  const json = JSON.stringify(wrapper.wrap(value), null, 2);
  return json.slice(wrapper.head, json.length - wrapper.tail);
}

/**
 * An array, or a plain object that is iterable (a lazy list such as DependencyCollector.dependencies()),
 * written as the array it stands for. JSON.stringify would write the latter as `{}`: the one place where
 * the output differs from it.
 */
function isRows(value: unknown): value is Iterable<unknown> {
  if (Array.isArray(value)) return true;
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Symbol.iterator in value;
}

/**
 * Parses manifest.json and checks the essentials a reader relies on (ids, cluster, status, archive,
 * resource rows). Unknown extra fields are kept. Throws ManifestError naming every problem.
 */
export function parseManifest(json: string | Buffer): RecoveryPointManifest {
  let value: unknown;
  try {
    value = JSON.parse(typeof json === 'string' ? json : json.toString('utf8'));
  } catch (error) {
    throw new ManifestError(['not valid JSON'], { cause: error });
  }
  const problems = validateManifest(value);
  if (problems.length > 0) throw new ManifestError(problems);
  // validateManifest checked every field the type promises.
  return value as RecoveryPointManifest;
}

/** Every problem with a manifest-shaped value; empty when it is a valid, writable manifest. */
export function validateManifest(value: unknown): string[] {
  if (!isRecord(value)) return ['manifest is not a JSON object'];
  const problems: string[] = [];

  const formatVersion = value['formatVersion'];
  if (typeof formatVersion !== 'string') {
    problems.push('formatVersion must be a string');
  } else if (majorOf(formatVersion) !== majorOf(MANIFEST_FORMAT_VERSION)) {
    problems.push(`formatVersion ${formatVersion} is not readable by this version (${MANIFEST_FORMAT_VERSION})`);
  }

  const id = value['recoveryPointId'];
  if (typeof id !== 'string') problems.push('recoveryPointId must be a string');
  else problems.push(...validateRecoveryPointId(id));

  const cluster = value['cluster'];
  if (!isRecord(cluster)) {
    problems.push('cluster must be an object');
  } else {
    for (const field of CLUSTER_FIELDS) {
      if (typeof cluster[field] !== 'string') problems.push(`cluster.${field} must be a string`);
    }
    if (cluster['name'] === '') problems.push('cluster.name must not be empty');
  }

  for (const field of ['startedAt', 'completedAt'] as const) {
    const time = value[field];
    if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) problems.push(`${field} must be an ISO 8601 time`);
  }

  const status = value['status'];
  if (!STATUSES.includes(status as RecoveryPointStatus)) {
    problems.push(`status must be one of ${STATUSES.join(', ')}`);
  } else if (status === 'FAILED') {
    problems.push('status FAILED: a failed run has no manifest');
  }

  const archive = value['archive'];
  if (!isRecord(archive)) {
    problems.push('archive must be an object');
  } else {
    if (typeof archive['key'] !== 'string' || archive['key'] === '') problems.push('archive.key must be a string');
    if (!isCount(archive['bytes'])) problems.push('archive.bytes must be a non-negative integer');
    if (!isCount(archive['objects'])) problems.push('archive.objects must be a non-negative integer');
    if (typeof archive['sha256'] !== 'string' || !SHA256_HEX.test(archive['sha256'])) {
      problems.push('archive.sha256 must be 64 lowercase hex digits');
    }
  }

  const resources = value['resources'];
  if (!Array.isArray(resources)) {
    problems.push('resources must be an array');
  } else {
    resources.forEach((row: unknown, index) => problems.push(...validateResourceRow(row, index)));
  }

  const warnings = value['warnings'];
  if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === 'string')) {
    problems.push('warnings must be an array of strings');
  }
  if (!isRows(value['awsDependencies'])) problems.push('awsDependencies must be an array');
  if (value['secrets'] !== undefined) problems.push(...validateSecretsEntry(value['secrets']));
  if (value['scope'] !== undefined) problems.push(...validateScope(value['scope']));
  if (value['index'] !== undefined) problems.push(...indexProblems(value['index'], formatVersion, archive));
  return problems;
}

const SCOPE_LISTS = ['includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources'] as const;

function validateScope(scope: unknown): string[] {
  if (!isRecord(scope)) return ['scope must be an object'];
  const problems: string[] = [];
  if (typeof scope['wholeCluster'] !== 'boolean') problems.push('scope.wholeCluster must be a boolean');
  for (const field of SCOPE_LISTS) {
    const list = scope[field];
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) problems.push(`scope.${field} must be an array of strings`);
  }
  return problems;
}

/** The index checked on its own (validateIndex) and against the version. */
function indexProblems(index: unknown, formatVersion: unknown, archive: unknown): string[] {
  const problems: string[] = [];
  if (typeof formatVersion === 'string' && compareVersions(formatVersion, SEEKABLE_FORMAT_VERSION) < 0) {
    problems.push(`index needs formatVersion ${SEEKABLE_FORMAT_VERSION} or later, not ${formatVersion}`);
  }
  return [...problems, ...validateIndex(index, isRecord(archive) ? archive['bytes'] : undefined)];
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` (dotted numbers). */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const y = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function validateSecretsEntry(secrets: unknown): string[] {
  if (!isRecord(secrets)) return ['secrets must be an object'];
  const problems: string[] = [];
  if (secrets['encryption'] !== ENCRYPTION_SCHEME) problems.push(`secrets.encryption ${JSON.stringify(secrets['encryption'])} is not known to this version (${ENCRYPTION_SCHEME})`);
  for (const field of ['valueFormat', 'kmsKeyId', 'encryptedDataKey'] as const) {
    if (typeof secrets[field] !== 'string' || secrets[field] === '') problems.push(`secrets.${field} must be a non-empty string`);
  }
  const context = secrets['encryptionContext'];
  if (!isRecord(context) || !Object.values(context).every((v) => typeof v === 'string')) problems.push('secrets.encryptionContext must be an object of strings');
  return problems;
}

function validateResourceRow(row: unknown, index: number): string[] {
  const where = `resources[${index}]`;
  if (!isRecord(row)) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const field of ['name', 'group', 'version', 'resource', 'kind'] as const) {
    if (typeof row[field] !== 'string') problems.push(`${where}.${field} must be a string`);
  }
  if (typeof row['namespaced'] !== 'boolean') problems.push(`${where}.namespaced must be a boolean`);
  if (!isCount(row['count'])) problems.push(`${where}.count must be a non-negative integer`);
  if (!RESOURCE_STATUSES.includes(row['status'] as ResourceStatus)) {
    problems.push(`${where}.status must be one of ${RESOURCE_STATUSES.join(', ')}`);
  }
  if (row['error'] !== undefined && typeof row['error'] !== 'string') problems.push(`${where}.error must be a string`);
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function majorOf(version: string): string {
  return version.split('.')[0] ?? version;
}
