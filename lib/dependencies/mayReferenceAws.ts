import { MARKER_SOURCE } from './generatedIds';

/**
 * A cheap pre-filter for DependencyCollector.observeJson: most objects of a cluster (secrets, services,
 * config maps without ARNs, custom resources) name no AWS resource, and searching their bytes for a few
 * markers is far cheaper than parsing and walking them (issue 8). Every recognizer of this folder needs
 * at least one of these markers in the object's JSON text; when none is present, no walk can find a
 * dependency. A new recognizer must add its marker here (tests/unit/dependencies checks every fixture).
 */
const MARKERS: readonly string[] = [
  // Every ARN: findArns accepts only the AWS partitions (aws, aws-cn, aws-us-gov, aws-iso*, aws-eusc), which
  // all begin with `aws`; also aws-auth's mapRoles, the EBS and EFS CSI drivers (`*.csi.aws.com`: volume
  // handles, snapshot contents, storage class provisioners), `kubernetes.io/aws-ebs`, `awsElasticBlockStore`,
  // the `service.beta.kubernetes.io/aws-load-balancer-*` annotations and most ECR hosts.
  'aws',
  // Container images, ECR or not (the `image` key of a container).
  '"image"',
  // ECR images named outside a pod spec whose host has no `aws` in it (mightBeEcrImage: `.dkr.ecr`,
  // `.dkr-ecr`; the ISO partitions, China's dual-stack amazonwebservices.com.cn).
  '.dkr',
  // The AWS Load Balancer Controller's ingress annotations (security groups, subnets, WAF, access logs).
  'alb.ingress.kubernetes.io/',
];

/**
 * Markers that are patterns, not words (generatedIds.ts): a generated id (`subnet-0123456789abcdef0` in a
 * Karpenter EC2NodeClass) and a KMS key-id field (`"kmsKeyID"`) whose bare UUID value names a key.
 * Precise enough that the many objects with `fs-` or `sg-` in a word, or only a UUID, are still skipped.
 */
const PATTERN_MARKERS: readonly string[] = [MARKER_SOURCE];

/**
 * A JSON escape can spell any marker in a way a byte search cannot see (`\u0061ws`, `alb.ingress\/`);
 * objects with a backslash are walked. The API server only escapes <, > and &, so this is rare.
 */
const BACKSLASH = '\\';

/**
 * Every marker, and the backslash, in one expression: one pass over the text (V8 compiles it to machine
 * code), where a byte search per marker and piece cost 20 native calls for an object without any: at
 * 20k objects 60 ms, now about 35 ms including the decoding the parse needs anyway (issue 16).
 */
const ANY_MARKER = new RegExp([...[...MARKERS, BACKSLASH].map(escapeRegExp), ...PATTERN_MARKERS].join('|'));

/**
 * False only when the object's JSON text cannot name any AWS dependency the collector recognizes;
 * true when it might (then the object is parsed and walked).
 */
export function mayReferenceAws(json: Buffer): boolean {
  // Every marker is ASCII: latin1 keeps each byte as one character, and UTF-8 sequences hold no ASCII byte.
  return mayReferenceAwsText(json.toString('latin1'));
}

/** mayReferenceAws for the object's text already decoded (UTF-8 decoding keeps every ASCII marker as is). */
export function mayReferenceAwsText(json: string): boolean {
  return ANY_MARKER.test(json);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
