/**
 * The account/region rewrite of ARNs. Only resources whose name the customer chose are rewritten: the
 * same name in the target account and region is the resource the customer recreated there. Identifiers
 * AWS generates (certificate, key and ACL IDs, secret suffixes, OIDC provider IDs) would point at
 * nothing if "translated": they change only through identifierMap (DESIGN.md section 8).
 */
import type { ParsedArn } from '../dependencies';
import type { AwsLocation } from './types';

/**
 * IAM roles, policies and users (aws-auth maps users), SNS topics (not subscriptions, whose suffix is
 * generated), SQS queues, KMS aliases (not keys).
 */
export function isCustomerNamed(arn: ParsedArn): boolean {
  switch (arn.service) {
    case 'iam':
      return /^(role|policy|user)\//.test(arn.resource);
    case 'sns':
      return !arn.resource.includes(':');
    case 'sqs':
      return true;
    case 'kms':
      return arn.resource.startsWith('alias/');
    default:
      return false;
  }
}

/**
 * The ARN in the target location, or undefined when it stays as it is. Rules: only the source account's
 * ARNs in the source partition, of customer-named resources; the account becomes the target's; the
 * region becomes the target's when it was the source's (an ARN in a third region names a resource that
 * is not in the failed region, and keeps its region), or when the partition changes (a region of
 * another partition cannot be kept); region-less ARNs (IAM) stay region-less.
 */
export function translateArn(arn: ParsedArn, source: AwsLocation, target: AwsLocation): string | undefined {
  if (arn.account !== source.account || arn.partition !== source.partition || !isCustomerNamed(arn)) return undefined;
  const crossesPartition = target.partition !== source.partition;
  const region = arn.region === '' ? '' : arn.region === source.region || crossesPartition ? target.region : arn.region;
  const translated = `arn:${target.partition}:${arn.service}:${region}:${target.account}:${arn.resource}`;
  return translated === arn.arn ? undefined : translated;
}
