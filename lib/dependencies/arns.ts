/**
 * ARN grammar: `arn:<partition>:<service>:<region>:<account>:<resource>`, strict enough that look-alikes
 * (`arn:aws-fake:...`, `arn:aws:iam::12345:role/x`, `arn:aws::::`) are rejected.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
import type { AwsDependencyType } from './types';

/** Every AWS partition; anything else is a look-alike. */
export const PARTITIONS: ReadonlySet<string> = new Set([
  'aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc',
]);

/** A region name: `us-east-1`, `us-gov-west-1`, `us-isob-east-1`, `cn-north-1`, `eusc-de-east-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

const ACCOUNT_PATTERN = /^\d{12}$/;
const SERVICE_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Services whose ARNs never carry a region. */
const GLOBAL_SERVICES: ReadonlySet<string> = new Set(['iam', 'sts', 'route53', 'cloudfront', 'organizations', 'waf', 'globalaccelerator']);

/** Services whose ARNs always carry a region and an account (the ones this scan types by name, and common ones). */
const REGIONAL_ACCOUNT_SERVICES: ReadonlySet<string> = new Set([
  'acm', 'dynamodb', 'ecr', 'eks', 'elasticfilesystem', 'elasticloadbalancing', 'events', 'firehose', 'kinesis',
  'kms', 'lambda', 'logs', 'rds', 'secretsmanager', 'sns', 'sqs', 'states', 'waf-regional', 'wafv2',
]);

/** Resource IDs of EC2 and EFS resources: 8 or 17 lowercase hex digits after the prefix. */
export const RESOURCE_ID_PATTERNS = {
  volume: /^vol-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  snapshot: /^snap-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  fileSystem: /^fs-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  accessPoint: /^fsap-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  securityGroup: /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  subnet: /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
  eipAllocation: /^eipalloc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/,
} as const;

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface ParsedArn {
  arn: string;
  partition: string;
  service: string;
  /** Empty for global resources. */
  region: string;
  /** Empty when the ARN has none (S3 buckets, Route 53 zones, public AMIs). */
  account: string;
  resource: string;
}

/** Parses one whole string as an ARN; undefined when it is not a well-formed one. */
export function parseArn(text: string): ParsedArn | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  const resource = parts.slice(5).join(':');
  if (!PARTITIONS.has(partition) || !SERVICE_PATTERN.test(service) || resource === '') return undefined;
  if (/[\s*?{}$"'<>\\]/.test(resource)) return undefined; // a pattern or a template, not one resource
  if (region !== '' && !REGION_PATTERN.test(region)) return undefined;
  // 'aws' stands for AWS itself (managed policies); anything else but 12 digits is malformed.
  if (account !== '' && account !== 'aws' && !ACCOUNT_PATTERN.test(account)) return undefined;
  if (GLOBAL_SERVICES.has(service)) {
    if (region !== '') return undefined;
    if ((service === 'iam' || service === 'sts') && account === '') return undefined;
  }
  if (REGIONAL_ACCOUNT_SERVICES.has(service) && (region === '' || !ACCOUNT_PATTERN.test(account))) return undefined;
  if (service === 's3' && region === '') {
    // A bucket or object ARN has neither region nor account.
    const bucket = resource.split('/')[0] ?? '';
    if (account !== '' || !BUCKET_PATTERN.test(bucket)) return undefined;
  }
  if (region === '' && account === '' && !['s3', 'route53', 'cloudfront', 'organizations'].includes(service)) return undefined;
  return { arn: text, partition, service, region, account, resource };
}

/** Characters that end an ARN found inside longer text (separators in lists, quotes, markup). */
const ARN_IN_TEXT = /(?<![A-Za-z0-9_-])arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:[a-z0-9]*:[^\s,;"'`<>()[\]{}|\\^]+/g;

/** Finds every well-formed ARN inside arbitrary text (a comma-separated annotation, a config file, JSON). */
export function findArns(text: string): ParsedArn[] {
  if (!text.includes('arn:')) return [];
  const found: ParsedArn[] = [];
  matchArns(text, (parsed) => found.push(parsed));
  return found;
}

/** An ARN found inside longer text, with where it starts (its end is `index + arn.arn.length`). */
export interface LocatedArn {
  index: number;
  arn: ParsedArn;
}

/** The same ARNs findArns finds, with their positions in `text`: what a rewrite of that text needs. */
export function locateArns(text: string): LocatedArn[] {
  if (!text.includes('arn:')) return [];
  const found: LocatedArn[] = [];
  matchArns(text, (arn, index) => found.push({ index, arn }));
  return found;
}

function matchArns(text: string, onArn: (parsed: ParsedArn, index: number) => void): void {
  for (const match of text.matchAll(ARN_IN_TEXT)) {
    let candidate = match[0];
    const index = match.index ?? 0;
    const next = text.charAt(index + candidate.length);
    if (next === '{' || next === '$') continue; // `role/${NAME}`: a template, not a resource
    // Sentence punctuation after an ARN in prose is not part of it.
    candidate = candidate.replace(/[.:]+$/, '');
    const parsed = parseArn(candidate);
    if (parsed) onArn(parsed, index);
  }
}

/** How a parsed ARN is recorded: its type, its id (see types.ts), and whether it is worth recording. */
export interface ClassifiedArn {
  type: AwsDependencyType;
  id: string;
}

/**
 * Types an ARN by service and resource. AWS-owned ARNs (account `aws`, e.g. managed policies) are not
 * the customer's to protect: undefined.
 */
export function classifyArn(parsed: ParsedArn): ClassifiedArn | undefined {
  if (parsed.account === 'aws') return undefined;
  const { service, resource, arn } = parsed;
  const afterSlash = resource.slice(resource.indexOf('/') + 1);
  switch (service) {
    case 'iam':
      if (resource.startsWith('role/')) return { type: 'iam-role', id: arn };
      break;
    case 'ecr':
      if (resource.startsWith('repository/')) return { type: 'ecr-repository', id: arn };
      break;
    case 'acm':
      if (resource.startsWith('certificate/')) return { type: 'acm-certificate', id: arn };
      break;
    case 'wafv2':
      if (/^(regional|global)\/webacl\//.test(resource)) return { type: 'wafv2-web-acl', id: arn };
      break;
    case 'waf-regional':
      if (resource.startsWith('webacl/')) return { type: 'waf-regional-web-acl', id: arn };
      break;
    case 'kms':
      if (resource.startsWith('key/') || resource.startsWith('alias/')) return { type: 'kms-key', id: arn };
      break;
    case 's3':
      // An object ARN depends on its bucket: record the bucket.
      if (parsed.region === '') return { type: 's3-bucket', id: `arn:${parsed.partition}:s3:::${resource.split('/')[0] ?? ''}` };
      break;
    case 'ec2':
      if (resource.startsWith('volume/') && RESOURCE_ID_PATTERNS.volume.test(afterSlash)) return { type: 'ebs-volume', id: afterSlash };
      if (resource.startsWith('snapshot/') && RESOURCE_ID_PATTERNS.snapshot.test(afterSlash)) return { type: 'ebs-snapshot', id: afterSlash };
      if (resource.startsWith('security-group/') && RESOURCE_ID_PATTERNS.securityGroup.test(afterSlash)) {
        return { type: 'ec2-security-group', id: afterSlash };
      }
      if (resource.startsWith('subnet/') && RESOURCE_ID_PATTERNS.subnet.test(afterSlash)) return { type: 'ec2-subnet', id: afterSlash };
      if (resource.startsWith('elastic-ip/') && RESOURCE_ID_PATTERNS.eipAllocation.test(afterSlash)) return { type: 'ec2-elastic-ip', id: afterSlash };
      break;
    case 'elasticfilesystem':
      if (resource.startsWith('file-system/') && RESOURCE_ID_PATTERNS.fileSystem.test(afterSlash)) return { type: 'efs-file-system', id: afterSlash };
      if (resource.startsWith('access-point/') && RESOURCE_ID_PATTERNS.accessPoint.test(afterSlash)) return { type: 'efs-access-point', id: afterSlash };
      break;
  }
  return { type: `arn:${service}`, id: arn };
}

/** The partition a region belongs to, for ARNs built from IDs (S3 bucket names). */
export function partitionOfRegion(region: string | undefined): string {
  if (!region) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/**
 * The region of an availability zone (`us-east-1a`), Local Zone (`us-west-2-lax-1a`) or Wavelength
 * Zone (`us-east-1-wl1-bos-wlz-1`); undefined when it does not look like one.
 */
export function regionOfZone(zone: string): string | undefined {
  const match = /^([a-z]{2,4}(?:-[a-z]+)+-\d{1,2})(?:[a-z]|-.+)$/.exec(zone);
  return match?.[1];
}
