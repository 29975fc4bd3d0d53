/** Bytes of one tar block: headers are one block, bodies are padded to whole blocks. */
export const TAR_BLOCK_BYTES = 512;
/** Two zero blocks end a tar archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * TAR_BLOCK_BYTES);

/** File mode of every entry (tar-stream's default for files). */
const FILE_MODE = 0o644;
const NAME_BYTES = 100;
const PREFIX_BYTES = 155;
const NAME_OFFSET = 0;
const SIZE_OFFSET = 124;
const CHECKSUM_OFFSET = 148;
const TYPEFLAG_OFFSET = 156;
const PREFIX_OFFSET = 345;
const TYPE_FILE = 0x30; // '0'
const TYPE_PAX = 0x78; // 'x'
/** The largest size an 11-digit octal field holds (8 GiB - 1); a Buffer is never larger. */
const MAX_OCTAL_SIZE = 0o77777777777;

/**
 * Encodes the headers of regular-file tar entries, byte for byte as tar-stream's pack() does (ustar, with a
 * PAX `path` record when the name fits no ustar name/prefix split or is not ASCII; the unit tests compare
 * whole archives with tar-stream's). tar-stream's own encoder is not part of its package exports, and its
 * pack() costs a stream and several buffers per entry: at 100k objects that was about a second of CPU
 * and 50 MB of 512-byte allocations (issue 8). Here the fixed fields (mode, owner, mtime, magic) are
 * encoded once, so an entry costs a 512-byte copy, its name and size, and a checksum over those.
 */
export class TarHeaderEncoder {
  /** The ustar block with every field that never changes, name/size/prefix empty, checksum not yet set. */
  private readonly template: Buffer;
  /** Checksum of the template with the checksum field counted as spaces (ustar's rule). */
  private readonly templateSum: number;
  private readonly block = Buffer.alloc(TAR_BLOCK_BYTES);

  /** @param mtime modification time of every entry (whole seconds are stored). */
  constructor(mtime: Date) {
    const t = Buffer.alloc(TAR_BLOCK_BYTES);
    t.write(octal(FILE_MODE, 6), 100, 'latin1');
    t.write(octal(0, 6), 108, 'latin1'); // uid
    t.write(octal(0, 6), 116, 'latin1'); // gid
    t.write(octal(Math.trunc(mtime.getTime() / 1000), 11), 136, 'latin1');
    t.write('ustar\0', 257, 'latin1');
    t.write('00', 263, 'latin1');
    t.write(octal(0, 6), 329, 'latin1'); // devmajor
    t.write(octal(0, 6), 337, 'latin1'); // devminor
    this.template = t;
    let sum = 8 * 0x20;
    for (let i = 0; i < TAR_BLOCK_BYTES; i++) if (i < CHECKSUM_OFFSET || i >= CHECKSUM_OFFSET + 8) sum += t[i]!;
    this.templateSum = sum;
  }

  /**
   * The header bytes of a file entry named `name` with `size` body bytes. For the usual ustar header this
   * is one block that the encoder reuses: copy it before the next call. A name that needs PAX gets fresh
   * buffers (PAX header, its record padded to a block, then the ustar header).
   */
  encode(name: string, size: number): Buffer {
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_OCTAL_SIZE) throw new RangeError(`tar entry size ${size} out of range`);
    const split = Buffer.byteLength(name) === name.length ? splitUstarName(name) : undefined;
    if (split === undefined) return this.encodePax(name, size);
    return this.encodeUstar(split.name, split.prefix, size, TYPE_FILE, this.block);
  }

  private encodeUstar(name: string, prefix: string, size: number, typeflag: number, target: Buffer): Buffer {
    this.template.copy(target);
    target[TYPEFLAG_OFFSET] = typeflag;
    // ASCII only here (checked by the caller), so each char code is the byte UTF-8 would write. Written
    // from JavaScript, not by Buffer.write: four native calls per entry cost more than the bytes (issue 16).
    let sum = this.templateSum + typeflag + putAscii(target, NAME_OFFSET, name);
    if (prefix !== '') sum += putAscii(target, PREFIX_OFFSET, prefix);
    sum += putAscii(target, SIZE_OFFSET, octal(size, 11));
    putAscii(target, CHECKSUM_OFFSET, octal(sum, 6));
    return target;
  }

  /** tar-stream's _encodePax: an `x` entry named PaxHeader holding `path=<name>`, then the file's header named PaxHeader. */
  private encodePax(name: string, size: number): Buffer {
    const record = Buffer.from(paxRecord(` path=${name}\n`), 'utf8');
    const padded = Math.ceil(record.length / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
    const out = Buffer.alloc(2 * TAR_BLOCK_BYTES + padded);
    this.encodeUstar('PaxHeader', '', record.length, TYPE_PAX, out.subarray(0, TAR_BLOCK_BYTES));
    record.copy(out, TAR_BLOCK_BYTES);
    this.encodeUstar('PaxHeader', '', size, TYPE_FILE, out.subarray(TAR_BLOCK_BYTES + padded));
    return out;
  }
}

/** Writes ASCII `text` at `offset`; returns the sum of its bytes (for the header checksum). */
function putAscii(target: Buffer, offset: number, text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    target[offset + i] = c;
    sum += c;
  }
  return sum;
}

/** Zero bytes that pad a body of `size` bytes to a whole block. */
export function tarPadding(size: number): number {
  const rest = size % TAR_BLOCK_BYTES;
  return rest === 0 ? 0 : TAR_BLOCK_BYTES - rest;
}

/** tar-stream's split: move leading folders into the 155-byte prefix until the name fits 100 bytes. */
function splitUstarName(full: string): { name: string; prefix: string } | undefined {
  let name = full;
  let prefix = '';
  while (name.length > NAME_BYTES) {
    const i = name.indexOf('/');
    if (i === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i);
    name = name.slice(i + 1);
  }
  return prefix.length > PREFIX_BYTES ? undefined : { name, prefix };
}

/** A PAX record: its own decimal length (counting the length's digits), then the text. */
function paxRecord(text: string): string {
  const len = Buffer.byteLength(text);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return `${len + digits}${text}`;
}

/** tar-stream's encodeOct: zero-padded octal in `digits` digits and a space (all 7s when it does not fit). */
function octal(value: number, digits: number): string {
  const text = value.toString(8);
  if (text.length > digits) return `${'7'.repeat(digits)} `;
  return `${'0'.repeat(digits - text.length)}${text} `;
}
