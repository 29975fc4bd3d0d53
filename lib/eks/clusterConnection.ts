import { DescribeClusterCommand, ResourceNotFoundException, type EKSClient } from '@aws-sdk/client-eks';
import { X509Certificate } from 'node:crypto';
import { ClusterNotActiveError, ClusterNotFoundError, EksError, InvalidClusterConnectionError } from './errors';

export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API';

/** What the delegate needs to know about a cluster to reach and describe it. */
export interface ClusterConnection {
  name: string;
  arn: string;
  region: string;
  account: string;
  /** https URL of the API server. */
  endpoint: string;
  /** PEM of the cluster CA; TLS is always verified against it. */
  caPem: string;
  kubernetesVersion: string;
  platformVersion: string;
  authenticationMode: AuthenticationMode;
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
  status: string;
}

/**
 * DescribeCluster, validated into a ClusterConnection. Fails clearly when the cluster is missing or not
 * ACTIVE, when the endpoint is not https, or when the CA is missing or not a certificate.
 */
export async function describeClusterConnection(eks: EKSClient, clusterName: string, region: string): Promise<ClusterConnection> {
  let cluster;
  try {
    ({ cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName })));
  } catch (cause) {
    if (cause instanceof ResourceNotFoundException) {
      throw new ClusterNotFoundError(`cluster ${clusterName} not found in ${region}`, { cause, clusterName });
    }
    throw new EksError(`DescribeCluster ${clusterName} failed: ${errorMessage(cause)}`, { cause, clusterName });
  }
  if (!cluster) throw new ClusterNotFoundError(`cluster ${clusterName} not found in ${region}`, { clusterName });
  if (cluster.status !== 'ACTIVE') throw new ClusterNotActiveError(clusterName, cluster.status ?? 'UNKNOWN');

  const endpoint = cluster.endpoint ?? '';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (cause) {
    throw new InvalidClusterConnectionError(`cluster ${clusterName} has no valid endpoint`, { cause, clusterName });
  }
  if (url.protocol !== 'https:') {
    throw new InvalidClusterConnectionError(`cluster ${clusterName} endpoint ${url.origin} is not https; refusing to send a token over it`, { clusterName });
  }
  const caPem = decodeClusterCa(cluster.certificateAuthority?.data, clusterName);
  const arn = cluster.arn ?? '';
  return {
    name: clusterName,
    arn,
    region,
    account: arn.split(':')[4] ?? '',
    endpoint: url.origin,
    caPem,
    kubernetesVersion: cluster.version ?? '',
    platformVersion: cluster.platformVersion ?? '',
    authenticationMode: (cluster.accessConfig?.authenticationMode as AuthenticationMode | undefined) ?? 'CONFIG_MAP',
    endpointPublicAccess: cluster.resourcesVpcConfig?.endpointPublicAccess ?? true,
    endpointPrivateAccess: cluster.resourcesVpcConfig?.endpointPrivateAccess ?? false,
    publicAccessCidrs: cluster.resourcesVpcConfig?.publicAccessCidrs ?? [],
    status: cluster.status,
  };
}

/** EKS returns the CA as base64 of the PEM; check that it really is one or more certificates. */
export function decodeClusterCa(data: string | undefined, clusterName: string): string {
  if (!data) throw new InvalidClusterConnectionError(`cluster ${clusterName} has no certificate authority data`, { clusterName });
  const pem = Buffer.from(data, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidClusterConnectionError(`cluster ${clusterName} certificate authority data is not a PEM certificate`, { clusterName });
  }
  try {
    new X509Certificate(pem);
  } catch (cause) {
    throw new InvalidClusterConnectionError(`cluster ${clusterName} certificate authority is not a valid certificate`, { cause, clusterName });
  }
  return pem;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
