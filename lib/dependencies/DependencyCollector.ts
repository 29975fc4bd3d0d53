/**
 * Finds the AWS resources a cluster's configuration depends on while the backup streams its objects
 * past (issue 5): one walk per object, nothing buffered but the dependencies found, each with a bounded
 * list of the objects that reference it.
 */
import { pathOf, renderPath, type PathNode } from './jsonPath';
import { mayReferenceAwsText } from './mayReferenceAws';
import { scanObject, sightArnsIn, type SightingSink } from './scanObject';
import type { AwsDependency, AwsDependencyType, DependencyReference, DependencySighting, PodIdentityAssociation } from './types';
import { dig } from './volumes';

export { MAX_WALK_DEPTH } from './scanObject';

/**
 * Default cap on the references kept per dependency. Ten examples say what uses a role or an image;
 * the count of the others is kept (referencesTruncated). At 100 the references of a 100k-object
 * cluster took 40% more memory and manifest for no new kind of information (issue 8).
 */
export const DEFAULT_MAX_REFERENCES_PER_DEPENDENCY = 10;
/** Default cap on distinct dependencies. */
export const DEFAULT_MAX_DEPENDENCIES = 10_000;

export interface DependencyCollectorOptions {
  /**
   * The cluster's 12-digit account; dependencies in another account get `crossAccount: true`.
   * @default undefined (nothing is flagged cross-account)
   */
  clusterAccount?: string;
  /**
   * The cluster's region; dependencies in another region get `crossRegion: true`. Also picks the
   * partition of S3 bucket ARNs built from bucket names.
   * @default undefined (nothing is flagged cross-region)
   */
  clusterRegion?: string;
  /**
   * References kept per dependency; further ones are only counted in `referencesTruncated`, so
   * memory stays bounded however many pods use one image.
   * @default 10 (DEFAULT_MAX_REFERENCES_PER_DEPENDENCY)
   */
  maxReferencesPerDependency?: number;
  /**
   * Distinct dependencies kept; further ones are only counted in `droppedDependencies`.
   * @default 10000
   */
  maxDependencies?: number;
}

interface Source {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  name: string;
}

/** State of one `observe` call. */
interface Walk {
  source: Source;
  /** `type id path` already recorded for this object, so two recognizers never count one place twice. */
  recorded: Set<string>;
}

interface Entry {
  type: AwsDependencyType;
  id: string;
  arn: string | undefined;
  account: string | undefined;
  region: string | undefined;
  /**
   * Kept compact, one string each (see storeReference), in an array of exactly their number: as objects
   * in a growing array, 10k dependencies of a 100k-object cluster held 12 MB, now 5 (issue 8). Expanded
   * by result().
   */
  references: StoredReference[];
  truncated: number;
}

/** JSON of [apiVersion, kind, namespace, name, path, image] ('' for an absent namespace or image). */
type StoredReference = string;

export class DependencyCollector {
  private readonly clusterAccount: string | undefined;
  private readonly clusterRegion: string | undefined;
  private readonly maxReferences: number;
  private readonly maxDependencies: number;
  /** By type, then id: the id string is the entry's own, not a second copy in a combined key. */
  private readonly entries = new Map<AwsDependencyType, Map<string, Entry>>();
  private entryCount = 0;
  private dropped = 0;

  constructor(options: DependencyCollectorOptions = {}) {
    this.clusterAccount = options.clusterAccount;
    this.clusterRegion = options.clusterRegion;
    this.maxReferences = Math.max(0, options.maxReferencesPerDependency ?? DEFAULT_MAX_REFERENCES_PER_DEPENDENCY);
    this.maxDependencies = Math.max(0, options.maxDependencies ?? DEFAULT_MAX_DEPENDENCIES);
  }

  /** Dependencies seen after `maxDependencies` was reached (not in `result()`). */
  get droppedDependencies(): number {
    return this.dropped;
  }

  /** Records the dependencies of one backed-up object (which has apiVersion, kind and metadata). */
  observe(obj: Record<string, unknown>): void {
    const name = dig(obj, 'metadata', 'name');
    const namespace = dig(obj, 'metadata', 'namespace');
    const source: Source = {
      apiVersion: stringOr(obj['apiVersion'], ''),
      kind: stringOr(obj['kind'], ''),
      namespace: typeof namespace === 'string' && namespace !== '' ? namespace : undefined,
      name: stringOr(name, ''),
    };
    scanObject(obj, this.clusterRegion, this.sinkFor({ source, recorded: new Set() }));
  }

  /**
   * Records the dependencies of one object given as its JSON text (as the archive stores it). Objects
   * whose bytes cannot name a dependency (mayReferenceAws) are neither parsed nor walked: that skips
   * most secrets, services and custom resources of a cluster at the cost of a few byte searches. The
   * text may come in pieces (ArchivableItem.parts, split after the comma that ends the type prefix; or
   * ArchivableItem.withoutManagedFields, also split around the `[]` that stands in for managedFields, which
   * the walk skips anyway): no marker contains a comma or a bracket, so none can straddle
   * a split.
   */
  observeJson(json: Buffer | readonly Buffer[]): void {
    const parts = Buffer.isBuffer(json) ? [json] : json;
    // Decoded piece by piece (each piece ends on a character boundary): joining the buffers first would
    // allocate a copy outside the V8 heap per object, which waits for a full GC (issue 8). Decoded before
    // the marker test, which then is one pass over the text the parse needs anyway (issue 16).
    let text = '';
    for (const part of parts) text += part.toString('utf8');
    if (!mayReferenceAwsText(text)) return;
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) this.observe(parsed);
  }

  /** Records the IAM roles of EKS Pod Identity associations (which are not Kubernetes objects). */
  addPodIdentityAssociations(associations: Iterable<PodIdentityAssociation>): void {
    for (const association of associations) {
      // EKS allows one association per service account, so the service account names it.
      const source: Source = {
        apiVersion: 'eks.amazonaws.com',
        kind: 'PodIdentityAssociation',
        namespace: association.namespace,
        name: association.serviceAccount,
      };
      const sink = this.sinkFor({ source, recorded: new Set() });
      for (const field of ['roleArn', 'targetRoleArn'] as const) {
        const value = association[field];
        if (value) sightArnsIn(value, pathOf(field), sink);
      }
    }
  }

  /** The dependencies found so far, deduplicated, sorted by type then id; references sorted too. */
  result(): AwsDependency[] {
    return [...this.dependencies()];
  }

  /**
   * The same as result(), built one dependency at a time as it is iterated (each iteration starts over):
   * the manifest writer serializes them without the whole list ever existing as objects, which at 10k
   * dependencies took 16 MB (issue 8).
   */
  dependencies(): Iterable<AwsDependency> {
    return { [Symbol.iterator]: () => this.sortedDependencies() };
  }

  private *sortedDependencies(): Generator<AwsDependency> {
    const entries = [...this.allEntries()].sort((a, b) => compare(a.type, b.type) || compare(a.id, b.id));
    for (const entry of entries) yield this.toDependency(entry);
  }

  /** How many distinct dependencies of each type were found, keys sorted. */
  countsByType(): Record<string, number> {
    const counts = new Map<string, number>();
    for (const entry of this.allEntries()) counts.set(entry.type, (counts.get(entry.type) ?? 0) + 1);
    return Object.fromEntries([...counts.entries()].sort(([a], [b]) => compare(a, b)));
  }

  /** Where the scan of one object hands its sightings (scanObject walks, the collector records). */
  private sinkFor(walk: Walk): SightingSink {
    return (sighting, node) => this.record(sighting, node, walk);
  }

  private record(sighting: DependencySighting, node: PathNode | undefined, walk: Walk): void {
    const key = `${sighting.type}\u0000${sighting.id}`;
    const path = renderPath(node);
    const placeKey = `${key}\u0000${path}`;
    if (walk.recorded.has(placeKey)) return;
    walk.recorded.add(placeKey);

    let byId = this.entries.get(sighting.type);
    let entry = byId?.get(sighting.id);
    if (!entry) {
      if (this.entryCount >= this.maxDependencies) {
        this.dropped++;
        return;
      }
      entry = { type: sighting.type, id: ownCopy(sighting.id), arn: undefined, account: undefined, region: undefined, references: [], truncated: 0 };
      if (!byId) this.entries.set(sighting.type, (byId = new Map()));
      byId.set(entry.id, entry);
      this.entryCount++;
    }
    // The first sighting that knows the ARN, account or region completes the entry.
    entry.arn ??= sighting.arn === sighting.id ? entry.id : ownCopy(sighting.arn);
    entry.account ??= ownCopy(sighting.account);
    entry.region ??= ownCopy(sighting.region);

    if (entry.references.length >= this.maxReferences) {
      entry.truncated++;
      return;
    }
    entry.references = [...entry.references, storeReference(walk.source, path, sighting.image)];
  }

  private *allEntries(): Generator<Entry> {
    for (const byId of this.entries.values()) yield* byId.values();
  }

  private toDependency(entry: Entry): AwsDependency {
    const dependency: AwsDependency = { type: entry.type, id: entry.id, references: [] };
    if (entry.arn) dependency.arn = entry.arn;
    if (entry.account) dependency.account = entry.account;
    if (entry.region) dependency.region = entry.region;
    if (entry.account && this.clusterAccount && entry.account !== this.clusterAccount) dependency.crossAccount = true;
    if (entry.region && this.clusterRegion && entry.region !== this.clusterRegion) dependency.crossRegion = true;
    dependency.references = entry.references.map(toReference).sort(compareReferences);
    if (entry.truncated > 0) dependency.referencesTruncated = entry.truncated;
    return dependency;
  }
}

/**
 * A copy of a string kept for the whole backup. Substrings (an ARN matched inside a config file, an
 * image trimmed from a field) can share the memory of the text they came from; a dependency must not
 * keep a large config map's text alive (issue 8).
 */
function ownCopy<T extends string | undefined>(text: T): T {
  return (text === undefined || text.length < 13 ? text : JSON.parse(JSON.stringify(text))) as T;
}

function storeReference(source: Source, path: string, image: string | undefined): StoredReference {
  return JSON.stringify([source.apiVersion, source.kind, source.namespace ?? '', source.name, path, image ?? '']);
}

function toReference(stored: StoredReference): DependencyReference {
  const [apiVersion, kind, namespace, name, path, image] = JSON.parse(stored) as [string, string, string, string, string, string];
  const reference: DependencyReference = { apiVersion, kind, ...(namespace !== '' && { namespace }), name, path };
  if (image !== '') reference.image = image;
  return reference;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareReferences(a: DependencyReference, b: DependencyReference): number {
  return (
    compare(a.apiVersion, b.apiVersion) ||
    compare(a.kind, b.kind) ||
    compare(a.namespace ?? '', b.namespace ?? '') ||
    compare(a.name, b.name) ||
    compare(a.path, b.path)
  );
}
