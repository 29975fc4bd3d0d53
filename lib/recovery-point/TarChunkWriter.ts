import type { Writable } from 'node:stream';
import { END_OF_ARCHIVE, TarHeaderEncoder, tarPadding } from './TarHeaderEncoder';

/** Bytes handed to the sink at a time. */
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** Chunks the sink may hold before the producer should wait. */
export const DEFAULT_CHUNKS_IN_SINK = 3;

const ZEROS = Buffer.alloc(512);

/** Options for TarChunkWriter. */
export interface TarChunkWriterOptions {
  /** Modification time of every entry. */
  mtime: Date;
  /**
   * Size of the chunks written to the sink (the last one may be smaller).
   * @default 64 KiB (DEFAULT_CHUNK_BYTES)
   */
  chunkBytes?: number;
  /**
   * Chunks handed to the sink and not yet consumed before `needsDrain` asks the producer to wait. More
   * than one lets the next chunk fill while zlib compresses the previous ones on the thread pool.
   * @default 3 (DEFAULT_CHUNKS_IN_SINK)
   */
  chunksInSink?: number;
}

/**
 * Writes a tar archive of regular files into a Writable (gzip) in fixed-size chunks: each entry's header,
 * body and padding are copied straight into the current chunk. Every write to zlib is a round trip to the
 * thread pool, so tar's 512-byte pieces are gathered first (before that, 10k entries took 1.2 s instead of
 * 0.1 s); and the chunks are reused once the sink has consumed them, so the archive allocates almost
 * nothing per entry (issue 8). Backpressure: while `needsDrain`, wait for onceDrained() before appending more.
 */
export class TarChunkWriter {
  private readonly headers: TarHeaderEncoder;
  private readonly chunkBytes: number;
  /** Chunks the sink has finished with, ready to be filled again. */
  private readonly free: Buffer[] = [];
  private readonly chunksInSink: number;
  private drainWaiters: Array<() => void> = [];
  private inSink = 0;
  private chunk: Buffer;
  private used = 0;
  private ended = false;

  constructor(private readonly sink: Writable, options: TarChunkWriterOptions) {
    this.headers = new TarHeaderEncoder(options.mtime);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isSafeInteger(this.chunkBytes) || this.chunkBytes < 512) throw new RangeError('chunkBytes must be an integer >= 512');
    this.chunksInSink = options.chunksInSink ?? DEFAULT_CHUNKS_IN_SINK;
    if (!Number.isSafeInteger(this.chunksInSink) || this.chunksInSink < 1) throw new RangeError('chunksInSink must be an integer >= 1');
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** The sink holds as many chunks as it may: wait for onceDrained() before appending more. */
  get needsDrain(): boolean {
    return this.inSink >= this.chunksInSink;
  }

  /** Calls `listener` once the sink has room again; returns a function that cancels it. */
  onceDrained(listener: () => void): () => void {
    this.drainWaiters.push(listener);
    return () => {
      this.drainWaiters = this.drainWaiters.filter((l) => l !== listener);
    };
  }

  /** Appends a regular file whose body is `parts`, one after the other. */
  append(name: string, parts: readonly Buffer[]): void {
    if (this.ended) throw new Error('the tar archive has already ended');
    let size = 0;
    for (const part of parts) size += part.length;
    this.put(this.headers.encode(name, size));
    for (const part of parts) this.put(part);
    const padding = tarPadding(size);
    if (padding > 0) this.put(ZEROS.subarray(0, padding));
  }

  /** Writes the end-of-archive blocks, hands on the last chunk, and ends the sink. */
  end(): void {
    if (this.ended) return;
    this.put(END_OF_ARCHIVE);
    this.close();
  }

  /**
   * Hands on the last chunk and ends the sink without the end-of-archive blocks: the sink holds whole
   * entries that another part of the archive ends (a gzip member of a seekable archive, format 1.2).
   */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.used > 0) this.flush();
    this.sink.end();
  }

  private put(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.chunkBytes - this.used);
      bytes.copy(this.chunk, this.used, at, at + n);
      this.used += n;
      at += n;
      if (this.used === this.chunkBytes) this.flush();
    }
  }

  private flush(): void {
    const full = this.chunk;
    const length = this.used;
    this.chunk = this.free.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
    // The sink calls back once it has consumed the chunk (zlib: compressed all of it); only then is the
    // buffer filled again. After an error the chunk is simply dropped.
    this.inSink += 1;
    this.sink.write(length === this.chunkBytes ? full : full.subarray(0, length), (error) => {
      this.inSink -= 1;
      if (error) return;
      if (!this.ended) this.free.push(full);
      if (!this.needsDrain && this.drainWaiters.length > 0) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const waiter of waiters) waiter();
      }
    });
  }
}
