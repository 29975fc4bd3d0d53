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
 * given. Stopping early cancels the requests still in flight. A request that fails, or a body of another
 * length than the index says, throws RecoveryPointReadError.
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
  options.onRangeRequest?.(range);
  let body: Buffer;
  let contentRange: string | undefined;
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }), { abortSignal: signal });
    contentRange = out.ContentRange;
    const bytes = await out.Body!.transformToByteArray();
    body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    if (signal.aborted) throw err;
    throw new RecoveryPointReadError(bucket, key, `the archive's bytes ${range.slice(6)} could not be read: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (body.length !== member.length) {
    throw new RecoveryPointReadError(bucket, key, `asked for ${member.length} bytes at ${member.offset}, got ${body.length}: the archive does not match its index`);
  }
  const total = /\/(\d+)$/.exec(contentRange ?? '')?.[1];
  return { member, body, sha256: createHash('sha256').update(body).digest('hex'), objectBytes: total === undefined ? undefined : Number(total) };
}
