// The body of a seekable archive (format 1.2, DESIGN.md section 10): one gzip member per resource type, each
// holding whole tar entries, concatenated into one valid .tar.gz. Types are listed concurrently and their
// entries interleave (runBackup, KUBE_LIST_CONCURRENCY), so each type open at a time fills its own member
// (its own tar chunks -> its own gzip) in memory; a member closes when it reaches maxMemberBytes, when the
// type is done, or when too many are open, and is then appended whole to the archive stream. Memory stays
// flat: at most maxOpenMembers members of at most about maxMemberBytes each, plus maxQueuedBytes waiting for S3.
// A type's first smallTypeBytes of tar go to one member shared by every type instead: a fresh gzip member
// starts with an empty dictionary, and measured on the bench's seed plus 60 small control-plane types (1.6k
// objects), a member per type made the archive 8.7% larger than one stream; most types of a cluster are small.
// With the shared member: +4.1% at 16 KiB a type, -0.4% at 32 KiB, +0.9% at 128 KiB (bench --format-size).
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { TarChunkWriter } from './TarChunkWriter';
import type { ArchiveIndex, IndexMember, IndexType } from './archiveIndex';
import type { ArchiveBody } from './StreamArchive';

/**
 * Gzipped bytes after which a type's member is closed and a new one begun. Large enough that a type costs
 * few Range GETs and deflate's 32 KiB window loses nothing measurable at a member boundary; small enough
 * that a reader checks a member's SHA-256 in memory before it parses a byte of it.
 */
export const DEFAULT_MEMBER_BYTES = 1024 * 1024;
/** Members open at once; the least recently written is closed to open another. Above KUBE_LIST_CONCURRENCY's default (4). */
export const DEFAULT_OPEN_MEMBERS = 8;
/** Closed members' bytes waiting for the upload before producers wait too. */
export const DEFAULT_QUEUED_BYTES = 1024 * 1024;
/**
 * Tar bytes of a type that go to the shared member before the type gets members of its own: a type this
 * small costs one Range GET of the shared member either way, and shares its dictionary. 32 KiB measured
 * best (see the header); a reader of one type fetches at most the shared member beyond its own.
 */
export const DEFAULT_SMALL_TYPE_BYTES = 32 * 1024;

/** Options for MemberArchive. */
export interface MemberArchiveOptions {
  /** Where the archive's bytes go (the digest stream in front of the upload). Ended by end(). */
  out: Writable;
  /** Modification time of every entry. */
  mtime: Date;
  gzipLevel: number;
  /** @default 1 MiB (DEFAULT_MEMBER_BYTES) */
  maxMemberBytes?: number;
  /** @default 8 (DEFAULT_OPEN_MEMBERS) */
  maxOpenMembers?: number;
  /** @default 1 MiB (DEFAULT_QUEUED_BYTES) */
  maxQueuedBytes?: number;
  /** @default 32 KiB (DEFAULT_SMALL_TYPE_BYTES); 0: every type in members of its own */
  smallTypeBytes?: number;
  /** Told a failure of a member's gzip or of the archive stream; the archive is useless after it. */
  onError: (error: Error) => void;
}

type Role = 'head' | 'type' | 'shared' | 'tail';

/** One gzip member being filled: tar chunks in, gzipped chunks gathered until it is appended. */
class OpenMember {
  readonly gzip: Gzip;
  readonly tar: TarChunkWriter;
  readonly finished: Promise<void>;
  chunks: Buffer[] = [];
  bytes = 0;
  /** Objects per type in the member. */
  readonly counts = new Map<string, number>();
  waitingForDrain = false;

  constructor(readonly role: Role, readonly resourceName: string, level: number, mtime: Date) {
    this.gzip = createGzip({ level });
    this.tar = new TarChunkWriter(this.gzip, { mtime });
    this.gzip.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    });
    this.finished = new Promise((resolve, reject) => {
      this.gzip.once('end', resolve);
      this.gzip.on('error', reject);
      this.gzip.once('close', () => reject(new Error('gzip member closed before it ended')));
    });
    this.finished.catch(() => undefined);
  }
}

export class MemberArchive implements ArchiveBody {
  private readonly options: Required<Omit<MemberArchiveOptions, 'onError' | 'out'>>;
  private readonly out: Writable;
  private readonly onError: (error: Error) => void;
  /** Open members by resource name, least recently written first. */
  private readonly open = new Map<string, OpenMember>();
  /** Closed members not yet handed to `out`. */
  private readonly closed = new Set<OpenMember>();
  /** Tar bytes each type put in the shared member(s). */
  private readonly sharedBytes = new Map<string, number>();
  private shared: OpenMember | undefined;
  private readonly types = new Map<string, IndexType>();
  private waiters: Array<() => void> = [];
  private writing: Promise<void> = Promise.resolve();
  private offset = 0;
  private head: IndexMember | undefined;
  private tail: IndexMember | undefined;
  private failed = false;

  constructor(options: MemberArchiveOptions) {
    this.out = options.out;
    this.onError = options.onError;
    this.options = {
      mtime: options.mtime,
      gzipLevel: options.gzipLevel,
      maxMemberBytes: options.maxMemberBytes ?? DEFAULT_MEMBER_BYTES,
      maxOpenMembers: Math.max(1, options.maxOpenMembers ?? DEFAULT_OPEN_MEMBERS),
      maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_QUEUED_BYTES,
      smallTypeBytes: options.smallTypeBytes ?? DEFAULT_SMALL_TYPE_BYTES,
    };
    this.out.on('error', (error) => this.fail(error));
  }

  /** Producers should wait (onceDrained) while a member's gzip is full or closed members wait for S3. */
  get needsDrain(): boolean {
    if (this.queuedBytes() > this.options.maxQueuedBytes) return true;
    if (this.shared?.tar.needsDrain) return true;
    for (const member of this.open.values()) if (member.tar.needsDrain) return true;
    return false;
  }

  onceDrained(listener: () => void): () => void {
    this.waiters.push(listener);
    return () => {
      this.waiters = this.waiters.filter((l) => l !== listener);
    };
  }

  /** metadata/version goes alone into the first member (the head), so it is read without any type. */
  appendHead(path: string, parts: readonly Buffer[]): void {
    const head = new OpenMember('head', '', this.options.gzipLevel, this.options.mtime);
    head.tar.append(path, parts);
    this.close(head);
  }

  /** Appends one object's entry to the shared member while its type is small, else to its type's member. */
  append(resourceName: string, path: string, parts: readonly Buffer[]): void {
    const pooled = this.sharedBytes.get(resourceName) ?? 0;
    if (pooled < this.options.smallTypeBytes && !this.open.has(resourceName)) {
      // The header block and the padding, roughly: the threshold need not be exact.
      let size = 1024;
      for (const part of parts) size += part.length;
      // An entry larger than the threshold is no small type's: straight to a member of its own.
      this.sharedBytes.set(resourceName, pooled + size);
      if (size <= this.options.smallTypeBytes) {
        const shared = (this.shared ??= new OpenMember('shared', '', this.options.gzipLevel, this.options.mtime));
        this.appendTo(shared, resourceName, path, parts);
        return;
      }
    }
    let member = this.open.get(resourceName);
    if (member === undefined) {
      if (this.open.size >= this.options.maxOpenMembers) this.close(this.open.values().next().value!);
      member = new OpenMember('type', resourceName, this.options.gzipLevel, this.options.mtime);
    } else {
      this.open.delete(resourceName);
    }
    this.open.set(resourceName, member);
    this.appendTo(member, resourceName, path, parts);
  }

  private appendTo(member: OpenMember, resourceName: string, path: string, parts: readonly Buffer[]): void {
    member.tar.append(path, parts);
    member.counts.set(resourceName, (member.counts.get(resourceName) ?? 0) + 1);
    if (member.bytes >= this.options.maxMemberBytes) {
      this.close(member);
    } else if (member.tar.needsDrain && !member.waitingForDrain) {
      const m = member;
      m.waitingForDrain = true;
      m.tar.onceDrained(() => {
        m.waitingForDrain = false;
        this.wake();
      });
    }
  }

  /** Closes the type's member now (its list is done): it need not wait for eviction or end(). */
  endType(resourceName: string): void {
    const member = this.open.get(resourceName);
    if (member !== undefined) this.close(member);
  }

  /** Closes every open member, appends the tail (the tar end-of-archive blocks), then ends `out`. */
  end(): void {
    for (const member of [...this.open.values()]) this.close(member);
    if (this.shared) this.close(this.shared);
    const tail = new OpenMember('tail', '', this.options.gzipLevel, this.options.mtime);
    tail.tar.end();
    this.enqueue(tail);
    this.writing = this.writing.then(() => {
      if (!this.failed) this.out.end();
    });
  }

  /** The index; complete once `out` has ended (the upload has all the bytes). */
  index(): ArchiveIndex | undefined {
    if (this.head === undefined || this.tail === undefined) return undefined;
    return { head: this.head, types: [...this.types.values()], tail: this.tail };
  }

  destroy(error: Error): void {
    this.failed = true;
    for (const member of [...this.open.values(), ...this.closed, ...(this.shared ? [this.shared] : [])]) {
      if (!member.gzip.destroyed) member.gzip.destroy(error);
    }
    this.shared = undefined;
    this.open.clear();
    this.closed.clear();
  }

  private close(member: OpenMember): void {
    if (member.role === 'type') this.open.delete(member.resourceName);
    if (member === this.shared) this.shared = undefined;
    member.tar.close();
    this.enqueue(member);
  }

  /** Members are appended one at a time, in the order they were closed. */
  private enqueue(member: OpenMember): void {
    this.closed.add(member);
    this.writing = this.writing
      .then(() => member.finished)
      .then(() => this.write(member))
      .catch((error: unknown) => this.fail(error));
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(error instanceof Error ? error : new Error(String(error)));
  }

  private async write(member: OpenMember): Promise<void> {
    if (this.failed) return;
    const hash = createHash('sha256');
    for (const chunk of member.chunks) {
      hash.update(chunk);
      if (!this.out.write(chunk)) await drainOf(this.out);
    }
    const at = { offset: this.offset, length: member.bytes, sha256: hash.digest('hex') };
    this.offset += member.bytes;
    member.chunks = [];
    this.closed.delete(member);
    if (member.role === 'head') this.head = { ...at, objects: 0 };
    else if (member.role === 'tail') this.tail = { ...at, objects: 0 };
    // One row per type with entries in it: the shared member is listed under each of its types.
    for (const [resourceName, objects] of member.counts) {
      const type = this.types.get(resourceName) ?? { name: resourceName, objects: 0, members: [] };
      type.objects += objects;
      type.members.push({ offset: at.offset, length: at.length, objects, sha256: at.sha256 });
      this.types.set(resourceName, type);
    }
    this.wake();
  }

  private queuedBytes(): number {
    let bytes = 0;
    for (const member of this.closed) bytes += member.bytes;
    return bytes;
  }

  private wake(): void {
    if (this.waiters.length === 0 || this.needsDrain) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/** Resolves on 'drain'; rejects if the stream closes or fails first (never hangs on a destroyed stream). */
function drainOf(stream: Writable): Promise<void> {
  if (stream.destroyed) return Promise.reject(new Error('the archive stream was destroyed'));
  return new Promise((resolve, reject) => {
    const done = (error?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the archive stream closed'));
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', done);
  });
}
