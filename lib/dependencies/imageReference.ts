/**
 * Container image references (the distribution/reference grammar Docker and containerd use), and the
 * Amazon ECR private registry hosts. The host table follows the ECR credential provider's
 * `matchImages` list, anchored on both ends so `...amazonaws.com.evil.io` or `...amazonaws.co` never match.
 * Dual-stack hosts: https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html
 */
import { REGION_PATTERN } from './arns';

/** An image in an ECR private repository. */
export interface EcrImage {
  kind: 'ecr';
  account: string;
  region: string;
  partition: string;
  repository: string;
  /** `arn:<partition>:ecr:<region>:<account>:repository/<repository>` */
  arn: string;
}

/** An image from any other registry (Docker Hub, ghcr.io, ECR Public, a look-alike host). */
export interface ExternalImage {
  kind: 'external';
  /** Registry host (with port, if any) and path, without tag or digest: `docker.io/library/nginx`. */
  repository: string;
}

export type ParsedImage = EcrImage | ExternalImage;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::\\d+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}))?$`,
);

/** Longer than any valid reference: a 255-character name, a 128-character tag and a SHA-512 digest. */
const MAX_REFERENCE_LENGTH = 600;

/** ECR private registry hosts: `<account>.<prefix>.<region>.<suffix>`, and the partition each belongs to. */
const ECR_HOSTS: ReadonlyArray<{ pattern: RegExp; partition: string; regionPrefix?: string }> = [
  { pattern: /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/, partition: 'aws' },
  { pattern: /^(\d{12})\.dkr-ecr(?:-fips)?\.([a-z0-9-]+)\.on\.aws$/, partition: 'aws' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\.cn$/, partition: 'aws-cn', regionPrefix: 'cn-' },
  { pattern: /^(\d{12})\.dkr-ecr\.([a-z0-9-]+)\.on\.amazonwebservices\.com\.cn$/, partition: 'aws-cn', regionPrefix: 'cn-' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.c2s\.ic\.gov$/, partition: 'aws-iso' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.sc2s\.sgov\.gov$/, partition: 'aws-iso-b' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.cloud\.adc-e\.uk$/, partition: 'aws-iso-e' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.csp\.hci\.ic\.gov$/, partition: 'aws-iso-f' },
  { pattern: /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.eu$/, partition: 'aws-eusc' },
];

/** Matches an ECR private registry host (port ignored); undefined for any other host. */
export function parseEcrHost(domain: string): { account: string; region: string; partition: string } | undefined {
  const host = domain.toLowerCase().replace(/:\d+$/, '');
  for (const { pattern, partition, regionPrefix } of ECR_HOSTS) {
    const match = pattern.exec(host);
    if (!match) continue;
    const [, account = '', region = ''] = match;
    if (!REGION_PATTERN.test(region)) return undefined;
    // China hosts serve only China regions, and only China hosts serve them.
    if (regionPrefix ? !region.startsWith(regionPrefix) : region.startsWith('cn-')) return undefined;
    return { account, region, partition };
  }
  return undefined;
}

/** Parses an image reference; undefined when it is not one (templated, empty, malformed). */
export function parseImageReference(image: string): ParsedImage | undefined {
  // No valid reference is this long, and the grammar's regex should not see megabytes of config text.
  if (image.length > MAX_REFERENCE_LENGTH) return undefined;
  const match = REFERENCE.exec(image.trim());
  if (!match) return undefined;
  const [, domainPart, path = ''] = match;
  // Docker's rule: the first component is a registry only when it looks like a host.
  const isDomain = domainPart !== undefined && (/[.:]/.test(domainPart) || domainPart === 'localhost' || domainPart !== domainPart.toLowerCase());
  const host = isDomain ? domainPart.toLowerCase() : 'docker.io';
  const domain = host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
  const repositoryPath = isDomain ? path : domainPart !== undefined ? `${domainPart}/${path}` : path;
  const ecr = isDomain ? parseEcrHost(domain) : undefined;
  if (ecr) {
    if (repositoryPath.length < 2 || repositoryPath.length > 256) return undefined;
    return {
      kind: 'ecr',
      ...ecr,
      repository: repositoryPath,
      arn: `arn:${ecr.partition}:ecr:${ecr.region}:${ecr.account}:repository/${repositoryPath}`,
    };
  }
  const normalized = domain === 'docker.io' && !repositoryPath.includes('/') ? `library/${repositoryPath}` : repositoryPath;
  return { kind: 'external', repository: `${domain}/${normalized}` };
}

/** Cheap test before the full parse, for strings outside containers that might name an ECR image. */
export function mightBeEcrImage(text: string): boolean {
  return text.includes('.dkr.ecr') || text.includes('.dkr-ecr');
}
