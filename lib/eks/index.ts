export { mintEksToken, decodeEksToken, EKS_TOKEN_PREFIX, CLUSTER_ID_HEADER, TOKEN_CLIENT_LIFETIME_MS, TOKEN_SERVER_LIFETIME_MS } from './token';
export type { EksToken, MintEksTokenOptions } from './token';
export { EksTokenSource } from './EksTokenSource';
export type { EksTokenSourceOptions } from './EksTokenSource';
export { describeClusterConnection, decodeClusterCa } from './clusterConnection';
export type { ClusterConnection, AuthenticationMode } from './clusterConnection';
export { regionalStsHost, partitionOf, partitionDnsSuffix, isRegionName } from './stsHost';
export * from './errors';
