// verify-recovery-point (DESIGN.md section 9): reads the whole archive through RecoveryPointReader (a seekable
// one, format 1.2, by Range GETs of every member, each checked against its SHA-256 in the index), which
// checks every entry (safe path inside resources/, one JSON object whose kind, name and namespace match its
// path and the manifest) and, at the end, SHA-256, size, object count and per-type counts. No cluster needed.
import { RecoveryPointIntegrityError } from '../recovery-point/errors';
import { SecretKeyError } from '../secrets';
import { openRecoveryPoint } from './findLatestRecoveryPoint';
import type { ClusterLocation } from './recoveryPointFolders';

/** Problems listed in a result; the count says how many there were in all. */
export const MAX_REPORTED_PROBLEMS = 100;

export interface VerifyResult {
  status: 'VALID' | 'INVALID';
  recoveryPointId: string;
  /** Objects read that passed their checks. */
  objects: number;
  /** Archive bytes read. */
  bytes: number;
  /** SHA-256 of what was read; absent when the archive could not be read to its end. */
  sha256?: string;
  /** What the manifest promises. */
  expected: { objects: number; bytes: number; sha256: string };
  /** Every problem found (at most MAX_REPORTED_PROBLEMS), empty when VALID. */
  problems: string[];
  problemCount: number;
}

export interface VerifyOptions {
  signal?: AbortSignal;
  /** Told the archive bytes read so far (progress). */
  onArchiveBytes?: (bytesRead: number) => void;
}

/**
 * Streams the archive of `recoveryPointId` (or `latest`) and reports every problem found, instead of
 * stopping at the first. Throws RecoveryPointUnavailableError when there is no usable manifest to verify against.
 */
export async function verifyRecoveryPoint(where: ClusterLocation, recoveryPointId: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const reader = await openRecoveryPoint(where, recoveryPointId);
  const problems: string[] = [];
  let problemCount = 0;
  const onProblem = (p: string): void => {
    problemCount++;
    if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
  };
  let objects = 0;
  let bytesRead = 0;
  try {
    for await (const o of reader.objects({
      onProblem,
      ...(options.signal ? { signal: options.signal } : {}),
      onArchiveBytes: (n) => {
        bytesRead = n;
        options.onArchiveBytes?.(n);
      },
    })) {
      void o;
      objects++;
    }
  } catch (err) {
    if (options.signal?.aborted) throw err;
    if (err instanceof RecoveryPointIntegrityError) err.problems.forEach(onProblem);
    // The archive is not read without its Secrets' key: the recovery point cannot be restored as it is.
    else if (err instanceof SecretKeyError) onProblem(err.message);
    else if (isNoSuchKey(err)) onProblem(`the archive ${reader.manifest.archive.key} does not exist`);
    else throw err;
  }
  const summary = reader.summary;
  const m = reader.manifest;
  return {
    status: problemCount === 0 ? 'VALID' : 'INVALID',
    recoveryPointId: m.recoveryPointId,
    objects,
    bytes: summary?.bytes ?? bytesRead,
    ...(summary ? { sha256: summary.sha256 } : {}),
    expected: { objects: m.archive.objects, bytes: m.archive.bytes, sha256: m.archive.sha256 },
    problems,
    problemCount,
  };
}

function isNoSuchKey(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | null;
  // A Range GET of a seekable archive (1.2) wraps S3's error in a RecoveryPointReadError.
  return e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404 || (e?.cause !== undefined && isNoSuchKey(e.cause));
}
