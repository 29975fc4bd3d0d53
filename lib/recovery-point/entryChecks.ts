// The checks a reader makes of each entry of an archive and, once read, of the archive as a whole against
// its manifest: the same for one stream (1.0, 1.1) and for Range-read gzip members (1.2).
import { ARCHIVE_FORMAT_VERSION } from './layout';
import { RecoveryPointIntegrityError } from './errors';
import type { ArchiveEntry } from './ArchiveReader';
import type { RecoveryPointManifest } from './manifest';
import { SecretValueError, type SecretEnvelope } from '../secrets';

/** Velero archive versions this reader understands (the major must match). */
const READABLE_ARCHIVE_MAJOR = ARCHIVE_FORMAT_VERSION.split('.')[0];
/** The one resource whose objects may be sealed. */
export const SECRETS_RESOURCE = 'secrets';

/** One object of the archive, parsed and checked against its path. */
export interface RecoveryPointObject {
  /** Archive path, e.g. `resources/deployments.apps/namespaces/shop/web.json`. */
  path: string;
  /** Velero-style resource name from the path. */
  resourceName: string;
  /** Undefined for cluster-scoped objects. */
  namespace: string | undefined;
  name: string;
  /** The object exactly as backed up (apiVersion and kind included). */
  object: Record<string, unknown>;
  /** Size of the entry in bytes. */
  bytes: number;
}

/** The first problem throws, unless the caller collects them (verify). */
export function problemSink(options: { onProblem?: (problem: string) => void }): (text: string) => void {
  return (text) => {
    if (!options.onProblem) throw new RecoveryPointIntegrityError([text]);
    options.onProblem(text);
  };
}

/** A metadata/version this delegate cannot read is a problem of the archive. */
export function checkVersion(entry: ArchiveEntry, problem: (text: string) => void): void {
  const version = entry.body.toString('utf8').trim();
  if (version.split('.')[0] !== READABLE_ARCHIVE_MAJOR) problem(`archive format version ${version} is not readable (this delegate reads ${ARCHIVE_FORMAT_VERSION})`);
}

/** One object entry checked (and its Secret opened), or undefined after telling its problem. */
export function checkEntry(
  entry: ArchiveEntry, kinds: ReadonlyMap<string, string>, envelope: SecretEnvelope | undefined, problem: (text: string) => void,
): RecoveryPointObject | undefined {
  if (entry.kind !== 'object') {
    if (!entry.path.startsWith('resources/')) problem(`archive entry ${JSON.stringify(entry.path)} is outside resources/`);
    return undefined;
  }
  let checked = checkObjectEntry(entry, kinds.get(entry.resourceName));
  if (typeof checked === 'string') {
    problem(checked);
    return undefined;
  }
  if (envelope && entry.resourceName === SECRETS_RESOURCE) {
    try {
      checked = envelope.cipher.openObject(entry.path, checked);
    } catch (err) {
      if (!(err instanceof SecretValueError)) throw err;
      problem(`archive entry ${JSON.stringify(entry.path)}: Secret value ${err.field} ${err.why}`);
      return undefined;
    }
  }
  return {
    path: entry.path, resourceName: entry.resourceName, namespace: entry.namespace, name: entry.name,
    object: checked, bytes: entry.body.length,
  };
}

/** Whole-archive checks once it has been read: digest, size, object counts against the manifest. */
export function archiveEndProblems(manifest: RecoveryPointManifest, read: { sha256: string; bytes: number; objects: number; counts: ReadonlyMap<string, number> }): string[] {
  const problems: string[] = [];
  if (read.sha256 !== manifest.archive.sha256) problems.push(`archive SHA-256 ${read.sha256} differs from the manifest's ${manifest.archive.sha256}`);
  if (read.bytes !== manifest.archive.bytes) problems.push(`archive is ${read.bytes} bytes, the manifest says ${manifest.archive.bytes}`);
  if (read.objects !== manifest.archive.objects) problems.push(`archive holds ${read.objects} objects, the manifest says ${manifest.archive.objects}`);
  const rows = new Set<string>();
  for (const row of manifest.resources) {
    rows.add(row.name);
    const seen = read.counts.get(row.name) ?? 0;
    if (seen !== row.count) problems.push(`${row.name}: archive holds ${seen} objects, the manifest says ${row.count}`);
  }
  for (const [name, seen] of read.counts) {
    if (!rows.has(name)) problems.push(`${name}: ${seen} objects in the archive but no row in the manifest`);
  }
  return problems;
}

/** The parsed object, or the problem with it. */
function checkObjectEntry(
  entry: { path: string; namespace: string | undefined; name: string; body: Buffer },
  expectedKind: string | undefined,
): Record<string, unknown> | string {
  const where = `archive entry ${JSON.stringify(entry.path)}`;
  let value: unknown;
  try {
    value = JSON.parse(entry.body.toString('utf8'));
  } catch {
    return `${where} is not valid JSON`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${where} is not one JSON object`;
  const obj = value as Record<string, unknown>;
  const metadata = typeof obj.metadata === 'object' && obj.metadata !== null ? (obj.metadata as Record<string, unknown>) : {};
  if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') return `${where} has no kind or apiVersion`;
  if (expectedKind !== undefined && obj.kind !== expectedKind) return `${where} is a ${obj.kind}, its path says ${expectedKind}`;
  if (metadata.name !== entry.name) return `${where} is named ${JSON.stringify(metadata.name)}, its path says ${JSON.stringify(entry.name)}`;
  if ((metadata.namespace ?? undefined) !== entry.namespace) {
    return `${where} is in namespace ${JSON.stringify(metadata.namespace ?? null)}, its path says ${JSON.stringify(entry.namespace ?? null)}`;
  }
  return obj;
}
