/**
 * Finds the AWS resources a cluster's configuration depends on while the backup streams its objects
 * past (issue 5): one walk per object, nothing buffered but the dependencies found, each with a bounded
 * list of the objects that reference it.
 */
import { classifyArn, findArns } from './arns';
import { isAwsAuthConfigMap, parseMapRoles } from './awsAuth';
import { mightBeEcrImage, parseImageReference } from './imageReference';
import { child, pathOf, renderPath, type PathNode } from './jsonPath';
import { recognizeLoadBalancerAnnotation } from './loadBalancerAnnotations';
import { mayReferenceAws } from './mayReferenceAws';
import type { AwsDependency, AwsDependencyType, DependencyReference, DependencySighting, PodIdentityAssociation } from './types';
import {
  dig,
  EBS_CSI_DRIVER,
  recognizeCsiVolumeHandle,
  recognizeEbsSnapshotHandle,
  recognizeInTreeEbsVolumeId,
  recognizeStorageClassParameter,
  regionOfPersistentVolume,
} from './volumes';

/**
 * Default cap on the references kept per dependency. Ten examples say what uses a role or an image;
 * the count of the others is kept (referencesTruncated). At 100 the references of a 100k-object
 * cluster took 40% more memory and manifest for no new kind of information (issue 8).
 */
export const DEFAULT_MAX_REFERENCES_PER_DEPENDENCY = 10;
/** Default cap on distinct dependencies. */
export const DEFAULT_MAX_DEPENDENCIES = 10_000;
/** Nesting deeper than this is not walked (real objects are far shallower; this bounds hostile ones). */
export const MAX_WALK_DEPTH = 128;

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

/** The container lists of a pod spec; their items' `image` is an image reference. */
const CONTAINER_LISTS: ReadonlySet<string | number> = new Set(['containers', 'initContainers', 'ephemeralContainers']);
/** A copy of an earlier version of the object: scanning it would report stale and duplicate references. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/**
 * `metadata.managedFields` records which manager owns which field (keys and empty objects, manager names,
 * times), never configuration, and is often half of an object: not walked (issue 8).
 */
const MANAGED_FIELDS = 'managedFields';

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
  /** Region a PersistentVolume's node affinity pins its volume to. */
  volumeRegion: string | undefined;
  /** aws-auth's mapRoles was parsed: its ARNs are recorded per list item, not again for the whole text. */
  mapRolesParsed: boolean;
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

type Frame = { value: unknown; node: PathNode | undefined; depth: number };

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
    const walk: Walk = { source, recorded: new Set(), volumeRegion: undefined, mapRolesParsed: false };
    this.observeWholeObject(obj, walk);
    this.walk(obj, walk);
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
    if (!parts.some(mayReferenceAws)) return;
    // Decoded piece by piece (each piece ends on a character boundary): joining the buffers first would
    // allocate a copy outside the V8 heap per object, which waits for a full GC (issue 8).
    let text = '';
    for (const part of parts) text += part.toString('utf8');
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
      const walk: Walk = { source, recorded: new Set(), volumeRegion: undefined, mapRolesParsed: false };
      for (const field of ['roleArn', 'targetRoleArn'] as const) {
        const value = association[field];
        if (value) this.recordArnsIn(value, pathOf(field), walk);
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

  /** Recognizers that need several fields of the object at once (kind, namespace, sibling fields). */
  private observeWholeObject(obj: Record<string, unknown>, walk: Walk): void {
    const { kind, namespace, name } = walk.source;
    if (kind === 'PersistentVolume') walk.volumeRegion = regionOfPersistentVolume(obj['spec']);
    if (kind === 'StorageClass') {
      const provisioner = obj['provisioner'];
      const parameters = obj['parameters'];
      if (typeof provisioner === 'string' && isRecord(parameters)) {
        for (const [key, value] of Object.entries(parameters)) {
          if (typeof value !== 'string') continue;
          const found = recognizeStorageClassParameter(provisioner, key, value);
          for (const sighting of found) this.record(sighting, pathOf('parameters', key), walk);
        }
      }
    }
    if (kind === 'VolumeSnapshotContent' && dig(obj, 'spec', 'driver') === EBS_CSI_DRIVER) {
      const volume = dig(obj, 'spec', 'source', 'volumeHandle');
      if (typeof volume === 'string') {
        for (const s of recognizeCsiVolumeHandle(EBS_CSI_DRIVER, volume, undefined)) this.record(s, pathOf('spec', 'source', 'volumeHandle'), walk);
      }
      for (const keys of [['spec', 'source', 'snapshotHandle'], ['status', 'snapshotHandle']]) {
        const handle = dig(obj, ...keys);
        if (typeof handle === 'string') for (const s of recognizeEbsSnapshotHandle(handle)) this.record(s, pathOf(...keys), walk);
      }
    }
    if (isAwsAuthConfigMap(kind, namespace, name)) {
      const mapRoles = dig(obj, 'data', 'mapRoles');
      const roles = typeof mapRoles === 'string' ? parseMapRoles(mapRoles) : undefined;
      if (roles) {
        walk.mapRolesParsed = true;
        for (const { index, roleArn } of roles) this.recordArnsIn(roleArn, pathOf('data', 'mapRoles', index, 'rolearn'), walk);
      }
    }
  }

  /** Visits every value of the object once, depth first, without recursion. */
  private walk(root: Record<string, unknown>, walk: Walk): void {
    const stack: Frame[] = [{ value: root, node: undefined, depth: 0 }];
    while (stack.length > 0) {
      const frame = stack.pop();
      if (!frame) break;
      const { value, node, depth } = frame;
      if (typeof value === 'string') {
        this.observeString(value, node, walk);
      } else if (Array.isArray(value)) {
        if (depth >= MAX_WALK_DEPTH) continue;
        // Pushed in reverse so items are visited in order (keeps reference order stable).
        for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], node: child(node, i), depth: depth + 1 });
      } else if (isRecord(value)) {
        if (depth >= MAX_WALK_DEPTH) continue;
        this.observeRecord(value, node, walk);
        const isObjectMetadata = depth === 1 && node?.key === 'metadata';
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] ?? '';
          if (isObjectMetadata && key === MANAGED_FIELDS) continue;
          stack.push({ value: value[key], node: child(node, key), depth: depth + 1 });
        }
      }
    }
  }

  /** Recognizers keyed on an object's own fields: CSI volumes, in-tree EBS volumes, annotations. */
  private observeRecord(value: Record<string, unknown>, node: PathNode | undefined, walk: Walk): void {
    const { driver, volumeHandle } = value;
    if (typeof driver === 'string' && typeof volumeHandle === 'string') {
      for (const s of recognizeCsiVolumeHandle(driver, volumeHandle, walk.volumeRegion)) this.record(s, child(node, 'volumeHandle'), walk);
    }
    if (node?.key === 'awsElasticBlockStore' && typeof value['volumeID'] === 'string') {
      for (const s of recognizeInTreeEbsVolumeId(value['volumeID'])) this.record(s, child(node, 'volumeID'), walk);
    }
    if (node?.key === 'annotations' && node.parent?.key === 'metadata') {
      for (const [key, annotation] of Object.entries(value)) {
        if (typeof annotation !== 'string') continue;
        for (const s of recognizeLoadBalancerAnnotation(key, annotation, this.clusterRegion)) this.record(s, child(node, key), walk);
      }
    }
  }

  private observeString(value: string, node: PathNode | undefined, walk: Walk): void {
    if (node?.key === LAST_APPLIED && node.parent?.key === 'annotations') return;
    if (walk.mapRolesParsed && node?.key === 'mapRoles' && node.parent?.key === 'data' && node.parent.parent === undefined) return;
    if (isContainerImage(node)) {
      const image = parseImageReference(value);
      if (image?.kind === 'ecr') this.recordEcrImage(image, value, node, walk);
      else if (image) this.record({ type: 'external-image', id: image.repository, image: value.trim() }, node, walk);
    } else if (mightBeEcrImage(value)) {
      // An ECR image named outside a pod spec (an operator's `spec.image`, a config value).
      const image = parseImageReference(value);
      if (image?.kind === 'ecr') this.recordEcrImage(image, value, node, walk);
    }
    this.recordArnsIn(value, node, walk);
  }

  private recordEcrImage(image: { arn: string; account: string; region: string }, value: string, node: PathNode | undefined, walk: Walk): void {
    this.record(
      { type: 'ecr-repository', id: image.arn, arn: image.arn, account: image.account, region: image.region, image: value.trim() },
      node,
      walk,
    );
  }

  private recordArnsIn(text: string, node: PathNode | undefined, walk: Walk): void {
    for (const parsed of findArns(text)) {
      const classified = classifyArn(parsed);
      if (!classified) continue;
      this.record(
        {
          type: classified.type,
          id: classified.id,
          arn: classified.id.startsWith('arn:') ? classified.id : parsed.arn,
          account: parsed.account || undefined,
          region: parsed.region || undefined,
        },
        node,
        walk,
      );
    }
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

/** A string in `...containers[i].image` (also init and ephemeral containers), wherever the pod spec sits. */
function isContainerImage(node: PathNode | undefined): boolean {
  return node?.key === 'image' && typeof node.parent?.key === 'number' && CONTAINER_LISTS.has(node.parent.parent?.key ?? '');
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
