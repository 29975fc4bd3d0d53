/**
 * Types of the AWS dependencies a recovery point records (issue 5).
 *
 * Identity rules, so that the same resource seen in two places is one entry:
 * - `ecr-repository`: id = the repository ARN (`arn:<partition>:ecr:<region>:<account>:repository/<name>`),
 *   built from the image's registry host; the image references seen are kept on each reference.
 * - `external-image`: id = the normalized repository without tag or digest (`docker.io/library/nginx`,
 *   `public.ecr.aws/eks/aws-load-balancer-controller`); the full reference is kept on each reference.
 * - EC2 and EFS resources (`ebs-volume`, `ebs-snapshot`, `efs-file-system`, `efs-access-point`,
 *   `ec2-security-group`, `ec2-subnet`, `ec2-elastic-ip`, `ec2-ami`, `ec2-vpc`, ... see generatedIds.ts):
 *   id = the resource ID (`vol-...`, `fs-...`), which is how Kubernetes names them; `arn` is filled when an
 *   ARN for it was seen.
 * - `region`, `availability-zone`, `account-id`, `cluster-name` (restore only): id = the value named.
 * - Everything else: id = the ARN (or, for a KMS key or WAF Classic ACL given by bare ID, that ID).
 */

/** The closed set of dependency types recognised by name. */
export type KnownDependencyType =
  | 'ecr-repository'
  | 'external-image'
  | 'iam-role'
  | 'ebs-volume'
  | 'ebs-snapshot'
  | 'efs-file-system'
  | 'efs-access-point'
  // The EFS CSI driver's `s3files:` handles (Amazon S3 Files file systems and their access points).
  | 's3files-file-system'
  | 's3files-access-point'
  | 'kms-key'
  | 'acm-certificate'
  | 'wafv2-web-acl'
  | 'waf-regional-web-acl'
  | 'ec2-security-group'
  | 'ec2-subnet'
  | 'ec2-elastic-ip'
  | 'ec2-ami'
  | 'ec2-network-interface'
  | 'ec2-internet-gateway'
  | 'ec2-vpc'
  | 'ec2-nat-gateway'
  | 'ec2-route-table'
  | 'ec2-vpc-endpoint'
  | 'ec2-transit-gateway'
  | 'ec2-launch-template'
  | 'ec2-prefix-list'
  | 'ec2-capacity-reservation'
  | 'ec2-placement-group'
  | 's3-bucket'
  // Restore only (sourceMentions.ts): values naming the source cluster's region, zone, account or name.
  | 'region'
  | 'availability-zone'
  | 'account-id'
  | 'cluster-name';

/**
 * A known type, or `arn:<service>` for any other well-formed ARN, typed by its service
 * (`arn:sns`, `arn:sqs`, `arn:secretsmanager`, `arn:iam` for IAM users and policies, ...).
 */
export type AwsDependencyType = KnownDependencyType | `arn:${string}`;

/**
 * One place in one backed-up object that points at the dependency. For an EKS Pod Identity
 * association (not a Kubernetes object): apiVersion `eks.amazonaws.com`, kind `PodIdentityAssociation`,
 * the namespace and service account it binds as namespace and name, path `roleArn` or `targetRoleArn`.
 */
export interface DependencyReference {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  /**
   * Where in the object: dotted keys and `[index]`, keys that are not plain identifiers quoted as
   * JSON strings, e.g. `spec.template.spec.containers[0].image` or
   * `metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]`.
   */
  path: string;
  /** For images: the image reference as written (with tag or digest), since the id drops them. */
  image?: string;
}

/** One AWS resource the backed-up configuration depends on. */
export interface AwsDependency {
  type: AwsDependencyType;
  /** The ARN when the resource is identified by one, else its ID or repository (see the file comment). */
  id: string;
  arn?: string;
  /** 12-digit account ID, when known. */
  account?: string;
  region?: string;
  /** Present (true) only when the account is known and differs from the cluster's. */
  crossAccount?: boolean;
  /** Present (true) only when the region is known and differs from the cluster's. */
  crossRegion?: boolean;
  /** The referencing objects, sorted, at most `maxReferencesPerDependency` of them. */
  references: DependencyReference[];
  /** How many further references were seen but not kept; absent when none. */
  referencesTruncated?: number;
}

/** An EKS Pod Identity association, as DescribePodIdentityAssociation returns it. */
export interface PodIdentityAssociation {
  associationId: string;
  associationArn?: string;
  namespace: string;
  serviceAccount: string;
  /** The role the pods' credentials come from (in the cluster's account). */
  roleArn?: string;
  /** The role assumed from `roleArn` for cross-account access (newer API field), when set. */
  targetRoleArn?: string;
}

/** What a recognizer reports before the collector merges it into a dependency (internal). */
export interface DependencySighting {
  type: AwsDependencyType;
  id: string;
  arn?: string;
  account?: string;
  region?: string;
  image?: string;
}
