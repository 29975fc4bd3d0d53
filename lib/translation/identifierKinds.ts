/**
 * What kind of AWS-generated identifier an identifierMap entry names, so that a source is only ever
 * replaced by the same kind of identifier (a volume by a volume, an ACM certificate ARN by one).
 */
import { classifyArn, parseArn, RESOURCE_ID_PATTERNS } from '../dependencies';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/;

/** Bare resource IDs by kind; both the 8- and the 17-hex-digit forms are valid IDs of the kind. */
const RESOURCE_ID_KINDS: ReadonlyArray<[kind: string, pattern: RegExp]> = [
  ['EBS volume ID', RESOURCE_ID_PATTERNS.volume],
  ['EBS snapshot ID', RESOURCE_ID_PATTERNS.snapshot],
  ['EFS file system ID', RESOURCE_ID_PATTERNS.fileSystem],
  ['EFS access point ID', RESOURCE_ID_PATTERNS.accessPoint],
  ['security group ID', RESOURCE_ID_PATTERNS.securityGroup],
  ['subnet ID', RESOURCE_ID_PATTERNS.subnet],
  ['Elastic IP allocation ID', RESOURCE_ID_PATTERNS.eipAllocation],
  ['KMS key ID or WAF Classic web ACL ID (UUID)', UUID],
  ['KMS multi-Region key ID', MULTI_REGION_KEY_ID],
];

/** An identifier's kind, and for ARNs the partition they belong to. */
export interface IdentifierKind {
  kind: string;
  /** Present for ARNs. */
  partition?: string;
}

/**
 * The kind of `value`: a bare resource ID kind, or `<service> ARN of <resource type>` for a well-formed,
 * customer-owned ARN (`acm ARN of certificate`, `wafv2 ARN of regional/webacl`). Undefined for anything
 * else (a name, an AWS-managed ARN, a malformed string).
 */
export function identifierKind(value: string): IdentifierKind | undefined {
  for (const [kind, pattern] of RESOURCE_ID_KINDS) if (pattern.test(value)) return { kind };
  const arn = parseArn(value);
  if (!arn || !classifyArn(arn)) return undefined;
  return { kind: `${arn.service} ARN of ${resourceType(arn.service, arn.resource)}`, partition: arn.partition };
}

/** True for identifiers written as ARNs (replaced as whole ARNs, never inside one). */
export function isArnIdentifier(value: string): boolean {
  return value.startsWith('arn:');
}

/** `certificate` of `certificate/abc`, `key` of `key/abc`, `regional/webacl` of wafv2's `regional/webacl/n/id`. */
function resourceType(service: string, resource: string): string {
  const segments = resource.split(/[/:]/);
  const first = segments[0] ?? '';
  return service === 'wafv2' ? `${first}/${segments[1] ?? ''}` : first;
}
