/**
 * The STS host an EKS token must be presigned for. EKS validates the token against the regional STS host
 * of its partition, so this is never an endpoint override (AWS_ENDPOINT_URL_STS points the SDK elsewhere,
 * e.g. at a VPC endpoint or an emulator, but the token names the real host).
 */
export function regionalStsHost(region: string): string {
  return `sts.${region}.${partitionDnsSuffix(region)}`;
}

/** DNS suffix of the AWS partition a region belongs to. */
export function partitionDnsSuffix(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  return 'amazonaws.com';
}

/** The ARN partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** True for names shaped like an AWS region (us-east-1, cn-north-1, us-gov-west-1). */
export function isRegionName(region: string): boolean {
  return REGION_PATTERN.test(region);
}
