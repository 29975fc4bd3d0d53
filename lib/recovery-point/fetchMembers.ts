// Range GETs of a seekable archive's gzip members (format 1.2): several in flight, handed on in order, each
// whole in memory (a member is about 1 MiB, DEFAULT_MEMBER_BYTES) so its SHA-256 is checked before a byte of
// it is parsed: a tampered member is refused, never half-applied.
import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RecoveryPointReadError } from './errors';

/** Where a member lies. */
export interface MemberRange {
  offset: number;
  length: number;
}

/** Range GETs in flight at once by default. */
export const DEFAULT_RANGE_CONCURRENCY = 4;
/**
 * Tries of one Range GET. The SDK retries a request that fails, not a body that breaks off after it was
 * handed over; a restore reads each type from S3 in its turn (no local spool), so one broken body must
 * not fail the type: a member is small, and fetching it again is cheap.
 */
export const RANGE_GET_ATTEMPTS = 3;

/** One member as fetched. */
export interface FetchedMember<M extends MemberRange> {
  member: M;
  body: Buffer;
  /** Hex SHA-256 of `body`. */
  sha256: string;
  /** The object's whole size, from Content-Range (`bytes a-b/size`), when S3 sent it. */
  objectBytes: number | undefined;
}

export interface FetchMembersOptions {
  /** @default 4 (DEFAULT_RANGE_CONCURRENCY) */
  concurrency?: number;
  signal?: AbortSignal;
  /** Told each Range GET as it is sent (tests and progress). */
  onRangeRequest?: (range: string) => void;
}

/**
 * Fetches `members` of `key` by Range GET, up to `concurrency` at a time, and yields them in the order
 * given. Stopping early cancels the requests still in flight. A request that fails (after
 * RANGE_GET_ATTEMPTS for a broken transfer) throws RecoveryPointReadError; a body shorter than the member
 * (the archive is cut short) is handed on as it is, for the caller's checks to refuse.
 */
export async function* fetchMembers<M extends MemberRange>(
  s3: S3Client, bucket: string, key: string, members: readonly M[], options: FetchMembersOptions = {},
): AsyncGenerator<FetchedMember<M>, void, undefined> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_RANGE_CONCURRENCY);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const inFlight: Array<Promise<FetchedMember<M>>> = [];
  let next = 0;
  const startNext = (): void => {
    const member = members[next++]!;
    const fetched = fetchOne(s3, bucket, key, member, signal, options);
    fetched.catch(() => undefined); // awaited in turn below; a later one failing first must not go unhandled
    inFlight.push(fetched);
  };
  try {
    while (next < members.length && inFlight.length < concurrency) startNext();
    while (inFlight.length > 0) {
      const fetched = await inFlight.shift()!;
      if (next < members.length) startNext();
      yield fetched;
    }
  } finally {
    stop.abort(new Error('the member reads were stopped'));
  }
}

async function fetchOne<M extends MemberRange>(
  s3: S3Client, bucket: string, key: string, member: M, signal: AbortSignal, options: FetchMembersOptions,
): Promise<FetchedMember<M>> {
  const range = `bytes=${member.offset}-${member.offset + member.length - 1}`;
  let body: Buffer | undefined;
  let contentRange: string | undefined;
  for (let attempt = 1; body === undefined; attempt++) {
    options.onRangeRequest?.(range);
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }), { abortSignal: signal });
      contentRange = out.ContentRange;
      const bytes = await out.Body!.transformToByteArray();
      body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (signal.aborted) throw err;
      // A member wholly past the end of an archive cut short: nothing of it to read (the caller's checks say so).
      if (httpStatusOf(err) === 416) body = Buffer.alloc(0);
      if (body !== undefined) break;
      // A missing archive or a denied read will not change: only a broken transfer is tried again.
      if (attempt < RANGE_GET_ATTEMPTS && !hasHttpStatus(err)) continue;
      throw new RecoveryPointReadError(bucket, key, `the archive's bytes ${range.slice(6)} could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  const total = /\/(\d+)$/.exec(contentRange ?? '')?.[1];
  return { member, body, sha256: createHash('sha256').update(body).digest('hex'), objectBytes: total === undefined ? undefined : Number(total) };
}

/** True for an answer from S3 (404, 403...), as opposed to a transfer that broke off. */
function hasHttpStatus(err: unknown): boolean {
  return httpStatusOf(err) !== undefined;
}

function httpStatusOf(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
