/** Types of the restore's translation of AWS identifiers (DESIGN.md section 8, "Translation"; issue 13). */

/**
 * - `known-fields`: only the places an EKS workload keeps AWS identifiers (see knownFields.ts).
 * - `everywhere`: every string value of every object (never keys, never Secret `data`/`stringData`).
 * - `off`: nothing is rewritten.
 */
export type TranslationMode = 'known-fields' | 'everywhere' | 'off';

/** Where a cluster lives. */
export interface AwsLocation {
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  partition: string;
  /** 12-digit account ID. */
  account: string;
  region: string;
}

export interface TranslatorOptions {
  /** The backed-up cluster's location (from the recovery point's manifest). */
  source: AwsLocation;
  /** The recovery cluster's location (from the caller's identity and DescribeCluster). */
  target: AwsLocation;
  /**
   * Exact string -> replacement, for identifiers AWS generates (ACM certificate ARNs, EBS volume IDs, EFS
   * file system and access point IDs, security groups, subnets, WAF ACLs, KMS keys, Secrets Manager
   * ARNs). An entry wins over the account/region rewrite of the same ARN. Applies even when source and
   * target are the same location.
   * @default {}
   */
  identifierMap?: Record<string, string>;
  /** @default 'known-fields' */
  mode?: TranslationMode;
}

/**
 * `arn`: a source-account ARN of a customer-named resource given the target's account and region;
 * `image`: an ECR image of the source account moved to the target's registry; `identifier`: an
 * identifierMap entry replaced.
 */
export type RewriteKind = 'arn' | 'image' | 'identifier';

/** One rewrite in one object. */
export interface Rewrite {
  /**
   * Where, in lib/dependencies' JSON path notation (`spec.template.spec.containers[0].image`,
   * `metadata.annotations["eks.amazonaws.com/role-arn"]`, `data.mapRoles[0].rolearn`).
   */
  path: string;
  /** The reference replaced (the ARN, image or identifier), not the whole field when it holds several. */
  from: string;
  to: string;
  kind: RewriteKind;
}

/** Rewrite counts as the restore response reports them (`translations`). */
export interface RewriteCounts {
  arns: number;
  images: number;
  identifiers: number;
}

/** An AWS reference still pointing at the source account or region after translation. */
export interface UntranslatedReference {
  /** The dependency type (lib/dependencies' AwsDependencyType): `iam-role`, `ebs-volume`, `arn:sqs`... */
  type: string;
  /** The dependency id (an ARN, a resource ID, an ECR repository ARN). */
  id: string;
  /**
   * The objects that hold it, `<kind>/<namespace>/<name>` or `<kind>/<name>`, sorted; at most
   * MAX_OBJECTS_PER_REFERENCE (the first ones observed).
   */
  objects: string[];
  /** How many further objects hold it but are not listed; absent when none. */
  objectsTruncated?: number;
}
