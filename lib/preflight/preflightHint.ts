import type { TargetReport } from './types';

/** What a hint needs to know beyond the target's own results. */
export interface HintContext {
  region: string;
  inVpc: boolean;
}

const SERVICE_NAMES: Record<string, string> = { eks: 'EKS', sts: 'STS', s3: 'S3', cluster: 'the cluster endpoint' };

/**
 * Plain-language advice for one target: the most likely cause of what failed and what to change.
 * Ordered from the first step that failed; the VPC-specific causes come first because a private
 * cluster is where these checks matter (DESIGN.md section 1, item 7).
 */
export function preflightHint(target: Omit<TargetReport, 'hint'>, ctx: HintContext): string | undefined {
  const name = SERVICE_NAMES[target.id] ?? target.id;
  const where = `${target.host}:${target.port}`;
  const endpointService = `com.amazonaws.${ctx.region}.${target.id}`;
  const allPublic = target.addresses.length > 0 && target.addresses.every((a) => !a.private);

  if (!target.dns.ok) {
    if (target.dns.error === 'timeout') {
      return `DNS lookup of ${target.host} got no answer: the VPC's DNS resolver is unreachable or slow ` +
        '(check that the VPC has DNS resolution enabled).';
    }
    if (target.id === 'cluster') {
      return `The cluster endpoint ${target.host} does not resolve: check the cluster name and region; ` +
        "a private endpoint resolves only inside the cluster's VPC, with DNS resolution and DNS hostnames enabled.";
    }
    return ctx.inVpc
      ? `No VPC endpoint / no DNS for ${target.host}: create an interface endpoint ${endpointService} ` +
        'with private DNS names enabled (or give the subnets a NAT route).'
      : `${target.host} does not resolve: check the region name and the DNS configuration.`;
  }

  const tcp = target.tcp;
  if (tcp && !tcp.ok) {
    if (tcp.error === 'refused') return `Nothing listens on ${tcp.port} at ${tcp.address} (${target.host}): the connection was refused.`;
    if (tcp.error === 'timeout' || tcp.error === 'unreachable') {
      if (ctx.inVpc && allPublic) {
        if (target.id === 's3') {
          return `S3 (${target.host}) resolves to public addresses and cannot be reached: S3 needs a gateway endpoint ` +
            `${endpointService} on the subnets' route tables, or an interface endpoint with private DNS names enabled.`;
        }
        if (target.id === 'cluster') {
          return 'The cluster endpoint is public-only; enable private endpoint access on the cluster ' +
            '(or give the subnets a NAT route to reach the public endpoint).';
        }
        return `${name} (${target.host}) resolves to public addresses and cannot be reached from the VPC: create an ` +
          `interface endpoint ${endpointService} with private DNS names enabled.`;
      }
      if (target.addresses.some((a) => a.address === tcp.address && a.private)) {
        return `No answer from ${tcp.address}:${tcp.port} (${target.host}): a security group or network ACL does not ` +
          `allow 443 from the function to the ${target.id === 'cluster' ? 'cluster' : 'endpoint'} ` +
          `(outbound on the function's security group, inbound on the ${target.id === 'cluster' ? "cluster's" : "endpoint's"}).`;
      }
      return `No answer from ${tcp.address}:${tcp.port} (${target.host}): no network route to it, or a firewall drops the traffic.`;
    }
    return `Could not connect to ${tcp.address}:${tcp.port} (${target.host}): ${tcp.detail ?? tcp.error ?? 'unknown error'}.`;
  }

  const tls = target.tls;
  if (tls && !tls.ok) {
    if (tls.error === 'timeout') {
      return `TLS handshake failed: ${where} accepted the connection but never answered the handshake (a proxy or firewall in the way?).`;
    }
    if (tls.error === 'certificate' && target.id === 'cluster') {
      return `TLS handshake failed: the cluster endpoint's certificate does not verify against the cluster CA ` +
        `(${tls.detail ?? 'certificate error'}); wrong CA, or a proxy in the way?`;
    }
    if (tls.error === 'certificate') {
      return `TLS handshake failed: the certificate of ${where} does not verify (${tls.detail ?? 'certificate error'}); ` +
        'a TLS-intercepting proxy, or a wrong CA?';
    }
    return `TLS handshake failed: ${tls.detail ?? tls.error ?? 'unknown error'} at ${where} (proxy or wrong CA?)`;
  }

  if (target.reachable && ctx.inVpc && allPublic) {
    // Works, but through a NAT route: worth knowing, not a failure.
    return target.id === 'cluster'
      ? 'Reachable through a public route; enabling private endpoint access keeps the traffic inside the VPC.'
      : `Reachable through a public route; an endpoint ${endpointService} would keep the traffic inside the VPC.`;
  }
  return undefined;
}
