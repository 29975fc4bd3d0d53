import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterConnection } from './clusterConnection';

/**
 * A kubeconfig for the cluster whose user runs `<command> token --cluster-name C --region R` as its exec
 * credential plugin, built with @kubernetes/client-node's KubeConfig so that it is exactly what kubectl and
 * client libraries read. Only the CLI uses this: the Lambda bundle stays free of client-node (about 1 MB).
 */
export function buildKubeconfig(connection: ClusterConnection, plugin: { command: string; args?: string[] }): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{
      name: connection.arn || connection.name,
      server: connection.endpoint,
      caData: Buffer.from(connection.caPem).toString('base64'),
      skipTLSVerify: false,
    }],
    users: [{
      name: `eks-delegate@${connection.name}`,
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: plugin.command,
        args: [...(plugin.args ?? []), 'token', '--cluster-name', connection.name, '--region', connection.region],
        interactiveMode: 'Never',
      },
    }],
    contexts: [{ name: connection.name, cluster: connection.arn || connection.name, user: `eks-delegate@${connection.name}` }],
    currentContext: connection.name,
  });
  return kc.exportConfig();
}
