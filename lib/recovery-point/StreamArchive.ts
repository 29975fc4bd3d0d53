// The body of a single-stream archive (formats 1.0 and 1.1): every entry in one tar -> one gzip stream.
import { pipeline, type Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { TarChunkWriter } from './TarChunkWriter';

/** What the writer needs of an archive body: entries in, backpressure out, an end. */
export interface ArchiveBody {
  /** Producers should wait for onceDrained() before appending more. */
  readonly needsDrain: boolean;
  /** Calls `listener` once appending may go on; returns a function that cancels it. */
  onceDrained(listener: () => void): () => void;
  /** The archive's first entry, metadata/version. */
  appendHead(path: string, parts: readonly Buffer[]): void;
  /** One object's entry. */
  append(resourceName: string, path: string, parts: readonly Buffer[]): void;
  /** No more entries of this type will come (a hint; seekable archives close its member). */
  endType(resourceName: string): void;
  /** Writes the end-of-archive blocks and ends the output. */
  end(): void;
  /** Stops everything after a failure. */
  destroy(error: Error): void;
}

export interface StreamArchiveOptions {
  out: Writable;
  mtime: Date;
  gzipLevel: number;
  onError: (error: Error) => void;
}

export class StreamArchive implements ArchiveBody {
  private readonly gzip: Gzip;
  private readonly tar: TarChunkWriter;

  constructor(options: StreamArchiveOptions) {
    this.gzip = createGzip({ level: options.gzipLevel });
    this.tar = new TarChunkWriter(this.gzip, { mtime: options.mtime });
    pipeline(this.gzip, options.out, (error) => {
      if (error) options.onError(error);
    });
  }

  get needsDrain(): boolean {
    return this.tar.needsDrain;
  }

  onceDrained(listener: () => void): () => void {
    return this.tar.onceDrained(listener);
  }

  appendHead(path: string, parts: readonly Buffer[]): void {
    this.tar.append(path, parts);
  }

  append(_resourceName: string, path: string, parts: readonly Buffer[]): void {
    this.tar.append(path, parts);
  }

  endType(): void {
    // One stream: nothing to close.
  }

  end(): void {
    this.tar.end();
  }

  destroy(error: Error): void {
    if (!this.gzip.destroyed) this.gzip.destroy(error);
  }
}
