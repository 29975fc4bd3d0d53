import type { AwsClients } from '../aws/clients';
import { describeClusterConnection } from '../eks';
import { runPreflight, type PreflightReport } from '../preflight';

export interface ClusterPreflightReport extends PreflightReport {
  /** Why the cluster endpoint could not be probed (DescribeCluster failed), if it could not. */
  clusterError?: string;
}

/**
 * The network preflight for one cluster: DescribeCluster for its endpoint and CA (best effort: when EKS
 * itself is unreachable that is exactly what the report must say), then the concurrent DNS/TCP/TLS probes.
 */
export async function preflightCluster(clients: AwsClients, clusterName: string, region: string, inVpc: boolean): Promise<ClusterPreflightReport> {
  let clusterEndpoint: string | undefined;
  let clusterCa: string | undefined;
  let clusterError: string | undefined;
  try {
    const c = await describeClusterConnection(clients.eks, clusterName, region);
    clusterEndpoint = c.endpoint;
    clusterCa = c.caPem;
  } catch (err) {
    clusterError = err instanceof Error ? err.message : String(err);
  }
  const report = await runPreflight({
    region, inVpc,
    ...(clusterEndpoint ? { clusterEndpoint } : {}),
    ...(clusterCa ? { clusterCa } : {}),
    hostOverrides: endpointOverrides(),
  });
  return { ...report, ...(clusterError ? { clusterError } : {}) };
}

/**
 * The same endpoint overrides the SDK clients use, so the preflight probes what the delegate will call.
 * A plain-http override (an emulator) is probed as host:port: DNS and TCP say what they can, TLS fails.
 */
function endpointOverrides(): Partial<Record<'eks' | 'sts' | 's3', string>> {
  const out: Partial<Record<'eks' | 'sts' | 's3', string>> = {};
  for (const svc of ['eks', 'sts', 's3'] as const) {
    const url = process.env[`AWS_ENDPOINT_URL_${svc.toUpperCase()}`] ?? process.env.AWS_ENDPOINT_URL;
    if (url) out[svc] = url.startsWith('http://') ? new URL(url).host : url;
  }
  return out;
}
