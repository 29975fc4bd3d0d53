/**
 * The walk that finds AWS references in one object, separated from what is done with them: the backup's
 * DependencyCollector records each sighting, the restore's translation (lib/translation) rewrites the
 * value at the sighting's path. One notion of "an AWS reference", used at backup and at restore (issue 13).
 */
import { classifyArn, locateArns, type LocatedArn } from './arns';
import { KMS_KEY_FIELD, KMS_KEY_ID, locateGeneratedIds } from './generatedIds';
import { isAwsAuthConfigMap, parseMapRoles } from './awsAuth';
import { mightBeEcrImage, parseImageReference, type EcrImage } from './imageReference';
import { child, pathOf, type PathNode } from './jsonPath';
import { recognizeLoadBalancerAnnotation } from './loadBalancerAnnotations';
import { locateSourceMentions, namesKubernetesObject, type SourceMentionPatterns } from './sourceMentions';
import type { DependencySighting } from './types';
import {
  dig,
  EBS_CSI_DRIVER,
  recognizeCsiVolumeHandle,
  recognizeEbsSnapshotHandle,
  recognizeInTreeEbsVolumeId,
  recognizeStorageClassParameter,
  regionOfPersistentVolume,
} from './volumes';

/** Nesting deeper than this is not walked (real objects are far shallower; this bounds hostile ones). */
export const MAX_WALK_DEPTH = 128;

/** Receives each reference found and where: the node renders as the JSON path (jsonPath.renderPath). */
export type SightingSink = (sighting: DependencySighting, node: PathNode | undefined) => void;

/** The container lists of a pod spec; their items' `image` is an image reference. */
export const CONTAINER_LISTS: ReadonlySet<string | number> = new Set(['containers', 'initContainers', 'ephemeralContainers']);
/** A copy of an earlier version of the object: scanning it would report stale and duplicate references. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/**
 * `metadata.managedFields` records which manager owns which field (keys and empty objects, manager names,
 * times), never configuration, and is often half of an object: not walked (issue 8).
 */
export const MANAGED_FIELDS = 'managedFields';

/** What a restore adds to the scan (a backup passes nothing). */
export interface ScanOptions {
  /**
   * Report values naming the source cluster's region, zones, account or name (sourceMentions.ts).
   * @default undefined (not reported: a backup has no source to compare with)
   */
  sourceMentions?: SourceMentionPatterns;
}

/** State of one scan. */
interface Scan {
  sink: SightingSink;
  sourceMentions: SourceMentionPatterns | undefined;
  /** A CustomResourceDefinition: its spec is a schema and its documentation, never a reference (issue 24). */
  isSchema: boolean;
  /**
   * The string being visited is a CSI `volumeHandle`: the driver's recognizer (volumes.ts) reads it, and a
   * handle of another driver (FSx's `fs-...`) is not an EFS file system however it looks.
   */
  inVolumeHandle: boolean;
  clusterRegion: string | undefined;
  /** Region a PersistentVolume's node affinity pins its volume to. */
  volumeRegion: string | undefined;
  /** aws-auth's mapRoles was parsed: its ARNs are sighted per list item, not again for the whole text. */
  mapRolesParsed: boolean;
}

/**
 * Hands every AWS reference of one object (which has kind and metadata) to `sink`, in walk order. A place
 * can be reported more than once (by two recognizers); the sink deduplicates if it needs to.
 * `clusterRegion` picks the partition of S3 bucket ARNs built from bucket names.
 */
export function scanObject(obj: Record<string, unknown>, clusterRegion: string | undefined, sink: SightingSink, options: ScanOptions = {}): void {
  const scan: Scan = {
    sink, clusterRegion, volumeRegion: undefined, mapRolesParsed: false, sourceMentions: options.sourceMentions,
    isSchema: isCustomResourceDefinition(obj), inVolumeHandle: false,
  };
  scanWholeObject(obj, scan);
  walk(obj, scan);
}

/** Hands every well-formed, customer-owned ARN inside `text` to `sink`, at `node`. */
export function sightArnsIn(text: string, node: PathNode | undefined, sink: SightingSink): void {
  sightLocatedArns(locateArns(text), node, sink);
}

function sightLocatedArns(located: readonly LocatedArn[], node: PathNode | undefined, sink: SightingSink): void {
  for (const { arn: parsed } of located) {
    const classified = classifyArn(parsed);
    if (!classified) continue;
    sink(
      {
        type: classified.type,
        id: classified.id,
        arn: classified.id.startsWith('arn:') ? classified.id : parsed.arn,
        account: parsed.account || undefined,
        region: parsed.region || undefined,
      },
      node,
    );
  }
}

/** A string in `...containers[i].image` (also init and ephemeral containers), wherever the pod spec sits. */
export function isContainerImage(node: PathNode | undefined): boolean {
  return node?.key === 'image' && typeof node.parent?.key === 'number' && CONTAINER_LISTS.has(node.parent.parent?.key ?? '');
}

/** Recognizers that need several fields of the object at once (kind, namespace, sibling fields). */
function scanWholeObject(obj: Record<string, unknown>, scan: Scan): void {
  const { sink } = scan;
  const kind = obj['kind'];
  if (kind === 'PersistentVolume') scan.volumeRegion = regionOfPersistentVolume(obj['spec']);
  if (kind === 'StorageClass') {
    const provisioner = obj['provisioner'];
    const parameters = obj['parameters'];
    if (typeof provisioner === 'string' && isRecord(parameters)) {
      for (const [key, value] of Object.entries(parameters)) {
        if (typeof value !== 'string') continue;
        const found = recognizeStorageClassParameter(provisioner, key, value);
        for (const sighting of found) sink(sighting, pathOf('parameters', key));
      }
    }
  }
  if (kind === 'VolumeSnapshotContent' && dig(obj, 'spec', 'driver') === EBS_CSI_DRIVER) {
    const volume = dig(obj, 'spec', 'source', 'volumeHandle');
    if (typeof volume === 'string') {
      for (const s of recognizeCsiVolumeHandle(EBS_CSI_DRIVER, volume, undefined)) sink(s, pathOf('spec', 'source', 'volumeHandle'));
    }
    for (const keys of [['spec', 'source', 'snapshotHandle'], ['status', 'snapshotHandle']]) {
      const handle = dig(obj, ...keys);
      if (typeof handle === 'string') for (const s of recognizeEbsSnapshotHandle(handle)) sink(s, pathOf(...keys));
    }
  }
  const name = dig(obj, 'metadata', 'name');
  const namespace = dig(obj, 'metadata', 'namespace');
  if (isAwsAuthConfigMap(kind, typeof namespace === 'string' ? namespace : undefined, typeof name === 'string' ? name : '')) {
    const mapRoles = dig(obj, 'data', 'mapRoles');
    const roles = typeof mapRoles === 'string' ? parseMapRoles(mapRoles) : undefined;
    if (roles) {
      scan.mapRolesParsed = true;
      for (const { index, roleArn } of roles) sightArnsIn(roleArn, pathOf('data', 'mapRoles', index, 'rolearn'), sink);
    }
  }
}

/**
 * Visits every value of the object once, depth first, in key order (keeps reference order stable).
 * Recursive (depth is bounded by MAX_WALK_DEPTH): an explicit stack cost a frame object per value, and
 * numbers, booleans and nulls, which hold no reference, got a path node too (issue 16).
 */
function walk(root: Record<string, unknown>, scan: Scan): void {
  visitRecord(root, undefined, 0, scan);
}

/** The value at `key` of a container at depth `depth - 1`. */
function visitChild(value: unknown, parent: PathNode | undefined, key: string | number, depth: number, scan: Scan): void {
  if (typeof value === 'string') {
    scanString(value, child(parent, key), scan);
  } else if (typeof value === 'object' && value !== null && depth < MAX_WALK_DEPTH) {
    if (Array.isArray(value)) {
      const node = child(parent, key);
      for (let i = 0; i < value.length; i++) visitChild(value[i], node, i, depth + 1, scan);
    } else {
      visitRecord(value as Record<string, unknown>, child(parent, key), depth, scan);
    }
  }
}

function visitRecord(value: Record<string, unknown>, node: PathNode | undefined, depth: number, scan: Scan): void {
  scanRecord(value, node, scan);
  const isObjectMetadata = depth === 1 && node?.key === 'metadata';
  const isSchemaRoot = depth === 0 && scan.isSchema;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (isObjectMetadata && key === MANAGED_FIELDS) continue;
    if (isSchemaRoot && key === 'spec') continue;
    if (key === 'volumeHandle' && typeof value['driver'] === 'string') {
      scan.inVolumeHandle = true;
      visitChild(value[key], node, key, depth + 1, scan);
      scan.inVolumeHandle = false;
      continue;
    }
    visitChild(value[key], node, key, depth + 1, scan);
  }
}

/** Recognizers keyed on an object's own fields: CSI volumes, in-tree EBS volumes, annotations. */
function scanRecord(value: Record<string, unknown>, node: PathNode | undefined, scan: Scan): void {
  const { sink } = scan;
  if (scan.sourceMentions) sightClusterNameKeys(value, node, scan.sourceMentions, sink);
  const { driver, volumeHandle } = value;
  if (typeof driver === 'string' && typeof volumeHandle === 'string') {
    for (const s of recognizeCsiVolumeHandle(driver, volumeHandle, scan.volumeRegion)) sink(s, child(node, 'volumeHandle'));
  }
  if (node?.key === 'awsElasticBlockStore' && typeof value['volumeID'] === 'string') {
    for (const s of recognizeInTreeEbsVolumeId(value['volumeID'])) sink(s, child(node, 'volumeID'));
  }
  if (node?.key === 'annotations' && node.parent?.key === 'metadata') {
    for (const [key, annotation] of Object.entries(value)) {
      if (typeof annotation !== 'string') continue;
      for (const s of recognizeLoadBalancerAnnotation(key, annotation, scan.clusterRegion)) sink(s, child(node, key));
    }
  }
}

function scanString(value: string, node: PathNode | undefined, scan: Scan): void {
  if (node?.key === LAST_APPLIED && node.parent?.key === 'annotations') return;
  if (scan.mapRolesParsed && node?.key === 'mapRoles' && node.parent?.key === 'data' && node.parent.parent === undefined) return;
  let ecrImage = false;
  if (isContainerImage(node)) {
    const image = parseImageReference(value);
    if (image?.kind === 'ecr') sinkEcrImage(image, value, node, scan.sink);
    else if (image) scan.sink({ type: 'external-image', id: image.repository, image: value.trim() }, node);
    ecrImage = image?.kind === 'ecr';
  } else if (mightBeEcrImage(value)) {
    // An ECR image named outside a pod spec (an operator's `spec.image`, a config value).
    const image = parseImageReference(value);
    if (image?.kind === 'ecr') sinkEcrImage(image, value, node, scan.sink);
    ecrImage = image?.kind === 'ecr';
  }
  const arns = locateArns(value);
  sightLocatedArns(arns, node, scan.sink);
  if (typeof node?.key === 'string' && KMS_KEY_FIELD.test(node.key) && KMS_KEY_ID.test(value.trim())) {
    scan.sink({ type: 'kms-key', id: value.trim() }, node);
  }
  // An ARN is one reference: the ids, region and account inside it are not sighted again.
  const outsideArns = arns.length === 0 ? value : blankOut(value, arns);
  if (!scan.inVolumeHandle) for (const { id, type } of locateGeneratedIds(outsideArns)) scan.sink({ type, id }, node);
  // The registry host of an ECR image names its account and region: the image is the reference.
  if (scan.sourceMentions && !ecrImage && !isObjectIdentity(node)) {
    const mentions = locateSourceMentions(outsideArns, scan.sourceMentions, { clusterName: !namesKubernetesObject(node?.key) });
    for (const { type, value: mentioned } of mentions) scan.sink({ type, id: mentioned }, node);
  }
}

/**
 * The source cluster's name inside a map key: the `kubernetes.io/cluster/<name>` tag that subnet and security
 * group selectors (Karpenter, IngressClassParams) match on. Keys are never rewritten, so it is listed.
 */
function sightClusterNameKeys(value: Record<string, unknown>, node: PathNode | undefined, patterns: SourceMentionPatterns, sink: SightingSink): void {
  const name = patterns.facts.clusterName;
  if (name === '') return;
  for (const key in value) {
    if (!key.includes(name)) continue;
    for (const mention of locateSourceMentions(key, patterns)) {
      if (mention.type === 'cluster-name') sink({ type: 'cluster-name', id: mention.value }, child(node, key));
    }
  }
}

/** `text` with each ARN replaced by spaces (positions kept). */
function blankOut(text: string, arns: readonly LocatedArn[]): string {
  let result = '';
  let position = 0;
  for (const { index, arn } of arns) {
    result += text.slice(position, index) + ' '.repeat(arn.arn.length);
    position = index + arn.arn.length;
  }
  return result + text.slice(position);
}

/** The object's own name and namespace say what it is, not what it points at. */
function isObjectIdentity(node: PathNode | undefined): boolean {
  return node?.parent?.key === 'metadata' && node.parent.parent === undefined && (node.key === 'name' || node.key === 'namespace' || node.key === 'generateName');
}

/** Any version of apiextensions.k8s.io's CustomResourceDefinition. */
function isCustomResourceDefinition(obj: Record<string, unknown>): boolean {
  const apiVersion = obj['apiVersion'];
  return obj['kind'] === 'CustomResourceDefinition' && typeof apiVersion === 'string' && apiVersion.startsWith('apiextensions.k8s.io/');
}

function sinkEcrImage(image: EcrImage, value: string, node: PathNode | undefined, sink: SightingSink): void {
  sink({ type: 'ecr-repository', id: image.arn, arn: image.arn, account: image.account, region: image.region, image: value.trim() }, node);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
