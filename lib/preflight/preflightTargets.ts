import { partitionDnsSuffix } from '../eks';
import { PreflightOptionsError } from './errors';
import type { PreflightTargetId, ServiceTargetId } from './types';

/** One host to probe, with the CA its certificate must verify against. */
export interface PreflightTarget {
  id: PreflightTargetId;
  host: string;
  port: number;
  /** PEM CAs; undefined = Node's built-in roots. */
  ca: string | Buffer | undefined;
}

/** The services the delegate calls, in report order. */
export const SERVICE_TARGETS: readonly ServiceTargetId[] = ['eks', 'sts', 's3'];

/** The regional API host of a service: `<service>.<region>.amazonaws.com` (`.amazonaws.com.cn` in China). */
export function serviceHost(service: ServiceTargetId, region: string): string {
  return `${service}.${region}.${partitionDnsSuffix(region)}`;
}

/** Inputs of {@link preflightTargets}: the subset of PreflightOptions that names hosts. */
export interface PreflightTargetsInput {
  region: string;
  clusterEndpoint?: string;
  clusterCa?: string | Buffer;
  serviceCa?: string | Buffer;
  hostOverrides?: Partial<Record<ServiceTargetId, string>>;
  port: number;
}

/** The targets to probe: EKS, STS and S3 for the region (or their overrides), then the cluster endpoint. */
export function preflightTargets(input: PreflightTargetsInput): PreflightTarget[] {
  const targets: PreflightTarget[] = SERVICE_TARGETS.map((id) => {
    const override = input.hostOverrides?.[id];
    const { host, port } =
      override === undefined || override === ''
        ? { host: serviceHost(id, input.region), port: input.port }
        : parseHostAndPort(`hostOverrides.${id}`, override, input.port);
    return { id, host, port, ca: input.serviceCa };
  });
  if (input.clusterEndpoint !== undefined && input.clusterEndpoint !== '') {
    const { host, port } = parseHostAndPort('clusterEndpoint', input.clusterEndpoint, input.port);
    targets.push({ id: 'cluster', host, port, ca: input.clusterCa });
  }
  return targets;
}

/** Accepts `host`, `host:port` or an https URL; an explicit port wins over the default. */
function parseHostAndPort(option: string, value: string, defaultPort: number): { host: string; port: number } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch (cause) {
    throw new PreflightOptionsError(option, value, 'not a host name or URL', { cause });
  }
  if (url.protocol !== 'https:') throw new PreflightOptionsError(option, value, 'only https endpoints can be probed');
  if (url.hostname === '') throw new PreflightOptionsError(option, value, 'names no host');
  // URL keeps IPv6 literals bracketed; net.connect and the resolver want them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? defaultPort : Number(url.port) };
}
