import type { AwsClients } from '../aws/clients';
import { describeClusterConnection, EksTokenSource, type ClusterConnection } from '../eks';
import { KubeClient } from '../kube/KubeClient';
import type { DelegateLogger } from '../observability/DelegateLogger';

export interface ClusterSession {
  connection: ClusterConnection;
  kube: KubeClient;
  tokens: EksTokenSource;
  close(): void;
}

/**
 * DescribeCluster, then a Kubernetes client that verifies TLS against the cluster CA and authenticates
 * with a token minted (and re-minted before it ages out) from the delegate's own AWS credentials.
 */
export async function connectToCluster(clients: AwsClients, clusterName: string, region: string, logger: DelegateLogger): Promise<ClusterSession> {
  const connection = await describeClusterConnection(clients.eks, clusterName, region);
  const tokens = new EksTokenSource({ clusterName, region, credentials: clients.credentials });
  const kube = new KubeClient({
    endpoint: connection.endpoint,
    caPem: connection.caPem,
    tokens,
    onRetry: (info) => logger.warn('retrying a Kubernetes API request', { stage: 'kube', ...info }),
  });
  logger.info('connected to cluster', {
    stage: 'connect', cluster: clusterName, kubernetesVersion: connection.kubernetesVersion,
    authenticationMode: connection.authenticationMode, endpointPrivateAccess: connection.endpointPrivateAccess,
  });
  return { connection, kube, tokens, close: () => kube.destroy() };
}
