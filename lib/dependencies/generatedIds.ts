/**
 * Identifiers AWS generates, found wherever they are written (a custom resource's field, an annotation, a
 * config value): `<prefix>-` and 8 or 17 lowercase hex digits, as a whole token. Inside custom resources
 * (Karpenter EC2NodeClass selector terms, IngressClassParams subnets, ...) these are the references the
 * field-by-field recognizers never knew (issue 24). A KMS key given by bare id is a UUID or `mrk-...`,
 * which only means a key in a field named for one (`kmsKeyID`, `kmsKeyId`, `kms_key_id`).
 */
import type { AwsDependencyType, KnownDependencyType } from './types';

/** The prefix of each generated id, and the dependency type it names. */
export const GENERATED_ID_TYPES: ReadonlyMap<string, KnownDependencyType> = new Map<string, KnownDependencyType>([
  ['subnet', 'ec2-subnet'],
  ['sg', 'ec2-security-group'],
  ['vol', 'ebs-volume'],
  ['snap', 'ebs-snapshot'],
  ['fs', 'efs-file-system'],
  ['fsap', 'efs-access-point'],
  ['eipalloc', 'ec2-elastic-ip'],
  ['ami', 'ec2-ami'],
  ['eni', 'ec2-network-interface'],
  ['igw', 'ec2-internet-gateway'],
  ['vpc', 'ec2-vpc'],
  ['nat', 'ec2-nat-gateway'],
  ['rtb', 'ec2-route-table'],
  ['vpce', 'ec2-vpc-endpoint'],
  ['tgw', 'ec2-transit-gateway'],
  ['lt', 'ec2-launch-template'],
  ['pl', 'ec2-prefix-list'],
  // Karpenter EC2NodeClass capacityReservationSelectorTerms[].id and placementGroupSelector.id.
  ['cr', 'ec2-capacity-reservation'],
  ['pg', 'ec2-placement-group'],
]);

/**
 * Every dependency type whose id AWS generated and which carries neither account nor region: the prefixed
 * ids, KMS keys and WAF Classic ACLs by bare id, S3 Files file systems and access points of `s3files:`
 * handles. One list, for whoever needs to know that such an id belongs to where it was created.
 */
export const GENERATED_DEPENDENCY_TYPES: ReadonlySet<AwsDependencyType> = new Set<AwsDependencyType>([
  ...GENERATED_ID_TYPES.values(), 'kms-key', 'waf-regional-web-acl', 's3files-file-system', 's3files-access-point',
]);

const PREFIXES = [...GENERATED_ID_TYPES.keys()].sort((a, b) => b.length - a.length).join('|');

/**
 * One generated id as a whole token: not inside a longer word (`mysubnet-...`), nor followed by more of
 * one (`subnet-0123456789abcdef0x`, `...-more`). Exported as source for mayReferenceAws's marker.
 */
export const GENERATED_ID_SOURCE = `(?<![A-Za-z0-9_-])(?:${PREFIXES})-(?:[0-9a-f]{17}|[0-9a-f]{8})(?![A-Za-z0-9_-])`;
const GENERATED_ID = new RegExp(GENERATED_ID_SOURCE, 'g');
const ANY_GENERATED_ID = new RegExp(GENERATED_ID_SOURCE);

/** A generated id found in a text, with where it starts. */
export interface LocatedId {
  index: number;
  id: string;
  type: KnownDependencyType;
}

/** Every generated id in `text`, in order. */
export function locateGeneratedIds(text: string): LocatedId[] {
  if (!ANY_GENERATED_ID.test(text)) return [];
  const found: LocatedId[] = [];
  for (const match of text.matchAll(GENERATED_ID)) {
    const id = match[0];
    const type = GENERATED_ID_TYPES.get(id.slice(0, id.lastIndexOf('-')));
    if (type) found.push({ index: match.index ?? 0, id, type });
  }
  return found;
}

/**
 * A field whose value is a KMS key, as the projects that have one spell it: `kmsKeyID` (Karpenter),
 * `kmsKeyId` (EBS CSI, Crossplane), `KmsKeyId` (CloudFormation-shaped), `kms_key_id`, `KMS_KEY_ID`, `kms-key-id`.
 */
export const KMS_KEY_FIELD = /^(?:[kK]msKeyI[dD]|KMSKeyI[dD]|kms_key_id|KMS_KEY_ID|kms-key-id)$/;
/**
 * mayReferenceAws's markers, as a regular expression source: a dash and 8 or 17 hex digits not followed by
 * another (every generated id has one; a UUID's 12-digit last group does not match, so an object's `uid`
 * does not make it a candidate), and a piece of every KMS_KEY_FIELD spelling. A dash-led pattern costs the
 * byte scan about half again; the exact id pattern with its look-behind cost four times (issue 24).
 */
export const MARKER_SOURCE = '-[0-9a-f]{8}(?:[0-9a-f]{9})?(?![0-9a-f])|msKeyI|MSKeyI|ms_key_id|MS_KEY_ID|ms-key-id';
/** A KMS key's bare id (a UUID, or a multi-Region key's `mrk-` id). Aliases are names, not generated ids. */
export const KMS_KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
