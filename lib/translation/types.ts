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
  /**
   * The backed-up cluster's name (the recovery point's manifest) and the recovery cluster's: where they
   * differ, the source's name becomes the recovery cluster's in the fields controllers read it from
   * (Karpenter's `karpenter.sh/discovery` tags, `--cluster-name=`, `CLUSTER_NAME`, `clusterName`).
   * @default undefined (no cluster name is rewritten)
   */
  sourceClusterName?: string;
  targetClusterName?: string;
  /**
   * Source availability zone -> recovery zone (`{"us-east-1a": "us-west-2a"}`), applied to zone fields
   * (topology label values: PV node affinity, StorageClass allowedTopologies, selectors; in-tree EBS volume
   * IDs), and in `everywhere` mode to every zone token. Keys must be zones of the source region, values
   * zones of the recovery region. Nothing is guessed: a zone without an entry stays and is reported.
   * @default {}
   */
  zoneMap?: Record<string, string>;
  /**
   * Region -> region, applied to region names as whole tokens in known fields (or every value in
   * `everywhere` mode), never inside ARNs or ECR hosts. Region fields controllers read (External Secrets,
   * AWS_REGION, `--aws-region=`, topology region labels) follow the recovery region without it; an entry for
   * the source region decides where they go instead.
   * @default {}
   */
  regionMap?: Record<string, string>;
}

/**
 * `arn`: a source-account ARN of a customer-named resource given the target's account and region;
 * `image`: an ECR image of the source account moved to the target's registry; `identifier`: an
 * identifierMap entry replaced; `region`: a region field or a regionMap entry; `zone`: a zoneMap entry;
 * `cluster-name`: the source cluster's name replaced by the recovery cluster's.
 */
export type RewriteKind = 'arn' | 'image' | 'identifier' | 'region' | 'zone' | 'cluster-name';

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
  regions: number;
  zones: number;
  clusterNames: number;
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
