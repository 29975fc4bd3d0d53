// The entries of one gzip member already in memory (a seekable archive's member, format 1.2, about 1 MiB),
// read synchronously: one gunzipSync and a walk over the tar blocks. readArchiveEntries' streams (a zlib
// stream, tar-stream's extract, an async iteration per entry and per chunk) cost more CPU than the
// inflation itself when the bytes are all there already (docs/restore-cpu.md). Headers are decoded as
// tar-stream decodes them (ustar and GNU, PAX and GNU long names, checksums), and each entry is checked as
// readArchiveEntries checks it, with the same errors.
import { gunzipSync } from 'node:zlib';
import { DEFAULT_MAX_ENTRY_BYTES, type ArchiveEntry, type ReadArchiveOptions } from './ArchiveReader';
import { ArchiveEntryError } from './errors';
import { parseEntryPath } from './layout';

const BLOCK = 512;
/** tar-stream's limit on a PAX or GNU long-name record. */
const MAX_HEADER_SIZE = 1024 * 1024;
/**
 * Largest inflated member gunzipSync may produce; a member is about 1 MiB compressed, and JSON inflates
 * about tenfold. A member that inflates further throws ERR_BUFFER_TOO_LARGE (the caller streams it instead).
 */
export const MAX_INFLATED_MEMBER_BYTES = 64 * 1024 * 1024;

/** tar-stream's type names by typeflag (ArchiveReader's messages name them). */
const TYPES: Record<number, string> = {
  0: 'file', 1: 'link', 2: 'symlink', 3: 'character-device', 4: 'block-device', 5: 'directory', 6: 'fifo', 7: 'contiguous-file',
  72: 'pax-header', 55: 'pax-global-header', 27: 'gnu-long-link-path', 28: 'gnu-long-path', 30: 'gnu-long-path',
};

interface Header {
  name: string;
  size: number;
  /** undefined for a typeflag tar-stream does not know (read as a file, as readArchiveEntries does). */
  type: string | undefined;
}

/**
 * Every file entry of the gzipped tar `gzipped` in order, as readArchiveEntries would yield them; undefined
 * when it inflates past MAX_INFLATED_MEMBER_BYTES (stream it instead). Throws zlib's error for bad gzip at
 * once; while iterating, ArchiveEntryError for an entry the layout refuses and Error for a corrupt tar.
 */
export function memberEntries(gzipped: Buffer, options: ReadArchiveOptions & { maxInflatedBytes?: number } = {}): Iterable<ArchiveEntry> | undefined {
  let tar: Buffer;
  try {
    const maxOutputLength = options.maxInflatedBytes ?? MAX_INFLATED_MEMBER_BYTES;
    const chunkSize = inflatedChunkSize(gzipped, maxOutputLength);
    tar = gunzipSync(gzipped, { maxOutputLength, ...(chunkSize !== undefined ? { chunkSize } : {}) });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw err;
  }
  return tarEntries(tar, options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES);
}

/** zlib's smallest output chunk (Z_MIN_CHUNK). */
const MIN_CHUNK = 64;

/**
 * The output chunk for inflating one gzip member whole: the inflated size its trailer states (ISIZE, the
 * last four bytes), plus one byte so that zlib never fills the chunk exactly and asks for another. One
 * buffer, filled once: with zlib's default 16 KiB chunks a member of 10 MiB is 640 allocations and a
 * concatenating copy, a quarter of the inflation's CPU (measured on Node 22), and the freed chunks
 * fragment the native heap the restore's RSS is made of. undefined (zlib's default) when the trailer
 * states more than `maxOutputLength`; a trailer that lies can cost only extra chunks, as gunzip refuses
 * a member whose length does not match it.
 */
export function inflatedChunkSize(gzipped: Buffer, maxOutputLength: number): number | undefined {
  if (gzipped.length < 18) return undefined; // shorter than a gzip header and trailer: zlib says what is wrong
  const stated = gzipped.readUInt32LE(gzipped.length - 4);
  return stated <= maxOutputLength ? Math.max(MIN_CHUNK, stated + 1) : undefined;
}

function* tarEntries(tar: Buffer, maxEntryBytes: number): Generator<ArchiveEntry, void, undefined> {
  let offset = 0;
  let pax: Record<string, string> | undefined;
  let paxGlobal: Record<string, string> | undefined;
  let longPath: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = decodeHeader(tar, offset);
    offset += BLOCK;
    if (!header) continue;
    if (header.type === 'pax-header' || header.type === 'pax-global-header' || header.type === 'gnu-long-path' || header.type === 'gnu-long-link-path') {
      if (header.size > MAX_HEADER_SIZE) throw new Error('Header exceeds max size');
      const record = body(tar, offset, header.size);
      offset += padded(header.size);
      if (header.type === 'gnu-long-path') longPath = decodeString(record, 0, record.length);
      else if (header.type === 'pax-global-header') paxGlobal = decodePax(record);
      else if (header.type === 'pax-header') pax = { ...paxGlobal, ...decodePax(record) };
      continue;
    }
    if (longPath !== undefined) header.name = longPath;
    longPath = undefined;
    if (pax) {
      if (pax.path) header.name = pax.path;
      if (pax.size) header.size = Number.parseInt(pax.size, 10);
      pax = undefined;
    }
    if (!(header.size >= 0)) throw new Error('Invalid header');
    const size = header.size;
    const type = header.type ?? 'file';
    // tar-stream reads no body after a directory's header, whatever its size field says.
    if (type === 'directory') continue;
    const parsed = parseEntryPath(header.name);
    if (type !== 'file' && type !== 'contiguous-file') throw new ArchiveEntryError(header.name, `is a ${type}, not a regular file`);
    if (size > maxEntryBytes) throw new ArchiveEntryError(header.name, `is ${size} bytes, more than the ${maxEntryBytes} allowed`);
    const entryBody = body(tar, offset, size);
    offset += padded(size);
    yield { ...parsed, body: entryBody };
  }
  if (offset !== tar.length) throw new Error('Unexpected end of data');
}

/** `size` bytes at `offset`; a tar cut short inside them is corrupt. */
function body(tar: Buffer, offset: number, size: number): Buffer {
  if (offset + size > tar.length) throw new Error('Unexpected end of data');
  return tar.subarray(offset, offset + size);
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** One header block; undefined for an empty block (its checksum field counts as spaces only). */
function decodeHeader(tar: Buffer, at: number): Header | undefined {
  const flag = tar[at + 156] === 0 ? 0 : tar[at + 156]! - 48;
  let name = decodeString(tar, at, 100);
  const size = decodeOctal(tar, at + 124, 12);
  let sum = 8 * 32;
  for (let i = at; i < at + 148; i++) sum += tar[i]!;
  for (let i = at + 156; i < at + BLOCK; i++) sum += tar[i]!;
  if (sum === 8 * 32) return undefined;
  if (sum !== decodeOctal(tar, at + 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?');
  const magic = tar.toString('latin1', at + 257, at + 265);
  if (magic.startsWith('ustar\0')) {
    if (tar[at + 345]) name = `${decodeString(tar, at + 345, 155)}/${name}`;
  } else if (magic !== 'ustar  \0') {
    throw new Error('Invalid tar header: unknown format.');
  }
  // Old tars mark a directory by a trailing slash only.
  const type = flag === 0 && name.endsWith('/') ? 'directory' : TYPES[flag];
  return { name, size, type };
}

/** A NUL-terminated UTF-8 field. */
function decodeString(buf: Buffer, at: number, length: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('utf8', at, end === -1 || end > at + length ? at + length : end);
}

/** An octal number field (or GNU base-256 when its first byte's high bit is set), as tar-stream reads it. */
function decodeOctal(buf: Buffer, at: number, length: number): number {
  if (buf[at]! & 0x80) return decodeBase256(buf.subarray(at, at + length));
  let start = at;
  const fieldEnd = at + length;
  while (start < fieldEnd && buf[start] === 32) start++;
  let end = buf.indexOf(32, start);
  if (end === -1 || end > fieldEnd) end = fieldEnd;
  while (start < end && buf[start] === 0) start++;
  if (end === start) return 0;
  return Number.parseInt(buf.toString('latin1', start, end), 8);
}

function decodeBase256(field: Buffer): number {
  const positive = field[0] === 0x80;
  const bytes: number[] = [];
  for (let i = field.length - 1; i > 0; i--) bytes.push(positive ? field[i]! : 0xff - field[i]!);
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]! * 256 ** i;
  return positive ? sum : -1 * sum;
}

/** PAX records `<len> <key>=<value>\n`, as tar-stream decodes them. */
function decodePax(record: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  let buf = record;
  while (buf.length) {
    let i = 0;
    while (i < buf.length && buf[i] !== 32) i++;
    const len = Number.parseInt(buf.toString('utf8', 0, i), 10);
    if (!len) return result;
    const text = buf.toString('utf8', i + 1, len - 1);
    const keyIndex = text.indexOf('=');
    if (keyIndex === -1) return result;
    result[text.slice(0, keyIndex)] = text.slice(keyIndex + 1);
    buf = buf.subarray(len);
  }
  return result;
}
