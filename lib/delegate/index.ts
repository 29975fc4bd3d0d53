export { connectToCluster } from './connectToCluster';
export type { ClusterSession } from './connectToCluster';
export { preflightCluster } from './preflightCluster';
export type { ClusterPreflightReport } from './preflightCluster';
