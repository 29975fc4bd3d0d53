/**
 * Volumes and keys in storage objects: CSI volume handles of the EBS and EFS drivers, in-tree
 * awsElasticBlockStore volume IDs, StorageClass parameters, and EBS snapshot handles.
 * Formats: aws-ebs-csi-driver docs/parameters.md; aws-efs-csi-driver pkg/driver/node.go parseVolumeId (the
 * volumeHandle is `[<type>:]<fs-id>[:<path>[:<fsap-id>]]`, type `efs` or `s3files`, path and access point
 * optional and possibly empty: `fs-id`, `fs-id::`, `fs-id:/path`, `fs-id::fsap-id`, `efs:fs-id::fsap-id` as
 * its dynamic provisioning writes them, `s3files:fs-id:/path:fsap-id`); Kubernetes in-tree AWS volume IDs
 * (`aws://<zone>/vol-id`).
 */
import { classifyArn, parseArn, regionOfZone, RESOURCE_ID_PATTERNS } from './arns';
import type { DependencySighting, KnownDependencyType } from './types';

export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';
export const EFS_CSI_DRIVER = 'efs.csi.aws.com';
const IN_TREE_EBS_PROVISIONER = 'kubernetes.io/aws-ebs';
const KMS_KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias\/[A-Za-z0-9/_-]+)$/;
/** The file system types an EFS CSI handle may start with, and what their ids name. */
const EFS_HANDLE_TYPES: ReadonlyMap<string, { fileSystem: KnownDependencyType; accessPoint: KnownDependencyType }> = new Map([
  ['efs', { fileSystem: 'efs-file-system', accessPoint: 'efs-access-point' }],
  ['s3files', { fileSystem: 's3files-file-system', accessPoint: 's3files-access-point' }],
] as const);

/** The volumes a CSI `volumeHandle` names, for the EBS and EFS drivers; empty for other drivers. */
export function recognizeCsiVolumeHandle(driver: string, handle: string, region: string | undefined): DependencySighting[] {
  const value = handle.trim();
  if (driver === EBS_CSI_DRIVER) {
    return RESOURCE_ID_PATTERNS.volume.test(value) ? [withRegion({ type: 'ebs-volume', id: value }, region)] : [];
  }
  if (driver === EFS_CSI_DRIVER) {
    // Read as the driver reads it: split on colons, an optional type first (an `efs:` handle's access
    // point was missed before, issue 24).
    const fields = value.split(':');
    const types = EFS_HANDLE_TYPES.get(fields[0] ?? '');
    if (types) fields.shift();
    const { fileSystem: fileSystemType, accessPoint: accessPointType } = types ?? EFS_HANDLE_TYPES.get('efs')!;
    const [fileSystem = '', , accessPoint = ''] = fields;
    if (fields.length > 3 || !RESOURCE_ID_PATTERNS.fileSystem.test(fileSystem)) return [];
    const found: DependencySighting[] = [withRegion({ type: fileSystemType, id: fileSystem }, region)];
    if (RESOURCE_ID_PATTERNS.accessPoint.test(accessPoint)) found.push(withRegion({ type: accessPointType, id: accessPoint }, region));
    return found;
  }
  return [];
}

/** An in-tree `awsElasticBlockStore.volumeID`: `vol-...`, `aws:///vol-...` or `aws://us-east-1a/vol-...`. */
export function recognizeInTreeEbsVolumeId(volumeId: string): DependencySighting[] {
  const match = /^(?:aws:\/\/([^/]*)\/)?(vol-[0-9a-f]+)$/.exec(volumeId.trim());
  if (!match) return [];
  const [, zone, id = ''] = match;
  if (!RESOURCE_ID_PATTERNS.volume.test(id)) return [];
  return [withRegion({ type: 'ebs-volume', id }, zone ? regionOfZone(zone) : undefined)];
}

/** An EBS snapshot handle (VolumeSnapshotContent of the EBS CSI driver). */
export function recognizeEbsSnapshotHandle(handle: string): DependencySighting[] {
  const value = handle.trim();
  return RESOURCE_ID_PATTERNS.snapshot.test(value) ? [{ type: 'ebs-snapshot', id: value }] : [];
}

/**
 * One StorageClass parameter: the KMS key EBS volumes are encrypted with, or the EFS file system
 * dynamic provisioning creates access points in.
 */
export function recognizeStorageClassParameter(provisioner: string, key: string, value: string): DependencySighting[] {
  const trimmed = value.trim();
  if ((provisioner === EBS_CSI_DRIVER || provisioner === IN_TREE_EBS_PROVISIONER) && key.toLowerCase() === 'kmskeyid') {
    const arn = parseArn(trimmed);
    const classified = arn ? classifyArn(arn) : undefined;
    if (arn && classified?.type === 'kms-key') {
      return [{ type: 'kms-key', id: classified.id, arn: arn.arn, account: arn.account, region: arn.region }];
    }
    return KMS_KEY_ID.test(trimmed) ? [{ type: 'kms-key', id: trimmed }] : [];
  }
  if (provisioner === EFS_CSI_DRIVER && key === 'fileSystemId') {
    return RESOURCE_ID_PATTERNS.fileSystem.test(trimmed) ? [{ type: 'efs-file-system', id: trimmed }] : [];
  }
  return [];
}

/**
 * The region a PersistentVolume's node affinity pins it to (EBS volumes live in one zone); undefined
 * when it has none.
 */
export function regionOfPersistentVolume(spec: unknown): string | undefined {
  const terms = dig(spec, 'nodeAffinity', 'required', 'nodeSelectorTerms');
  if (!Array.isArray(terms)) return undefined;
  for (const term of terms) {
    const expressions = dig(term, 'matchExpressions');
    if (!Array.isArray(expressions)) continue;
    for (const expression of expressions) {
      const key = dig(expression, 'key');
      const values = dig(expression, 'values');
      if (typeof key !== 'string' || !/(^|\/)zone$/.test(key) || !Array.isArray(values)) continue;
      const zone: unknown = values[0];
      if (typeof zone === 'string') return regionOfZone(zone);
    }
  }
  return undefined;
}

function withRegion(sighting: DependencySighting, region: string | undefined): DependencySighting {
  return region ? { ...sighting, region } : sighting;
}

/** Reads a nested property of parsed JSON without trusting its shape. */
export function dig(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
