import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { PartUpload } from '../recovery-point/PartUpload';
import type { RestoreReportRow } from './types';

const PART_SIZE_BYTES = 5 * 1024 * 1024;
/**
 * Rows are gathered into one write of about this many characters: a write per row cost a file system
 * call (and a stream turn) per object, about a tenth of a restore's CPU (docs/restore-cpu.md).
 */
const BATCH_CHARS = 64 * 1024;

/**
 * The per-object restore report: one row per object of the recovery point, appended to a local file as
 * the restore goes (never held whole: a restore of 100k objects has 100k rows), then uploaded to S3 as one
 * JSON document `{...summary, "objects": [rows]}`.
 */
export class RestoreReport {
  readonly #dir: string;
  readonly #file: WriteStream;
  #rows = 0;
  /** Rows not yet handed to the file. */
  #pending = '';
  #fileError: Error | undefined;

  constructor(directory = tmpdir()) {
    this.#dir = mkdtempSync(join(directory, 'eks-restore-report-'));
    this.#file = createWriteStream(join(this.#dir, 'rows.json'), { highWaterMark: 64 * 1024 });
    // Kept and thrown by the next add or upload: an 'error' with no listener (a write still buffered when
    // dispose destroys the file) would crash the process.
    this.#file.on('error', (err: Error) => (this.#fileError ??= err));
  }

  get rows(): number {
    return this.#rows;
  }

  /** Appends a row; waits only when the file is behind. */
  async add(row: RestoreReportRow): Promise<void> {
    if (this.#fileError) throw this.#fileError;
    this.#pending += `${this.#rows === 0 ? '' : ','}\n    ${JSON.stringify(row)}`;
    this.#rows++;
    if (this.#pending.length >= BATCH_CHARS && !this.#flush()) await once(this.#file, 'drain');
  }

  /** Hands the gathered rows to the file; false when the file is behind (wait for 'drain'). */
  #flush(): boolean {
    const text = this.#pending;
    this.#pending = '';
    return text === '' || this.#file.write(text);
  }

  /** Closes the rows and uploads `{...summary, objects: [...]}` to s3://bucket/key. */
  async upload(s3: S3Client, bucket: string, key: string, summary: Record<string, unknown>): Promise<void> {
    this.#flush();
    await new Promise<void>((resolve, reject) => this.#file.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.#fileError) throw this.#fileError;
    const head = `${JSON.stringify(summary, null, 2).replace(/\n}$/, '')},\n  "objects": [`;
    const rowsFile = join(this.#dir, 'rows.json');
    const size = statSync(rowsFile).size;
    async function* body(): AsyncGenerator<Buffer> {
      yield Buffer.from(head);
      if (size > 0) for await (const chunk of createReadStream(rowsFile)) yield chunk as Buffer;
      yield Buffer.from(`${size > 0 ? '\n  ' : ''}]\n}\n`);
    }
    const upload = new PartUpload({
      s3, bucket, key, body: Readable.from(body()), params: { ContentType: 'application/json', ServerSideEncryption: 'AES256' },
      partSizeBytes: PART_SIZE_BYTES, queueSize: 1,
    });
    await upload.done();
  }

  /** Removes the local file. */
  dispose(): void {
    this.#file.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
