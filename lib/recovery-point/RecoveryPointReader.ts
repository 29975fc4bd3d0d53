// Reads a committed recovery point back: the manifest first (the commit marker), then the archive streamed
// from S3 (GetObject body -> gunzip -> tar), each entry checked against its path and the manifest as it
// passes, the archive's SHA-256 and object counts checked when it ends. Restore, verify and diff all read
// through here, with the same layout functions the writer uses. A recovery point whose Secrets are sealed
// (manifest `secrets`) has its data key fetched from KMS before the archive is read, and its Secrets opened
// as they pass: every consumer sees them as backed up, and none reads an archive whose key it cannot use.
// A seekable archive (format 1.2, manifest `index`) is read by Range GETs of its gzip members instead, each
// checked against its SHA-256 in the index before it is parsed: all of them in order (objects(), the whole
// archive's SHA-256 included) or one type's only (typeObjects()).
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { readArchiveEntries } from './ArchiveReader';
import { membersInArchiveOrder, membersOfType, type ArchiveIndex, type ArchiveMember } from './archiveIndex';
import { fetchMembers } from './fetchMembers';
import { memberEntries } from './memberEntries';
import { SECRETS_RESOURCE, archiveEndProblems, checkEntry, checkVersion, problemSink, type RecoveryPointObject } from './entryChecks';
import { ArchiveEntryError, ManifestError, RecoveryPointError, RecoveryPointIntegrityError, RecoveryPointNotFoundError, RecoveryPointReadError } from './errors';
import { archiveKey, manifestKey } from './layout';
import { parseManifest, type RecoveryPointManifest } from './manifest';
import { SecretEnvelope, type KmsClientFor } from '../secrets';

export type { RecoveryPointObject } from './entryChecks';

/** Options for RecoveryPointReader.objects(). */
export interface ReadObjectsOptions {
  signal?: AbortSignal;
  /**
   * Told each problem as it is found, and the entry is skipped, instead of the read failing at the first
   * one (verify wants every problem). Problems of the archive as a whole (digest, counts) are reported
   * here too once it ends. @default undefined: the first problem throws RecoveryPointIntegrityError
   */
  onProblem?: (problem: string) => void;
  /** Told the archive bytes read so far as they arrive (a progress line). @default undefined */
  onArchiveBytes?: (bytesRead: number) => void;
  /** Seekable archives (1.2): Range GETs in flight at once. @default 4 (DEFAULT_RANGE_CONCURRENCY) */
  rangeConcurrency?: number;
  /** Seekable archives (1.2): told each Range GET as it is sent. @default undefined */
  onRangeRequest?: (range: string) => void;
}

/** Options for RecoveryPointReader.typeObjects(). */
export interface TypeObjectsOptions extends ReadObjectsOptions {
  /**
   * Only the objects at these positions of the type (archive order, `from` included, `to` not): a durable
   * restore's chunk of a large type. The others are counted (the member's counts are still checked against
   * the index) but neither parsed nor, for Secrets, decrypted. @default every object
   */
  range?: { from: number; to: number };
}

/** What a full read of the archive measured, for verify's report. */
export interface ArchiveReadSummary {
  objects: number;
  bytes: number;
  sha256: string;
  /** Objects seen per resource name. */
  counts: Map<string, number>;
}


/** Options for RecoveryPointReader.open(). */
export interface OpenRecoveryPointOptions {
  signal?: AbortSignal;
  /**
   * KMS clients by region, to open sealed Secrets (kms:Decrypt). Needed only to read the archive of a
   * recovery point whose manifest has `secrets`. @default undefined: such an archive fails with SecretKeyError (`no-kms`)
   */
  kmsFor?: KmsClientFor;
}

export class RecoveryPointReader {
  readonly s3: S3Client;
  readonly bucket: string;
  /** `<prefix><cluster>/<id>/` */
  readonly folder: string;
  readonly manifest: RecoveryPointManifest;
  readonly #kmsFor: KmsClientFor | undefined;
  #summary: ArchiveReadSummary | undefined;
  /**
   * Members typeObjects() keeps in memory because the next read wants them again (about 1 MiB each, two at
   * most): `shared`, the last member shared by several types (a restore reads the small types one after the
   * other, and each would fetch it); `boundary`, the member a ranged read ended inside (a durable restore's
   * next chunk of the type begins there, in the next step of the same invocation, which shares this reader).
   */
  readonly #kept = new Map<'shared' | 'boundary', { offset: number; body: Buffer; sha256: string }>();

  private constructor(s3: S3Client, bucket: string, folder: string, manifest: RecoveryPointManifest, kmsFor: KmsClientFor | undefined) {
    this.s3 = s3;
    this.bucket = bucket;
    this.folder = folder;
    this.manifest = manifest;
    this.#kmsFor = kmsFor;
  }

  /**
   * Reads and validates the manifest. Throws RecoveryPointNotFoundError when there is none (a missing or
   * incomplete recovery point, never to be used) and ManifestError when it is unreadable or of a format
   * this delegate does not know.
   */
  static async open(s3: S3Client, bucket: string, folder: string, options: OpenRecoveryPointOptions = {}): Promise<RecoveryPointReader> {
    const key = manifestKey(folder);
    let text: string;
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: options.signal });
      text = await out.Body!.transformToString('utf8');
    } catch (err) {
      if (isNotFound(err)) {
        const incomplete = await hasAnyObject(s3, bucket, folder).catch(() => false);
        throw new RecoveryPointNotFoundError(bucket, folder, incomplete
          ? 'has no manifest.json: the recovery point is incomplete (its backup never committed) and cannot be used'
          : 'no such recovery point (no manifest.json)', { cause: err });
      }
      if (options.signal?.aborted) throw err;
      throw new RecoveryPointReadError(bucket, key, `the manifest could not be read: ${errorText(err)}`, { cause: err });
    }
    const manifest = parseManifest(text);
    const id = folder.split('/').at(-2);
    if (manifest.recoveryPointId !== id) {
      throw new ManifestError([`recoveryPointId ${manifest.recoveryPointId} does not match its folder ${folder}`]);
    }
    return new RecoveryPointReader(s3, bucket, folder, manifest, options.kmsFor);
  }

  /** The seekable archive's index (format 1.2); undefined for a 1.0 or 1.1 archive, read as one stream. */
  get index(): ArchiveIndex | undefined {
    return this.manifest.index;
  }

  /** True when the archive can be read one type at a time (typeObjects() by Range GET). */
  get seekable(): boolean {
    return this.manifest.index !== undefined;
  }

  /** True when the archive's Secret values are sealed with a KMS data key (manifest `secrets`). */
  get secretsEncrypted(): boolean {
    return this.manifest.secrets !== undefined;
  }

  /** What the last complete objects() read measured; undefined until one finished. */
  get summary(): ArchiveReadSummary | undefined {
    return this.#summary;
  }

  /**
   * Every object of the archive in archive order, parsed and checked: the path is safe and in the layout, the
   * body is one JSON object whose kind is the manifest's kind for that resource and whose name and
   * namespace are the path's. When the archive ends, its SHA-256, object count and per-type counts are
   * compared with the manifest. Memory holds one entry at a time. Sealed Secrets are opened: the data key
   * comes from KMS first (one kms:Decrypt per read; a key that cannot be used throws SecretKeyError before
   * the archive is fetched) and is zeroed when the read ends; a value that does not open is a problem of
   * its entry.
   */
  async *objects(options: ReadObjectsOptions = {}): AsyncGenerator<RecoveryPointObject, void, undefined> {
    const envelope = this.manifest.secrets
      ? await SecretEnvelope.open(this.#kmsFor, this.manifest.secrets, options.signal ? { signal: options.signal } : {})
      : undefined;
    try {
      const index = this.manifest.index;
      yield* index ? this.#rangedObjects(index, options, envelope) : this.#objects(options, envelope);
    } finally {
      envelope?.dispose();
    }
  }

  /**
   * The objects of one resource type of a seekable archive (format 1.2), read by Range GETs of its members
   * only, several in flight. Each member's SHA-256 is checked against the index before it is parsed (a
   * tampered member is a problem: RecoveryPointIntegrityError unless `onProblem`), each entry as objects()
   * checks it, and the type's count against the index and the manifest at the end. Sealed Secrets are opened
   * in memory. Throws RecoveryPointError for an archive that is not seekable (read it with objects()).
   */
  async *typeObjects(resourceName: string, options: TypeObjectsOptions = {}): AsyncGenerator<RecoveryPointObject, void, undefined> {
    const index = this.manifest.index;
    if (!index) throw new RecoveryPointError(`recovery point ${this.manifest.recoveryPointId} has no index (format ${this.manifest.formatVersion}): read it whole`);
    const problem = problemSink(options);
    this.#checkArchiveKey();
    const type = index.types.find((t) => t.name === resourceName);
    const row = this.manifest.resources.find((r) => r.name === resourceName);
    if (!type) {
      if ((row?.count ?? 0) > 0) problem(`${resourceName}: the manifest says ${row!.count} objects, the index has no member of it`);
      return;
    }
    const envelope = this.manifest.secrets && resourceName === SECRETS_RESOURCE
      ? await SecretEnvelope.open(this.#kmsFor, this.manifest.secrets, options.signal ? { signal: options.signal } : {})
      : undefined;
    // Positions of the type's entries so far, across its members; entries outside options.range only counted.
    const position = { next: 0, counted: 0, ...(options.range ? { range: options.range } : {}) };
    // With a range, the members wholly outside it are not fetched at all: their objects are counted as the index
    // says (a durable restore's prepare read and checked them whole).
    const firstPosition = new Map<number, number>();
    const members: ArchiveMember[] = [];
    let start = 0;
    let boundary: number | undefined;
    for (const m of membersOfType(index, resourceName)) {
      const n = m.types.get(resourceName) ?? 0;
      if (!options.range || (start < options.range.to && start + n > options.range.from)) {
        firstPosition.set(m.offset, start);
        members.push(m);
        if (options.range && start + n > options.range.to) boundary = m.offset;
      } else {
        position.counted += n;
      }
      start += n;
    }
    try {
      for await (const fetched of this.#fetchKeeping(members, options, boundary)) {
        position.next = firstPosition.get(fetched.member.offset) ?? position.next;
        yield* this.#memberObjects(fetched, resourceName, options, envelope, problem, position);
      }
    } finally {
      envelope?.dispose();
    }
    const seen = position.counted;
    if (seen !== type.objects) problem(`${resourceName}: its members hold ${seen} objects, the index says ${type.objects}`);
    if (row && seen !== row.count) problem(`${resourceName}: archive holds ${seen} objects, the manifest says ${row.count}`);
  }

  #checkArchiveKey(): void {
    if (this.manifest.archive.key !== archiveKey(this.folder)) {
      throw new RecoveryPointIntegrityError([`manifest names archive ${this.manifest.archive.key}, not ${archiveKey(this.folder)}`]);
    }
  }

  /**
   * #fetch, but a member kept in memory (see #kept) is handed out again from there; keeps the shared members
   * it fetches, and the member at `boundary` (where a ranged read ends inside a member).
   */
  async *#fetchKeeping(members: ArchiveMember[], options: ReadObjectsOptions, boundary: number | undefined): AsyncGenerator<{ member: ArchiveMember; body: Buffer; sha256: string }> {
    const kept = new Map([...this.#kept.values()].map((k) => [k.offset, k]));
    const fetched = this.#fetch(members.filter((m) => !kept.has(m.offset)), options);
    try {
      for (const member of members) {
        const inMemory = kept.get(member.offset);
        if (inMemory !== undefined) {
          yield { member, body: inMemory.body, sha256: inMemory.sha256 };
          continue;
        }
        const next = await fetched.next();
        if (next.done) return;
        const keep = { offset: member.offset, body: next.value.body, sha256: next.value.sha256 };
        if (member.types.size > 1) this.#kept.set('shared', keep);
        if (member.offset === boundary) this.#kept.set('boundary', keep);
        yield next.value;
      }
    } finally {
      await fetched.return(undefined);
    }
  }

  #fetch(members: ArchiveMember[], options: ReadObjectsOptions) {
    return fetchMembers(this.s3, this.bucket, this.manifest.archive.key, members, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.rangeConcurrency !== undefined ? { concurrency: options.rangeConcurrency } : {}),
      ...(options.onRangeRequest ? { onRangeRequest: options.onRangeRequest } : {}),
    });
  }

  /**
   * The checked objects of one fetched member (of type `only` when given; a shared member holds several):
   * none when its SHA-256 differs from the index (it is not parsed), each entry checked to be of a type the
   * index lists in this member, and the member's counts checked at its end.
   */
  async *#memberObjects(
    fetched: { member: ArchiveMember; body: Buffer; sha256: string }, only: string | undefined,
    options: ReadObjectsOptions, envelope: SecretEnvelope | undefined, problem: (text: string) => void,
    position?: { next: number; counted: number; range?: { from: number; to: number } },
  ): AsyncGenerator<RecoveryPointObject, void, undefined> {
    const { member } = fetched;
    const names = member.role === 'objects' ? [...member.types.keys()].join(', ') : member.role === 'head' ? 'metadata' : 'end-of-archive';
    const what = `${names} member at bytes ${member.offset}-${member.offset + member.length - 1}`;
    if (fetched.body.length !== member.length) return problem(`${what} cannot be read: the archive ends after ${fetched.body.length} of its ${member.length} bytes`);
    if (fetched.sha256 !== member.sha256) return problem(`${what}: SHA-256 ${fetched.sha256} differs from the index's ${member.sha256}`);
    const kinds = new Map(this.manifest.resources.map((r) => [r.name, r.kind]));
    const counts = new Map<string, number>();
    try {
      // In memory already: read synchronously, unless it inflates too far to hold whole.
      const entries = memberEntries(fetched.body) ?? readArchiveEntries(Readable.from([fetched.body]));
      for await (const entry of entries) {
        options.signal?.throwIfAborted();
        if (entry.kind === 'metadata-version') {
          if (member.role !== 'head') problem(`${what} holds metadata/version`);
          else checkVersion(entry, problem);
          continue;
        }
        if (entry.kind === 'object') {
          if (!member.types.has(entry.resourceName)) {
            problem(`${what} holds ${JSON.stringify(entry.path)}, not an entry of ${names}`);
            continue;
          }
          // Another type's entry in the shared member: its SHA-256 checked it; it is that type's to parse.
          if (only !== undefined && entry.resourceName !== only) continue;
          if (position) {
            const at = position.next++;
            if (position.range && (at < position.range.from || at >= position.range.to)) {
              counts.set(entry.resourceName, (counts.get(entry.resourceName) ?? 0) + 1);
              position.counted++;
              continue;
            }
          }
        }
        const o = checkEntry(entry, kinds, envelope, problem);
        if (o === undefined) continue;
        counts.set(o.resourceName, (counts.get(o.resourceName) ?? 0) + 1);
        if (position) position.counted++;
        yield o;
      }
    } catch (err) {
      if (err instanceof ArchiveEntryError) return problem(`${what}: ${err.message}`);
      if (err instanceof RecoveryPointIntegrityError || options.signal?.aborted) throw err;
      return problem(`${what} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    for (const [name, expected] of member.types) {
      if (only !== undefined && name !== only) continue;
      const seen = counts.get(name) ?? 0;
      if (seen !== expected) problem(`${what} holds ${seen} ${name}, the index says ${expected}`);
    }
  }

  /**
   * objects() of a seekable archive: every member by Range GET in archive order, each checked against the
   * index, and the whole archive's SHA-256 and size computed over them in order, as one stream would be.
   */
  async *#rangedObjects(index: ArchiveIndex, options: ReadObjectsOptions, envelope: SecretEnvelope | undefined): AsyncGenerator<RecoveryPointObject, void, undefined> {
    const { manifest } = this;
    const problem = problemSink(options);
    this.#checkArchiveKey();
    const hash = createHash('sha256');
    const counts = new Map<string, number>();
    let bytes = 0;
    let objects = 0;
    let objectBytes: number | undefined;
    for await (const fetched of this.#fetch(membersInArchiveOrder(index), options)) {
      hash.update(fetched.body);
      bytes += fetched.body.length;
      objectBytes ??= fetched.objectBytes;
      options.onArchiveBytes?.(bytes);
      for await (const o of this.#memberObjects(fetched, undefined, options, envelope, problem)) {
        objects++;
        counts.set(o.resourceName, (counts.get(o.resourceName) ?? 0) + 1);
        yield o;
      }
    }
    const sha256 = hash.digest('hex');
    this.#summary = { objects, bytes, sha256, counts };
    // The index tiles manifest.archive.bytes (validateManifest); bytes past it would be in no member.
    const endProblems = objectBytes !== undefined && objectBytes !== manifest.archive.bytes
      ? [`archive is ${objectBytes} bytes, the manifest says ${manifest.archive.bytes}`]
      : [];
    endProblems.push(...archiveEndProblems(manifest, { sha256, bytes, objects, counts }));
    if (endProblems.length && !options.onProblem) throw new RecoveryPointIntegrityError(endProblems);
    for (const p of endProblems) options.onProblem?.(p);
  }

  async *#objects(options: ReadObjectsOptions, envelope: SecretEnvelope | undefined): AsyncGenerator<RecoveryPointObject, void, undefined> {
    const { manifest } = this;
    const problem = problemSink(options);
    this.#checkArchiveKey();
    const kinds = new Map(manifest.resources.map((r) => [r.name, r.kind]));
    const key = manifest.archive.key;
    let out;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new RecoveryPointReadError(this.bucket, key, `the archive could not be read: ${errorText(err)}`, { cause: err });
    }
    const body = out.Body as Readable;
    const hash = createHash('sha256');
    let bytes = 0;
    // The body itself failing is the download breaking off, not a bad archive (which ends, then fails to parse).
    let downloadError: unknown;
    body.on('error', (err) => {
      downloadError ??= err;
    });
    body.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      options.onArchiveBytes?.(bytes);
    });

    const counts = new Map<string, number>();
    let objects = 0;
    let sawVersion = false;
    try {
      for await (const entry of readArchiveEntries(body)) {
        options.signal?.throwIfAborted();
        if (entry.kind === 'metadata-version') {
          sawVersion = true;
          checkVersion(entry, problem);
          continue;
        }
        const o = checkEntry(entry, kinds, envelope, problem);
        if (o === undefined) continue;
        objects++;
        counts.set(o.resourceName, (counts.get(o.resourceName) ?? 0) + 1);
        yield o;
      }
    } catch (err) {
      if (err instanceof ArchiveEntryError) return problem(err.message);
      if (err instanceof RecoveryPointIntegrityError || options.signal?.aborted) throw err;
      if (downloadError !== undefined) {
        const of = out.ContentLength !== undefined ? ` of ${out.ContentLength}` : '';
        throw new RecoveryPointReadError(this.bucket, key, `the archive's download broke off after ${bytes}${of} bytes: ${errorText(downloadError)}`, { cause: downloadError });
      }
      // zlib or tar errors: the archive is cut short or corrupt.
      return problem(`the archive cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }

    const sha256 = hash.digest('hex');
    this.#summary = { objects, bytes, sha256, counts };
    const endProblems: string[] = [];
    if (!sawVersion) endProblems.push('archive has no metadata/version entry');
    endProblems.push(...archiveEndProblems(manifest, { sha256, bytes, objects, counts }));
    if (endProblems.length && !options.onProblem) throw new RecoveryPointIntegrityError(endProblems);
    for (const p of endProblems) options.onProblem?.(p);
  }
}


function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

async function hasAnyObject(s3: S3Client, bucket: string, folder: string): Promise<boolean> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, MaxKeys: 1 }));
  return (out.KeyCount ?? out.Contents?.length ?? 0) > 0;
}
