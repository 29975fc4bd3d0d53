/**
 * After translation, what the recovery cluster still depends on in the source account or region
 * (DESIGN.md section 8): lib/dependencies' scanObject run over the objects as they will be restored.
 */
import { GENERATED_DEPENDENCY_TYPES, scanObject, sourceMentionPatterns, type DependencySighting, type SourceMentionPatterns } from '../dependencies';
import { isRecord } from './stringLeaves';
import type { AwsLocation, UntranslatedReference } from './types';

/** Objects listed per reference; further ones are counted in `objectsTruncated`. */
export const MAX_OBJECTS_PER_REFERENCE = 10;

export interface UntranslatedReferenceFinderOptions {
  source: AwsLocation;
  target: AwsLocation;
  /** identifierMap's replacements: never listed, whatever their form. @default none */
  identifierMapTargets?: Iterable<string>;
  /**
   * The backed-up and the recovery cluster's names: where they differ, values still naming the source
   * cluster are listed (`cluster-name`). @default undefined (not checked)
   */
  sourceClusterName?: string;
  targetClusterName?: string;
}

interface Entry {
  type: string;
  id: string;
  objects: string[];
  truncated: number;
  /** The observe() call that last counted this entry, so one object counts once. */
  lastObservation: number;
}

export class UntranslatedReferenceFinder {
  private readonly source: AwsLocation;
  private readonly crossAccount: boolean;
  private readonly crossRegion: boolean;
  private readonly clusterRenamed: boolean;
  private readonly mapped: ReadonlySet<string>;
  private readonly mentions: SourceMentionPatterns;
  private readonly entries = new Map<string, Entry>();
  private observations = 0;

  constructor(options: UntranslatedReferenceFinderOptions) {
    this.source = options.source;
    this.crossAccount = options.source.account !== options.target.account || options.source.partition !== options.target.partition;
    this.crossRegion = options.source.region !== options.target.region;
    const { sourceClusterName, targetClusterName } = options;
    this.clusterRenamed = sourceClusterName !== undefined && targetClusterName !== undefined && sourceClusterName !== targetClusterName;
    this.mapped = new Set(options.identifierMapTargets ?? []);
    this.mentions = sourceMentionPatterns({ ...options.source, clusterName: this.clusterRenamed ? (sourceClusterName ?? '') : '' });
  }

  /** Records the references of one object (as it will be restored) that still point at the source. */
  observe(object: Record<string, unknown>): void {
    if (!this.crossAccount && !this.crossRegion && !this.clusterRenamed) return;
    const observation = ++this.observations;
    const label = labelOf(object);
    scanObject(withoutSecretValues(object), undefined, (sighting) => {
      if (!this.pointsAtSource(sighting)) return;
      const key = `${sighting.type}\u0000${sighting.id}`;
      let entry = this.entries.get(key);
      if (!entry) this.entries.set(key, (entry = { type: sighting.type, id: sighting.id, objects: [], truncated: 0, lastObservation: 0 }));
      if (entry.lastObservation === observation) return;
      entry.lastObservation = observation;
      if (entry.objects.length < MAX_OBJECTS_PER_REFERENCE) entry.objects.push(label);
      else entry.truncated++;
    }, { sourceMentions: this.mentions });
  }

  /** Sorted by type then id; each reference's objects sorted. */
  references(): UntranslatedReference[] {
    return [...this.entries.values()]
      .sort((a, b) => compare(a.type, b.type) || compare(a.id, b.id))
      .map(({ type, id, objects, truncated }) => ({ type, id, objects: [...objects].sort(compare), ...(truncated > 0 && { objectsTruncated: truncated }) }));
  }

  /**
   * An ARN or ECR image (account or region known) points at the source when its account is the source's
   * and the accounts differ, or its region is the source's and the regions differ. A generated ID without
   * either points at the source whenever the restore crosses account or region. Public and other
   * external images, S3 buckets (global names) and identifierMap replacements never do.
   */
  private pointsAtSource(sighting: DependencySighting): boolean {
    if (sighting.type === 'external-image' || this.mapped.has(sighting.id) || (sighting.arn !== undefined && this.mapped.has(sighting.arn))) return false;
    // Values naming the source's place (sourceMentions.ts): only where the restore leaves that place.
    if (sighting.type === 'region' || sighting.type === 'availability-zone') return this.crossRegion;
    if (sighting.type === 'account-id') return this.crossAccount;
    if (sighting.type === 'cluster-name') return this.clusterRenamed;
    if (sighting.account !== undefined || (sighting.region !== undefined && sighting.id.startsWith('arn:'))) {
      return (this.crossAccount && sighting.account === this.source.account) || (this.crossRegion && sighting.region === this.source.region);
    }
    if (!this.crossAccount && !this.crossRegion) return false;
    // A generated id without account or region (GENERATED_DEPENDENCY_TYPES) belongs to the source unless
    // identifierMap replaced it. (A KMS key given by alias is a name, not listed.)
    return GENERATED_DEPENDENCY_TYPES.has(sighting.type) && !sighting.id.startsWith('alias/');
  }
}

/**
 * A Secret without `data` and `stringData`: their values are never read by translation, so they are not
 * reported either (a report must not carry secret values).
 */
function withoutSecretValues(object: Record<string, unknown>): Record<string, unknown> {
  if (object['kind'] !== 'Secret') return object;
  const { data: _data, stringData: _stringData, ...rest } = object;
  return rest;
}

/** `<kind>/<namespace>/<name>`, or `<kind>/<name>` for cluster-scoped objects. */
function labelOf(object: Record<string, unknown>): string {
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = metadata['namespace'];
  return typeof namespace === 'string' && namespace !== '' ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
