/**
 * Load balancer annotations whose values are AWS resource IDs rather than ARNs (ARN-valued ones such
 * as `alb.ingress.kubernetes.io/certificate-arn`, `.../wafv2-acl-arn` and
 * `service.beta.kubernetes.io/aws-load-balancer-ssl-cert` are found by the ARN scan of every string).
 * Sources: AWS Load Balancer Controller docs, guide/ingress/annotations and guide/service/annotations.
 * Security groups and subnets may also be given by Name tag; names cannot be resolved without EC2
 * calls, so only IDs are recorded.
 */
import { partitionOfRegion, RESOURCE_ID_PATTERNS } from './arns';
import type { DependencySighting } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// S3 bucket names: 3-63 characters, lowercase letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function listOf(value: string): string[] {
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

function idsMatching(value: string, pattern: RegExp, type: DependencySighting['type']): DependencySighting[] {
  return listOf(value).filter((item) => pattern.test(item)).map((id) => ({ type, id }));
}

function bucket(name: string, clusterRegion: string | undefined): DependencySighting[] {
  return BUCKET.test(name) ? [{ type: 's3-bucket', id: `arn:${partitionOfRegion(clusterRegion)}:s3:::${name}` }] : [];
}

/** `key1=value1,key2=value2` attributes: the access-log bucket is a dependency. */
function accessLogBucket(value: string, clusterRegion: string | undefined): DependencySighting[] {
  for (const pair of listOf(value)) {
    const [key, setting = ''] = pair.split('=');
    if (key?.trim() === 'access_logs.s3.bucket') return bucket(setting.trim(), clusterRegion);
  }
  return [];
}

type AnnotationRecognizer = (value: string, clusterRegion: string | undefined) => DependencySighting[];

const securityGroups: AnnotationRecognizer = (v) => idsMatching(v, RESOURCE_ID_PATTERNS.securityGroup, 'ec2-security-group');
const subnets: AnnotationRecognizer = (v) => idsMatching(v, RESOURCE_ID_PATTERNS.subnet, 'ec2-subnet');
const wafClassicAcl: AnnotationRecognizer = (v) => (UUID.test(v.trim()) ? [{ type: 'waf-regional-web-acl', id: v.trim().toLowerCase() }] : []);

const RECOGNIZERS: ReadonlyMap<string, AnnotationRecognizer> = new Map<string, AnnotationRecognizer>([
  ['alb.ingress.kubernetes.io/security-groups', securityGroups],
  ['alb.ingress.kubernetes.io/subnets', subnets],
  ['alb.ingress.kubernetes.io/waf-acl-id', wafClassicAcl],
  ['alb.ingress.kubernetes.io/web-acl-id', wafClassicAcl],
  ['alb.ingress.kubernetes.io/load-balancer-attributes', accessLogBucket],
  ['service.beta.kubernetes.io/aws-load-balancer-security-groups', securityGroups],
  ['service.beta.kubernetes.io/aws-load-balancer-extra-security-groups', securityGroups],
  ['service.beta.kubernetes.io/aws-load-balancer-subnets', subnets],
  [
    'service.beta.kubernetes.io/aws-load-balancer-eip-allocations',
    (v) => idsMatching(v, RESOURCE_ID_PATTERNS.eipAllocation, 'ec2-elastic-ip'),
  ],
  ['service.beta.kubernetes.io/aws-load-balancer-attributes', accessLogBucket],
  ['service.beta.kubernetes.io/aws-load-balancer-access-log-s3-bucket-name', (v, region) => bucket(v.trim(), region)],
]);

/** The ID-valued dependencies of one annotation; empty for annotations that name none. */
export function recognizeLoadBalancerAnnotation(key: string, value: string, clusterRegion: string | undefined): DependencySighting[] {
  const recognizer = RECOGNIZERS.get(key);
  return recognizer ? recognizer(value, clusterRegion) : [];
}

/**
 * True for the annotations the AWS Load Balancer Controller (and the in-tree cloud provider) reads, ID- or
 * ARN-valued: the places of a Service or Ingress where load balancer dependencies are written.
 */
export function isLoadBalancerAnnotation(key: string): boolean {
  return key.startsWith('alb.ingress.kubernetes.io/') || key.startsWith('service.beta.kubernetes.io/aws-load-balancer-');
}
