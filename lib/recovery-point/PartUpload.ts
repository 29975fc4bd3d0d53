import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** Options for PartUpload. */
export interface PartUploadOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  /** The object's bytes; read with backpressure (at most queueSize + 1 parts are held). */
  body: Readable;
  /** Sent on CreateMultipartUpload, or on the PutObject of an object smaller than one part. */
  params: { ContentType?: string; ServerSideEncryption?: 'AES256' | 'aws:kms'; SSEKMSKeyId?: string };
  /** Part size; S3 wants at least 5 MiB for every part but the last. */
  partSizeBytes: number;
  /** Parts sent at once. */
  queueSize: number;
}

/**
 * Streams a body of unknown length to S3: one PutObject when it fits in a part, else a multipart upload,
 * aborted (AbortMultipartUpload) on any failure. Like lib-storage's Upload, with one difference that
 * matters at scale: parts are filled in a few buffers reused for the whole upload, where Upload
 * concatenates each part into a new one. Those part-sized buffers outlive the young generation and, as
 * external memory, waited for a full GC: at 100k objects (24 MB of archive) they were the largest share
 * of the growth of the backup's peak memory (issue 8).
 */
export class PartUpload {
  /** The multipart upload's id, once CreateMultipartUpload answered. */
  uploadId: string | undefined;

  readonly #opts: PartUploadOptions;
  readonly #free: Buffer[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #parts: CompletedPart[] = [];
  #created: Promise<string> | undefined;
  #failure: unknown;
  #aborted = false;
  readonly #done: Promise<void>;

  constructor(options: PartUploadOptions) {
    if (!Number.isSafeInteger(options.partSizeBytes) || options.partSizeBytes < 1) throw new RangeError('partSizeBytes must be a positive integer');
    if (!Number.isSafeInteger(options.queueSize) || options.queueSize < 1) throw new RangeError('queueSize must be an integer >= 1');
    this.#opts = options;
    this.#done = this.#run();
    // done() hands the outcome out; until someone asks, a failure must not count as unhandled.
    this.#done.catch(() => undefined);
  }

  /** Settles when the object is complete in S3, or rejects with the first failure (the upload aborted). */
  done(): Promise<void> {
    return this.#done;
  }

  /**
   * Stops reading and sending (no part starts after this) and, when the multipart upload exists, sends
   * AbortMultipartUpload at once, without waiting for parts in flight that may never settle. done()
   * rejects once they do.
   */
  async abort(): Promise<void> {
    this.#aborted = true;
    if (!this.#opts.body.destroyed) this.#opts.body.destroy(new Error('upload aborted'));
    if (this.uploadId !== undefined) await this.#sendAbort(this.uploadId);
  }

  async #run(): Promise<void> {
    const { partSizeBytes } = this.#opts;
    let part = this.#take();
    let filled = 0;
    let partNumber = 0;
    try {
      for await (const chunk of this.#opts.body as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length;) {
          // A full part goes out only once more bytes follow: an object of one part is one PutObject.
          if (filled === partSizeBytes) {
            partNumber += 1;
            await this.#send(part, filled, partNumber);
            part = this.#take();
            filled = 0;
          }
          const n = Math.min(chunk.length - at, partSizeBytes - filled);
          chunk.copy(part, filled, at, at + n);
          filled += n;
          at += n;
        }
        this.#throwIfFailed();
      }
      if (partNumber === 0) {
        await this.#opts.s3.send(new PutObjectCommand({
          Bucket: this.#opts.bucket, Key: this.#opts.key, Body: part.subarray(0, filled), ContentLength: filled, ...this.#opts.params,
        }));
        return;
      }
      await this.#send(part, filled, partNumber + 1);
      await Promise.all(this.#inFlight);
      this.#throwIfFailed();
      this.#parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await this.#opts.s3.send(new CompleteMultipartUploadCommand({
        Bucket: this.#opts.bucket, Key: this.#opts.key, UploadId: await this.#created, MultipartUpload: { Parts: this.#parts },
      }));
    } catch (err) {
      this.#failure ??= err;
      await Promise.allSettled(this.#inFlight);
      await this.#abortMultipart();
      throw this.#failure;
    }
  }

  /** Starts sending `part[0, length)` as part `partNumber`, once fewer than queueSize parts are in flight. */
  async #send(part: Buffer, length: number, partNumber: number): Promise<void> {
    const uploadId = await this.#create();
    while (this.#inFlight.size >= this.#opts.queueSize) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    const sent = this.#opts.s3.send(new UploadPartCommand({
      Bucket: this.#opts.bucket, Key: this.#opts.key, UploadId: uploadId, PartNumber: partNumber, Body: part.subarray(0, length), ContentLength: length,
    })).then((res) => {
      if (!res.ETag) throw new Error(`part ${partNumber} has no ETag in the UploadPart answer`);
      this.#parts.push({
        PartNumber: partNumber, ETag: res.ETag,
        ...(res.ChecksumCRC32 ? { ChecksumCRC32: res.ChecksumCRC32 } : {}),
        ...(res.ChecksumCRC32C ? { ChecksumCRC32C: res.ChecksumCRC32C } : {}),
        ...(res.ChecksumSHA1 ? { ChecksumSHA1: res.ChecksumSHA1 } : {}),
        ...(res.ChecksumSHA256 ? { ChecksumSHA256: res.ChecksumSHA256 } : {}),
      });
      this.#free.push(part);
    }, (err: unknown) => {
      this.#failure ??= err;
      // Stop the producer: the archive cannot be completed any more.
      if (!this.#opts.body.destroyed) this.#opts.body.destroy(err instanceof Error ? err : new Error(String(err)));
    }).finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  #create(): Promise<string> {
    this.#created ??= (async () => {
      // As lib-storage does: when the client computes checksums, the upload declares CRC32 for its parts.
      const calculation = await this.#opts.s3.config.requestChecksumCalculation();
      const res = await this.#opts.s3.send(new CreateMultipartUploadCommand({
        Bucket: this.#opts.bucket, Key: this.#opts.key, ...this.#opts.params,
        ...(calculation === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 } : {}),
      }));
      if (!res.UploadId) throw new Error('CreateMultipartUpload answered without an UploadId');
      this.uploadId = res.UploadId;
      return res.UploadId;
    })();
    return this.#created;
  }

  async #abortMultipart(): Promise<void> {
    const uploadId = await this.#created?.catch(() => undefined);
    if (uploadId !== undefined) await this.#sendAbort(uploadId);
  }

  #sendAbort(uploadId: string): Promise<unknown> {
    return this.#opts.s3.send(new AbortMultipartUploadCommand({ Bucket: this.#opts.bucket, Key: this.#opts.key, UploadId: uploadId }))
      .catch(() => undefined); // best effort; a bucket lifecycle rule cleans up what is left
  }

  #take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafe(this.#opts.partSizeBytes);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#aborted) throw new Error('upload aborted');
  }
}
