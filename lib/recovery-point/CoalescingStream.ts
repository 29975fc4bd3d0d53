import { Transform, type TransformCallback } from 'node:stream';

/** Bytes handed on at a time. */
export const DEFAULT_COALESCE_BYTES = 64 * 1024;

/**
 * Gathers small chunks into chunks of at least `size` bytes. tar-stream emits three tiny chunks per entry
 * (header, body, padding), and every write to zlib is a round trip to the thread pool: before this, gzip
 * sat idle waiting for 512-byte writes and 10k entries took 1.2 s instead of 0.1 s (issue 8).
 */
export class CoalescingStream extends Transform {
  private chunks: Buffer[] = [];
  private length = 0;

  /** @param size bytes gathered before a chunk is passed on (the last one may be smaller). @default 64 KiB */
  constructor(private readonly size: number = DEFAULT_COALESCE_BYTES) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
    if (this.length >= this.size) this.pushGathered();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.length > 0) this.pushGathered();
    callback();
  }

  private pushGathered(): void {
    this.push(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length));
    this.chunks = [];
    this.length = 0;
  }
}
