/** What a read-only lookup says about one AWS resource in the recovery account (DESIGN.md section 11). */
export type LookupState = 'present' | 'missing' | 'not-checkable';

/** The AWS resource types the lookups know how to check. */
export type LookupType =
  | 'iam-role' | 'ecr-repository' | 'ecr-image' | 'kms-key' | 'acm-certificate' | 'efs-file-system' | 'efs-access-point'
  | 'ebs-volume' | 'ebs-snapshot' | 'ec2-security-group' | 'ec2-subnet' | 'sns-topic' | 'sqs-queue';

/** One resource to look up, named as the recovery side would use it (after translation). */
export interface LookupTarget {
  type: LookupType;
  /** ARN, resource id, KMS key id/alias, or for ECR the image reference. */
  id: string;
  /** Where to look: the ARN's or image's region, else the recovery region. */
  region: string;
  /** ECR only: the registry (account), repository and the tag or digest the workloads pull. */
  image?: { registryId: string; repository: string; tag?: string; digest?: string };
}

export interface LookupResult {
  state: LookupState;
  /** Why missing or not checkable, in words (AWS's error code included); absent when present. */
  detail?: string;
  /** Not checkable because the delegate may not make the call (as opposed to the call failing). */
  accessDenied?: boolean;
}
