import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through unchanged while counting them and computing their SHA-256, so the manifest can
 * record the archive's size and digest without reading the object back from S3.
 */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private hexDigest: string | undefined;
  private count = 0;

  /** Bytes that have passed through so far. */
  get bytes(): number {
    return this.count;
  }

  /** Hex SHA-256 of everything that passed through; undefined until the stream has ended. */
  get sha256(): string | undefined {
    return this.hexDigest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.count += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.hexDigest = this.hash.digest('hex');
    callback();
  }
}
