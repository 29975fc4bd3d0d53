/**
 * The account/region rewrite of ECR image references: `<account>.dkr.ecr.<region>.amazonaws.com/repo:tag`
 * of the source account becomes the target's registry, same repository, tag and digest (the customer
 * replicates the repository; a digest names the same image content in any registry). Host forms follow
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html and lib/dependencies'
 * imageReference.ts, which recognizes the source.
 */
import { parseImageReference, partitionOfRegion } from '../dependencies';
import type { AwsLocation } from './types';

/** Whether a host is FIPS and/or dual-stack; the target's host keeps the same form where it exists. */
interface HostForm {
  fips: boolean;
  dualStack: boolean;
}

/**
 * The image in the target's registry, or undefined when it stays as it is: not an ECR image, another
 * account's or partition's, or nothing would change. Leading and trailing spaces are kept. The region
 * changes when it was the source's (or the partition changes), as ARNs' do (rewriteArn.ts).
 */
export function translateEcrImage(value: string, source: AwsLocation, target: AwsLocation): string | undefined {
  const image = parseImageReference(value);
  // The partition is the region's: lib/dependencies reports GovCloud's `.amazonaws.com` hosts as `aws`.
  if (image?.kind !== 'ecr' || image.account !== source.account || partitionOfRegion(image.region) !== source.partition) return undefined;
  const start = value.length - value.trimStart().length;
  const trimmed = value.trim();
  const slash = trimmed.indexOf('/');
  const hostWithPort = trimmed.slice(0, slash);
  const port = /:\d+$/.exec(hostWithPort)?.[0] ?? '';
  const region = image.region === source.region || target.partition !== source.partition ? target.region : image.region;
  const host = ecrHost(target.account, region, target.partition, formOf(hostWithPort.toLowerCase()));
  const translated = `${host}${port}${trimmed.slice(slash)}`;
  if (translated === trimmed) return undefined;
  // Never produce what the scanner would not read back as the target account's ECR image.
  const check = parseImageReference(translated);
  if (check?.kind !== 'ecr' || check.account !== target.account || check.region !== region) return undefined;
  return value.slice(0, start) + translated + value.slice(start + trimmed.length);
}

function formOf(host: string): HostForm {
  return { fips: host.includes('-fips.'), dualStack: host.includes('.dkr-ecr') };
}

/**
 * The registry host of an account and region. China has no FIPS endpoints; FIPS endpoints exist in the
 * US commercial and GovCloud regions only, elsewhere the regular host is used.
 */
export function ecrHost(account: string, region: string, partition: string, form: HostForm): string {
  if (partition === 'aws-cn') {
    return form.dualStack ? `${account}.dkr-ecr.${region}.on.amazonwebservices.com.cn` : `${account}.dkr.ecr.${region}.amazonaws.com.cn`;
  }
  const fips = form.fips && region.startsWith('us-') ? '-fips' : '';
  return form.dualStack ? `${account}.dkr-ecr${fips}.${region}.on.aws` : `${account}.dkr.ecr${fips}.${region}.amazonaws.com`;
}
