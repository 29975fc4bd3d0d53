// The one serialized writer of a recovery point: objects go into a tar written in 64 KiB chunks -> gzip -> SHA-256/byte
// counter -> a multipart S3 upload in reused part buffers (PartUpload), all streamed, with backpressure from S3
// back to the producer. manifest.json is written last and only after the archive upload completed (DESIGN.md section 4).
import { setTimeout as delay } from 'node:timers/promises';
import {
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { MemberArchive } from './MemberArchive';
import { StreamArchive, type ArchiveBody } from './StreamArchive';
import { DigestStream } from './DigestStream';
import { PartUpload } from './PartUpload';
import {
  RecoveryPointAbortedError,
  RecoveryPointError,
  RecoveryPointExistsError,
  RecoveryPointPathError,
  RecoveryPointStateError,
  RecoveryPointWriteError,
  ManifestError,
} from './errors';
import {
  ARCHIVE_FORMAT_VERSION,
  METADATA_VERSION_PATH,
  archiveKey,
  manifestKey,
  objectEntryPath,
  validatePrefix,
} from './layout';
import { SEEKABLE_FORMAT_VERSION, compareVersions, serializeManifest, validateManifest, type ManifestToWrite } from './manifest';
import type { ArchiveIndex } from './archiveIndex';

/** S3's minimum multipart part size. */
export const DEFAULT_PART_SIZE_BYTES = 5 * 1024 * 1024;
/** Parts uploaded in parallel (lib-storage's default). */
export const DEFAULT_QUEUE_SIZE = 4;
/**
 * gzip level. Measured on the bench's 100k-object archive (240 MB of tar, one core, median of runs):
 * levels 1-3 (zlib's fast deflate) all take ~0.9-1.0 s and give 25.4 / 25.0 / 24.6 MB; level 4 1.5 s,
 * 22.6 MB; level 6 (zlib's default) 1.7 s, 20.9 MB. Level 3 halves the CPU of level 6 for an archive 18%
 * larger: on a Lambda sharing its cores with the listing, that CPU is wall time on every backup, while
 * 4 MB more per 100k objects stored costs about $0.0001 a month (issue 8).
 */
export const DEFAULT_GZIP_LEVEL = 3;
/** How long abort() waits for in-flight parts before it stops the upload the hard way. */
export const DEFAULT_ABORT_WAIT_MS = 15_000;

/** Server-side encryption applied to every object the writer puts. */
export type ServerSideEncryption = { type: 'AES256' } | { type: 'aws:kms'; kmsKeyId?: string };

/** Options for RecoveryPointWriter.create(). */
export interface RecoveryPointWriterOptions {
  /** The S3 client; its endpoint, checksum and retry settings are the caller's (see lib/config). */
  s3: S3Client;
  /** Bucket that holds recovery points. */
  bucket: string;
  /** Recovery point folder, `<prefix><clusterName>/<id>/` (layout.recoveryPointFolder); ends with '/'. */
  folder: string;
  /**
   * Multipart part size. Memory stays below about (queueSize + 1) x partSizeBytes.
   * @default 5 MiB (DEFAULT_PART_SIZE_BYTES, the S3 minimum)
   */
  partSizeBytes?: number;
  /**
   * Parts uploaded in parallel.
   * @default 4 (DEFAULT_QUEUE_SIZE)
   */
  queueSize?: number;
  /**
   * Encryption for the archive and the manifest (sent on CreateMultipartUpload / PutObject).
   * @default { type: 'AES256' }
   */
  serverSideEncryption?: ServerSideEncryption;
  /**
   * gzip level, 0-9.
   * @default 3 (DEFAULT_GZIP_LEVEL; see there for the measurement)
   */
  gzipLevel?: number;
  /**
   * Modification time of every tar entry. A fixed time makes archives of equal content identical.
   * @default the time create() is called
   */
  entryTime?: Date;
  /**
   * Write manifest.json with `If-None-Match: *`, so two runs can never both commit the same recovery point.
   * Turn off only for S3 look-alikes that reject conditional writes.
   * @default true
   */
  conditionalManifestWrite?: boolean;
  /**
   * How long abort() (and a failure) waits for in-flight parts to settle, so the upload can send
   * AbortMultipartUpload itself, before stopping it and aborting the upload directly.
   * @default 15000 (DEFAULT_ABORT_WAIT_MS)
   */
  abortWaitMs?: number;
  /** Aborting this signal aborts the writer, as abort(signal.reason) would. @default none */
  signal?: AbortSignal;
  /**
   * Write a seekable archive (format 1.2): one gzip member per resource type, with the manifest's `index`
   * saying where each lies. false writes the 1.1 layout (one gzip stream, no index), for comparison and tests.
   * @default true
   */
  seekable?: boolean;
  /**
   * Seekable archives: gzipped bytes after which a type's member is closed and another begun.
   * @default 1 MiB (DEFAULT_MEMBER_BYTES in MemberArchive)
   */
  maxMemberBytes?: number;
  /**
   * Seekable archives: tar bytes of each type written to the member shared by all types before the type
   * gets members of its own (small types share deflate's dictionary; see MemberArchive). 0: none shared.
   * @default 32 KiB (DEFAULT_SMALL_TYPE_BYTES in MemberArchive)
   */
  smallTypeBytes?: number;
}

/** The archive as uploaded. */
export interface ArchiveSummary {
  /** S3 key of resources.tar.gz. */
  key: string;
  /** Size of the gzipped archive. */
  bytes: number;
  /** Hex SHA-256 of the gzipped archive. */
  sha256: string;
  /** Kubernetes objects written. */
  objects: number;
  /** Tar entries written: objects plus metadata/version. */
  entries: number;
  /** Where each type's gzip members lie; only for a seekable archive. */
  index?: ArchiveIndex;
}

/** open -> finishing -> finished -> committing -> committed; failed and aborted are terminal. */
export type RecoveryPointWriterState =
  | 'open'
  | 'finishing'
  | 'finished'
  | 'committing'
  | 'committed'
  | 'failed'
  | 'aborted';

type UploadOutcome = { ok: true } | { ok: false; error: unknown };

interface ResolvedOptions {
  s3: S3Client;
  bucket: string;
  folder: string;
  partSizeBytes: number;
  queueSize: number;
  sse: SseParams;
  gzipLevel: number;
  entryTime: Date;
  conditionalManifestWrite: boolean;
  abortWaitMs: number;
  signal: AbortSignal | undefined;
  seekable: boolean;
  maxMemberBytes: number | undefined;
  smallTypeBytes: number | undefined;
}

interface SseParams {
  ServerSideEncryption: 'AES256' | 'aws:kms';
  SSEKMSKeyId?: string;
}

/**
 * Writes one recovery point. Use create(), then addObject() for every object (await each: that is the
 * backpressure), then finish(), then writeManifest(). On any failure call abort(). A failure inside
 * addObject()/finish() leaves the writer failed: every later call rejects with that same error.
 */
export class RecoveryPointWriter {
  readonly bucket: string;
  readonly folder: string;
  /** Key of resources.tar.gz. */
  readonly archiveKey: string;
  /** Key of manifest.json. */
  readonly manifestKey: string;

  private readonly options: ResolvedOptions;
  private readonly body: ArchiveBody;
  private readonly members: MemberArchive | undefined;
  private readonly digest: DigestStream;
  private readonly upload: PartUpload;
  private readonly uploadOutcome: Promise<UploadOutcome>;
  /** How to stop the entry waiting for gzip to drain when the writer fails or is aborted (see writeEntry). */
  private readonly pendingEntries = new Set<(error: RecoveryPointWriteError) => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly onAbortSignal = (): void => void this.abort(this.options.signal?.reason);

  private currentState: RecoveryPointWriterState = 'open';
  private failing: Promise<RecoveryPointWriteError> | undefined;
  private aborting: Promise<void> | undefined;
  private summary: ArchiveSummary | undefined;
  private objectCount = 0;
  private entryCount = 0;

  /**
   * Refuses (RecoveryPointExistsError) when `<folder>manifest.json` exists, then starts the archive
   * upload and writes `metadata/version`. Nothing is uploaded before the first part is full or finish().
   */
  static async create(options: RecoveryPointWriterOptions): Promise<RecoveryPointWriter> {
    const resolved = resolveOptions(options);
    if (resolved.signal?.aborted) {
      throw new RecoveryPointAbortedError(resolved.bucket, archiveKey(resolved.folder), 'aborted before start', {
        cause: resolved.signal.reason,
      });
    }
    await assertNoManifest(resolved);
    const writer = new RecoveryPointWriter(resolved);
    try {
      // Velero writes the version followed by a newline (pkg/backup writeBackupVersion: "%s\n").
      writer.body.appendHead(METADATA_VERSION_PATH, [Buffer.from(`${ARCHIVE_FORMAT_VERSION}\n`, 'utf8')]);
      writer.entryCount += 1;
      if (writer.body.needsDrain) await writer.drained();
    } catch (error) {
      await writer.abort(error);
      throw error;
    }
    return writer;
  }

  private constructor(options: ResolvedOptions) {
    this.options = options;
    this.bucket = options.bucket;
    this.folder = options.folder;
    this.archiveKey = archiveKey(options.folder);
    this.manifestKey = manifestKey(options.folder);

    this.digest = new DigestStream();
    const onError = (error: Error): void => void this.fail(error);
    const bodyOptions = { out: this.digest, mtime: options.entryTime, gzipLevel: options.gzipLevel, onError };
    this.members = options.seekable
      ? new MemberArchive({
        ...bodyOptions,
        ...(options.maxMemberBytes !== undefined ? { maxMemberBytes: options.maxMemberBytes } : {}),
        ...(options.smallTypeBytes !== undefined ? { smallTypeBytes: options.smallTypeBytes } : {}),
      })
      : undefined;
    this.body = this.members ?? new StreamArchive(bodyOptions);

    this.upload = new PartUpload({
      s3: options.s3,
      bucket: options.bucket,
      key: this.archiveKey,
      body: this.digest,
      params: { ContentType: 'application/gzip', ...options.sse },
      partSizeBytes: options.partSizeBytes,
      queueSize: options.queueSize,
    });
    this.uploadOutcome = this.upload.done().then(
      (): UploadOutcome => ({ ok: true }),
      (error: unknown): UploadOutcome => ({ ok: false, error }),
    );
    void this.uploadOutcome.then((outcome) => {
      if (!outcome.ok) void this.fail(outcome.error);
    });

    options.signal?.addEventListener('abort', this.onAbortSignal, { once: true });
  }

  /** Where the writer is in its life. */
  get state(): RecoveryPointWriterState {
    return this.currentState;
  }

  /** Objects added so far. */
  get objects(): number {
    return this.objectCount;
  }

  /** Compressed bytes produced so far (handed to the upload, not necessarily acknowledged by S3). */
  get compressedBytes(): number {
    return this.digest.bytes;
  }

  /**
   * Adds one object as `resources/<resourceName>/namespaces/<ns>/<name>.json` (or `.../cluster/<name>.json`
   * when namespace is undefined). `json` may come in pieces, stored one after the other; the bytes are
   * copied before the call returns, so the caller may drop them at once. Resolves once the archive has
   * room for more, so a producer that awaits each call never runs ahead of S3. An unsafe name throws RecoveryPointPathError and leaves the writer
   * usable (the caller records it); any other failure fails the writer.
   */
  async addObject(
    resourceName: string,
    namespace: string | undefined,
    name: string,
    json: string | Buffer | readonly Buffer[],
  ): Promise<void> {
    // Once per object: no promise beyond this call's own unless the archive is failing or full (issue 16).
    if (this.failing !== undefined) throw await this.failing;
    this.assertState('open', 'addObject()');
    const path = objectEntryPath(resourceName, namespace, name);
    const parts = typeof json === 'string' ? [Buffer.from(json, 'utf8')] : Buffer.isBuffer(json) ? [json] : json;
    this.body.append(resourceName, path, parts);
    this.entryCount += 1;
    if (this.body.needsDrain) await this.drained();
    this.objectCount += 1;
  }

  /**
   * Says no more objects of `resourceName` will come (its list is done). A hint: a seekable archive closes
   * the type's member now instead of when it is evicted or at finish(), so memory goes back at once.
   */
  endResource(resourceName: string): void {
    if (this.currentState === 'open' && this.failing === undefined) this.body.endType(resourceName);
  }

  /** Ends the archive and waits until S3 has the whole object. Call once, after the last addObject(). */
  async finish(): Promise<ArchiveSummary> {
    await this.throwIfFailed();
    this.assertState('open', 'finish()');
    this.currentState = 'finishing';
    await Promise.allSettled(this.inFlight);
    await this.throwIfFailed();
    this.body.end();
    const outcome = await this.uploadOutcome;
    if (!outcome.ok) throw await this.fail(outcome.error);
    await this.throwIfFailed();
    const sha256 = this.digest.sha256;
    if (sha256 === undefined) {
      throw await this.fail(new RecoveryPointError('the upload completed before the archive stream ended'));
    }
    const index = this.members?.index();
    if (this.members !== undefined && index === undefined) {
      throw await this.fail(new RecoveryPointError('the archive ended before its index was complete'));
    }
    this.currentState = 'finished';
    this.summary = {
      key: this.archiveKey,
      bytes: this.digest.bytes,
      sha256,
      objects: this.objectCount,
      entries: this.entryCount,
      ...(index ? { index } : {}),
    };
    return { ...this.summary };
  }

  /**
   * Commits the recovery point: PutObject `<folder>manifest.json` (pretty JSON, same encryption). Only
   * after finish() succeeded; the manifest's archive block must match finish()'s summary. A seekable
   * archive's index is the writer's to add (and its formatVersion raised to 1.2.0 if older): the caller's
   * `index`, if any, is replaced. A failed write may be retried; RecoveryPointExistsError means another run
   * committed this recovery point first.
   */
  async writeManifest<D>(given: ManifestToWrite<D>): Promise<void> {
    await this.throwIfFailed();
    this.assertState('finished', 'writeManifest()');
    const summary = this.summary;
    if (summary === undefined) throw new RecoveryPointStateError(this.currentState, 'writeManifest() needs finish()');
    const manifest = withIndex(given, summary.index);
    const problems = [...validateManifest(manifest), ...archiveMismatches(manifest, summary)];
    if (problems.length > 0) throw new ManifestError(problems);

    this.currentState = 'committing';
    try {
      await this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.manifestKey,
          Body: serializeManifest(manifest),
          ContentType: 'application/json',
          ...this.options.sse,
          ...(this.options.conditionalManifestWrite ? { IfNoneMatch: '*' } : {}),
        }),
      );
    } catch (error) {
      this.currentState = 'finished';
      // 412: the manifest appeared since create() checked (another run with the same id).
      if (httpStatusOf(error) === 412 || errorName(error) === 'PreconditionFailed') {
        throw new RecoveryPointExistsError(this.bucket, this.manifestKey, { cause: error });
      }
      throw new RecoveryPointWriteError(this.bucket, this.manifestKey, `writing the manifest failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.currentState = 'committed';
    this.options.signal?.removeEventListener('abort', this.onAbortSignal);
  }

  /**
   * Abandons the recovery point: fails the archive stream, lets the upload send AbortMultipartUpload, and
   * never writes a manifest. Idempotent and safe after any failure. If in-flight parts do not settle within
   * `abortWaitMs`, stops it and sends AbortMultipartUpload directly. After finish() the
   * uploaded archive is left without a manifest (an incomplete recovery point, never presented as usable).
   * Once writeManifest() has started, abort() does nothing.
   */
  abort(reason?: unknown): Promise<void> {
    this.aborting ??= this.doAbort(reason);
    return this.aborting;
  }

  private async doAbort(reason: unknown): Promise<void> {
    if (this.currentState === 'committing' || this.currentState === 'committed') return;
    this.options.signal?.removeEventListener('abort', this.onAbortSignal);
    if (this.failing === undefined) {
      const error = new RecoveryPointAbortedError(this.bucket, this.archiveKey, `aborted: ${messageOf(reason)}`, {
        cause: reason,
      });
      this.failing = Promise.resolve(error);
      this.failPendingEntries(error);
    }
    const wasFinished = this.currentState === 'finished';
    this.currentState = 'aborted';
    if (wasFinished) return;
    this.teardown(await this.failing);
    await this.waitForUpload();
  }

  /**
   * Resolves when gzip has room for more tar chunks, or rejects as soon as the writer fails. (Not a
   * Promise.race with one long-lived "failed" promise: every race left a reaction on it, and 100k entries
   * kept ~30 MB of promises alive until the end; issue 8.)
   */
  private async drained(): Promise<void> {
    // Checked synchronously with the registration below: a failure in between would never reject it.
    if (this.failing !== undefined) throw await this.failing;
    const drained = new Promise<void>((resolve, reject) => {
      const onFailure = (error: RecoveryPointWriteError): void => {
        cancel();
        reject(error);
      };
      const cancel = this.body.onceDrained(() => {
        this.pendingEntries.delete(onFailure);
        resolve();
      });
      this.pendingEntries.add(onFailure);
    });
    drained.catch(() => undefined);
    this.inFlight.add(drained);
    try {
      await drained;
    } catch (error) {
      throw await this.fail(error);
    } finally {
      this.inFlight.delete(drained);
    }
  }

  /** Fails the writer once; every caller gets the same error. Prefers the S3 error over stream fallout. */
  private fail(cause: unknown): Promise<RecoveryPointWriteError> {
    this.failing ??= this.decideFailure(cause);
    return this.failing;
  }

  private async decideFailure(localCause: unknown): Promise<RecoveryPointWriteError> {
    if (this.currentState !== 'aborted') this.currentState = 'failed';
    // Ending the stream with an error (never without: a cleanly ended body would be committed truncated)
    // makes the upload stop; it then aborts the multipart upload and done() settles.
    this.teardown(toError(localCause));
    const outcome = await this.waitForUpload();
    // When S3 failed, the local error is only fallout (premature close, destroyed entry): report S3's.
    const cause = outcome !== undefined && !outcome.ok ? outcome.error : localCause;
    const error =
      cause instanceof RecoveryPointWriteError
        ? cause
        : new RecoveryPointWriteError(this.bucket, this.archiveKey, `writing the archive failed: ${messageOf(cause)}`, {
            cause,
          });
    this.failPendingEntries(error);
    return error;
  }

  private failPendingEntries(error: RecoveryPointWriteError): void {
    for (const reject of this.pendingEntries) reject(error);
    this.pendingEntries.clear();
  }

  private teardown(error: Error): void {
    if (!this.digest.destroyed) this.digest.destroy(error);
    this.body.destroy(error);
  }

  /** Waits for the upload to settle; if it does not within abortWaitMs, stops it the hard way. */
  private async waitForUpload(): Promise<UploadOutcome | undefined> {
    const timer = new AbortController();
    const outcome = await Promise.race([
      this.uploadOutcome,
      delay(this.options.abortWaitMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
    if (outcome !== undefined) return outcome;
    await this.upload.abort();
    return undefined;
  }

  private async throwIfFailed(): Promise<void> {
    if (this.failing !== undefined) throw await this.failing;
  }

  private assertState(expected: RecoveryPointWriterState, call: string): void {
    if (this.currentState !== expected) {
      throw new RecoveryPointStateError(this.currentState, `${call} needs a writer in state ${expected}`);
    }
  }
}

function resolveOptions(options: RecoveryPointWriterOptions): ResolvedOptions {
  const problems: string[] = [];
  if (options.bucket === '') problems.push('bucket must not be empty');
  if (options.folder === '') problems.push('folder must not be empty');
  problems.push(...validatePrefix(options.folder));
  if (problems.length > 0) throw new RecoveryPointPathError(problems);

  const partSizeBytes = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES;
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  const gzipLevel = options.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  const abortWaitMs = options.abortWaitMs ?? DEFAULT_ABORT_WAIT_MS;
  if (!Number.isSafeInteger(partSizeBytes) || partSizeBytes < DEFAULT_PART_SIZE_BYTES) {
    throw new RangeError(`partSizeBytes must be an integer >= ${DEFAULT_PART_SIZE_BYTES} (S3's minimum part size)`);
  }
  if (!Number.isSafeInteger(queueSize) || queueSize < 1) throw new RangeError('queueSize must be an integer >= 1');
  if (!Number.isInteger(gzipLevel) || gzipLevel < 0 || gzipLevel > 9) throw new RangeError('gzipLevel must be 0-9');
  if (!(abortWaitMs >= 0)) throw new RangeError('abortWaitMs must be >= 0');

  const encryption = options.serverSideEncryption ?? { type: 'AES256' };
  const sse: SseParams =
    encryption.type === 'aws:kms'
      ? { ServerSideEncryption: 'aws:kms', ...(encryption.kmsKeyId ? { SSEKMSKeyId: encryption.kmsKeyId } : {}) }
      : { ServerSideEncryption: 'AES256' };

  return {
    s3: options.s3,
    bucket: options.bucket,
    folder: options.folder,
    partSizeBytes,
    queueSize,
    sse,
    gzipLevel,
    entryTime: options.entryTime ?? new Date(),
    conditionalManifestWrite: options.conditionalManifestWrite ?? true,
    abortWaitMs,
    signal: options.signal,
    seekable: options.seekable ?? true,
    maxMemberBytes: options.maxMemberBytes,
    smallTypeBytes: options.smallTypeBytes,
  };
}

/** The manifest with the writer's index (seekable archives), its version raised to one that has an index. */
function withIndex<D>(manifest: ManifestToWrite<D>, index: ArchiveIndex | undefined): ManifestToWrite<D> {
  if (index === undefined) return manifest;
  const formatVersion = compareVersions(manifest.formatVersion, SEEKABLE_FORMAT_VERSION) < 0 ? SEEKABLE_FORMAT_VERSION : manifest.formatVersion;
  return { ...manifest, formatVersion, index };
}

/** HeadObject on the manifest: 404 means the recovery point is free; anything else that fails is fatal. */
async function assertNoManifest(options: ResolvedOptions): Promise<void> {
  const key = manifestKey(options.folder);
  try {
    await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }), {
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
  } catch (error) {
    if (httpStatusOf(error) === 404 || errorName(error) === 'NotFound' || errorName(error) === 'NoSuchKey') return;
    // S3 answers 403 instead of 404 for a missing key when the caller lacks s3:ListBucket.
    throw new RecoveryPointWriteError(options.bucket, key, `cannot check whether the recovery point exists: ${messageOf(error)}`, {
      cause: error,
    });
  }
  throw new RecoveryPointExistsError(options.bucket, key);
}

function archiveMismatches<D>(manifest: ManifestToWrite<D>, summary: ArchiveSummary): string[] {
  const archive = manifest.archive;
  const problems: string[] = [];
  if (archive.key !== summary.key) problems.push(`archive.key ${archive.key} is not the archive written (${summary.key})`);
  if (archive.bytes !== summary.bytes) problems.push(`archive.bytes ${archive.bytes} != ${summary.bytes} written`);
  if (archive.sha256 !== summary.sha256) problems.push(`archive.sha256 does not match the archive written`);
  if (archive.objects !== summary.objects) problems.push(`archive.objects ${archive.objects} != ${summary.objects} written`);
  return problems;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'no reason given' : String(error);
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(messageOf(error));
}
