/**
 * A cheap pre-filter for DependencyCollector.observeJson: most objects of a cluster (secrets, services,
 * config maps without ARNs, custom resources) name no AWS resource, and searching their bytes for a few
 * markers is far cheaper than parsing and walking them (issue 8). Every recognizer of this folder needs
 * at least one of these markers in the object's JSON text; when none is present, no walk can find a
 * dependency. A new recognizer must add its marker here (tests/unit/dependencies checks every fixture).
 */
const MARKERS: readonly Buffer[] = [
  // Every ARN (findArns needs the literal prefix), including aws-auth's mapRoles and annotation values.
  'arn:',
  // Container images, ECR or not (the `image` key of a container).
  '"image"',
  // ECR images named outside a pod spec (mightBeEcrImage: `.dkr.ecr`, `.dkr-ecr`).
  '.dkr',
  // The EBS and EFS CSI drivers (`*.csi.aws.com`: volume handles, snapshot contents, storage class
  // provisioners), `kubernetes.io/aws-ebs`, `awsElasticBlockStore`, and the
  // `service.beta.kubernetes.io/aws-load-balancer-*` annotations.
  'aws',
  // The AWS Load Balancer Controller's ingress annotations (security groups, subnets, WAF, access logs).
  'alb.ingress.kubernetes.io/',
  // A JSON escape can spell any marker in a way a byte search cannot see (`\u0061rn:`, `alb.ingress\/`);
  // such objects are walked. The API server only escapes <, > and &, so this is rare.
  '\\u',
  '\\/',
].map((marker) => Buffer.from(marker, 'latin1'));

/**
 * False only when the object's JSON text cannot name any AWS dependency the collector recognizes;
 * true when it might (then the object is parsed and walked).
 */
export function mayReferenceAws(json: Buffer): boolean {
  for (const marker of MARKERS) if (json.indexOf(marker) !== -1) return true;
  return false;
}
