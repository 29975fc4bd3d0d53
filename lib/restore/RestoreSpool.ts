import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RecoveryPointReader } from '../recovery-point/RecoveryPointReader';
import type { RecoveryPointFacts } from './plan';
import { UidSet } from './UidSet';

/** One resource type of the recovery point, spooled. */
export interface SpooledType {
  resourceName: string;
  count: number;
}

/** A custom resource type whose CRD is in the recovery point. */
export interface RecoveryPointCrd {
  /** The CRD's own name, `<plural>.<group>`. */
  crdName: string;
  group: string;
  /** Versions the CRD serves. */
  versions: string[];
}

/** What the spool reads: the whole archive, and one type at a time when the recovery point is seekable (1.2). */
export type SpoolReader = Pick<RecoveryPointReader, 'objects'> & Partial<Pick<RecoveryPointReader, 'seekable' | 'typeObjects'>>;

/** Positions of a type's objects, archive order, `from` included, `to` not (a durable restore's chunk). */
export interface ObjectRange {
  from: number;
  to: number;
}

/** Reads one type's objects again, from S3 (a seekable recovery point), only those of `range` when given. */
type TypeReader = (resourceName: string, range?: ObjectRange) => AsyncIterable<{ object: Record<string, unknown> }>;

/**
 * What fill() learned of a seekable recovery point, as JSON: what a durable restore's steps read instead of
 * the whole archive (lib/restore/restoreFacts.ts). uids: of controllers only, as UidSet keys them (52-bit numbers).
 */
export interface SpoolFacts {
  types: SpooledType[];
  selectorServices: string[];
  /** `[<plural>.<group>, crd]` */
  crds: Array<[string, RecoveryPointCrd]>;
  uids: Array<number | string>;
}

export interface SpoolOptions {
  /** Parent folder of the spool. @default os.tmpdir() (a Lambda's /tmp) */
  directory?: string;
  signal?: AbortSignal;
}

/**
 * The recovery point read once from S3 and, for a 1.0 or 1.1 archive (one gzip stream), laid out on local
 * disk, one file of JSON lines per resource type, so that each type can be restored in its turn without
 * holding the cluster in memory and without downloading the archive once per tier (DESIGN.md section 8,
 * order). A seekable recovery point (1.2) is not laid out anywhere: each type is read again from S3 when
 * its turn comes, by Range GETs of its members only (DESIGN.md section 10), so nothing, and no opened Secret,
 * lands on disk. Either way, reading it first verifies the whole archive against its manifest before
 * anything is written to the cluster, and gathers the few facts single objects need: which Services have
 * selectors, which uids are present (owners), which CRDs.
 */
export class RestoreSpool implements RecoveryPointFacts {
  /** The spool's folder; undefined for a seekable recovery point, which is read from S3 per type. */
  readonly directory: string | undefined;
  readonly #selectorServices: Set<string>;
  readonly #crds: Map<string, RecoveryPointCrd>;
  readonly #counts: Map<string, number>;
  readonly #uids: UidSet;
  // The uids some object names as its controller: the only ones hasUid is asked about (skipReason).
  readonly #controllerUids = new Set<number | string>();

  readonly #typeReader: TypeReader | undefined;

  private constructor(directory: string | undefined, typeReader?: TypeReader, learned: Learned = newLearned()) {
    this.directory = directory;
    this.#typeReader = typeReader;
    this.#selectorServices = learned.selectorServices;
    this.#crds = learned.crds;
    this.#counts = learned.counts;
    this.#uids = learned.uids;
  }

  /** `<namespace>/<name>` of every Service with a selector (RecoveryPointFacts). */
  get selectorServices(): ReadonlySet<string> {
    return this.#selectorServices;
  }

  /** The CRDs of the recovery point, by custom resource name (`<plural>.<group>`). */
  get crds(): ReadonlyMap<string, RecoveryPointCrd> {
    return this.#crds;
  }

  /**
   * Reads every object of the recovery point into a new spool (a seekable one: learns its facts and counts
   * only); throws what the reader throws (bad recovery points).
   */
  static async fill(reader: SpoolReader, options: SpoolOptions = {}): Promise<RestoreSpool> {
    if (reader.seekable && reader.typeObjects) return RestoreSpool.#fillSeekable(reader, reader.typeObjects.bind(reader), options);
    const spool = new RestoreSpool(mkdtempSync(join(options.directory ?? tmpdir(), 'eks-restore-')));
    const files = new Map<string, WriteStream>();
    // A file's error is kept and thrown at the next write or at the end: without a listener from the
    // start, a write still buffered when a failed read destroys the file crashes the process (Node 22).
    let fileError: Error | undefined;
    try {
      for await (const entry of reader.objects(options.signal ? { signal: options.signal } : {})) {
        if (fileError) throw fileError;
        spool.#learn(entry.resourceName, entry.object);
        let file = files.get(entry.resourceName);
        if (!file) {
          file = createWriteStream(spool.#file(entry.resourceName), { highWaterMark: 64 * 1024 });
          file.on('error', (err: Error) => (fileError ??= err));
          files.set(entry.resourceName, file);
        }
        if (!file.write(`${JSON.stringify(entry.object)}\n`)) await once(file, 'drain');
        spool.#counts.set(entry.resourceName, (spool.#counts.get(entry.resourceName) ?? 0) + 1);
      }
      await Promise.all([...files.values()].map((f) => new Promise<void>((resolve, reject) => f.end((err?: Error | null) => (err ? reject(err) : resolve())))));
      if (fileError) throw fileError;
      return spool;
    } catch (err) {
      // Closed before the folder goes, so no open or write lands in a removed folder.
      await Promise.all([...files.values()].map((f) => (f.closed ? undefined : (f.destroy(), once(f, 'close')))));
      spool.dispose();
      throw err;
    }
  }

  /** The facts and counts of a seekable recovery point, from one ranged read of it all; no file is written. */
  static async #fillSeekable(reader: SpoolReader, typeObjects: NonNullable<SpoolReader['typeObjects']>, options: SpoolOptions): Promise<RestoreSpool> {
    const read = options.signal ? { signal: options.signal } : {};
    // Each type's read later gets no signal, as the files of a disk spool have none: the restore checks its
    // deadline between objects and stops reading (which cancels the Range GETs in flight); an abort inside
    // the read would end the restore as FAILED instead of PARTIAL with its not-attempted rows.
    const spool = new RestoreSpool(undefined, (resourceName, range) => typeObjects(resourceName, range ? { range } : {}));
    for await (const entry of reader.objects(read)) {
      spool.#learn(entry.resourceName, entry.object);
      spool.#counts.set(entry.resourceName, (spool.#counts.get(entry.resourceName) ?? 0) + 1);
    }
    return spool;
  }

  /**
   * A seekable recovery point's spool from the facts an earlier fill() learned (facts()): nothing is read
   * now; each type is read by Range GETs of its own members when its turn comes (their SHA-256 checked).
   */
  static fromFacts(reader: Required<Pick<SpoolReader, 'typeObjects'>>, facts: FactsIndex): RestoreSpool {
    return new RestoreSpool(undefined, (resourceName, range) => reader.typeObjects(resourceName, range ? { range } : {}), facts);
  }

  /**
   * The facts put into the sets and maps a spool answers from, once: the steps of one durable invocation share
   * this (SharedReads), and the spools built from it only read it. Built for each step, it cost 15-30 ms a step
   * for a million-object cluster's 120,000 Services with selectors, on every step's way to its first write.
   */
  static indexFacts(facts: SpoolFacts): FactsIndex {
    const learned = newLearned();
    for (const t of facts.types) learned.counts.set(t.resourceName, t.count);
    for (const s of facts.selectorServices) learned.selectorServices.add(s);
    for (const [name, crd] of facts.crds) learned.crds.set(name, crd);
    for (const uid of facts.uids) learned.uids.addKey(uid);
    return learned;
  }

  /**
   * What this spool learned, for fromFacts(); undefined when its objects are on local disk (not seekable).
   * Of the uids, those of controllers only: what hasUid answers for skipReason.
   */
  facts(): SpoolFacts | undefined {
    if (!this.#typeReader) return undefined;
    // Only owners some object names as its controller: a step reads the facts again, and every object's uid
    // would make them grow with the cluster (16 MB to read and hold in each step of a million-object restore).
    const owners = [...this.#controllerUids].filter((uid) => this.#uids.hasKey(uid));
    return { types: this.types(), selectorServices: [...this.#selectorServices], crds: [...this.#crds], uids: owners };
  }

  /** Every type in the recovery point with how many objects it holds. */
  types(): SpooledType[] {
    return [...this.#counts].map(([resourceName, count]) => ({ resourceName, count }));
  }

  /**
   * The objects of one type, in archive order, one at a time; with `range`, those at its positions only. A
   * seekable recovery point's reader parses (and decrypts) only those: a chunk of a large type would otherwise
   * parse the whole type once per chunk.
   */
  async *objects(resourceName: string, range?: ObjectRange): AsyncGenerator<Record<string, unknown>> {
    if (!this.#counts.has(resourceName)) return;
    if (this.#typeReader) {
      for await (const entry of this.#typeReader(resourceName, range)) yield entry.object;
      return;
    }
    const lines = createInterface({ input: createReadStream(this.#file(resourceName)), crlfDelay: Infinity });
    let at = 0;
    for await (const line of lines) {
      if (line === '') continue;
      const position = at++;
      if (range && (position < range.from || position >= range.to)) continue;
      yield JSON.parse(line) as Record<string, unknown>;
    }
  }

  hasUid(uid: string): boolean {
    return this.#uids.has(uid);
  }

  /** Removes the spool's files. */
  dispose(): void {
    if (this.directory !== undefined) rmSync(this.directory, { recursive: true, force: true });
  }

  #file(resourceName: string): string {
    // Resource names are DNS-like (checked by the layout), so they are safe file names.
    return join(this.directory ?? tmpdir(), `${resourceName}.jsonl`);
  }

  #learn(resourceName: string, obj: Record<string, unknown>): void {
    const meta = record(obj.metadata);
    if (typeof meta.uid === 'string') this.#uids.add(meta.uid);
    if (Array.isArray(meta.ownerReferences)) {
      for (const ref of meta.ownerReferences as unknown[]) {
        const r = record(ref);
        if (r.controller === true && typeof r.uid === 'string') this.#controllerUids.add(UidSet.keyOf(r.uid));
      }
    }
    if (resourceName === 'services') {
      const selector = record(record(obj.spec).selector);
      if (Object.keys(selector).length > 0) this.#selectorServices.add(`${String(meta.namespace)}/${String(meta.name)}`);
    }
    if (resourceName === 'customresourcedefinitions.apiextensions.k8s.io') {
      const spec = record(obj.spec);
      const plural = record(spec.names).plural;
      if (typeof spec.group === 'string' && typeof plural === 'string') {
        const versions = Array.isArray(spec.versions)
          ? spec.versions.map((v) => record(v)).filter((v) => v.served !== false).map((v) => String(v.name))
          : typeof spec.version === 'string' ? [spec.version] : [];
        this.#crds.set(`${plural}.${spec.group}`, { crdName: String(meta.name), group: spec.group, versions });
      }
    }
  }
}

/** What a spool learns (fill) or is given (fromFacts). */
interface Learned {
  selectorServices: Set<string>;
  crds: Map<string, RecoveryPointCrd>;
  counts: Map<string, number>;
  uids: UidSet;
}

/** The facts as spools answer from them (RestoreSpool.indexFacts); the spools built from one only read it. */
export type FactsIndex = Readonly<Learned>;

function newLearned(): Learned {
  return { selectorServices: new Set(), crds: new Map(), counts: new Map(), uids: new UidSet() };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
