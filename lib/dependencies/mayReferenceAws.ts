/**
 * A cheap pre-filter for DependencyCollector.observeJson: most objects of a cluster (secrets, services,
 * config maps without ARNs, custom resources) name no AWS resource, and searching their bytes for a few
 * markers is far cheaper than parsing and walking them (issue 8). Every recognizer of this folder needs
 * at least one of these markers in the object's JSON text; when none is present, no walk can find a
 * dependency. A new recognizer must add its marker here (tests/unit/dependencies checks every fixture).
 */
const MARKERS: readonly Buffer[] = [
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
].map((marker) => Buffer.from(marker, 'latin1'));

/**
 * A JSON escape can spell any marker in a way a byte search cannot see (`\u0061ws`, `alb.ingress\/`);
 * objects with a backslash are walked. The API server only escapes <, > and &, so this is rare, and one
 * byte is the cheapest search there is.
 */
const BACKSLASH = 0x5c;

/**
 * False only when the object's JSON text cannot name any AWS dependency the collector recognizes;
 * true when it might (then the object is parsed and walked).
 */
export function mayReferenceAws(json: Buffer): boolean {
  for (const marker of MARKERS) if (json.indexOf(marker) !== -1) return true;
  return json.indexOf(BACKSLASH) !== -1;
}
