// Reads a recovery point archive entry by entry (gunzip -> tar-stream extract), never buffering more than
// one entry. Entries are checked against the layout before their body is read: a path that could escape
// the folder it is extracted to, a link, or a device fails the whole read with ArchiveEntryError.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { ArchiveEntryError } from './errors';
import { parseEntryPath } from './layout';

/** Largest entry body read into memory. Kubernetes objects are far smaller (etcd's limit is ~1.5 MiB). */
export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 * 1024;

/** One entry of the archive, body included. */
export type ArchiveEntry =
  | { kind: 'metadata-version'; path: string; body: Buffer }
  | { kind: 'object'; path: string; resourceName: string; namespace: string | undefined; name: string; body: Buffer }
  /** A safe path outside this layout (e.g. Velero's `resources/<r>/v1-preferredversion/...` copies). */
  | { kind: 'other'; path: string; body: Buffer };

/** Options for readArchiveEntries(). */
export interface ReadArchiveOptions {
  /**
   * An entry larger than this fails the read instead of being buffered.
   * @default 64 MiB (DEFAULT_MAX_ENTRY_BYTES)
   */
  maxEntryBytes?: number;
}

/**
 * Yields every file entry of a gzipped tar in archive order. Directory entries are skipped. Stopping the
 * iteration early (break, throw) destroys the input stream.
 */
export async function* readArchiveEntries(
  gzippedTar: Readable,
  options: ReadArchiveOptions = {},
): AsyncGenerator<ArchiveEntry, void, undefined> {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const gunzip = createGunzip();
  const extract = tarExtract();
  // Plain pipe() (tar-stream's extract is a streamx stream); errors are forwarded by hand.
  gzippedTar.on('error', (error) => extract.destroy(error));
  gunzip.on('error', (error) => extract.destroy(error));
  gzippedTar.pipe(gunzip).pipe(extract);

  try {
    for await (const entry of extract) {
      const header = entry.header;
      const type = header.type ?? 'file';
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      const parsed = parseEntryPath(header.name);
      if (type !== 'file' && type !== 'contiguous-file') {
        throw new ArchiveEntryError(header.name, `is a ${type}, not a regular file`);
      }
      if ((header.size ?? 0) > maxEntryBytes) {
        throw new ArchiveEntryError(header.name, `is ${header.size} bytes, more than the ${maxEntryBytes} allowed`);
      }
      const body = await readBody(entry);
      yield { ...parsed, body };
    }
  } finally {
    gzippedTar.unpipe(gunzip);
    gzippedTar.destroy();
    gunzip.destroy();
    extract.destroy();
  }
}

async function readBody(entry: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) {
    // tar-stream yields Buffers; the check only narrows streamx's `unknown` chunk type.
    if (!(chunk instanceof Uint8Array)) throw new TypeError('tar entry yielded a non-binary chunk');
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}
