import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { preflightCluster } from '../../lib/delegate/preflightCluster';
import type { PreflightRequest } from '../../lib/events';
import type { ActionRunner } from './types';

export const preflightAction: ActionRunner<PreflightRequest> = async (request, { env, clients, metrics }) => {
  const report = await preflightCluster(clients, request.clusterName, request.region, env.inVpc);
  metrics.addMetric('PreflightUnreachableTargets', MetricUnit.Count, report.targets.filter((t) => !t.reachable).length);
  return { action: 'preflight', status: report.ok ? 'OK' : 'UNREACHABLE', clusterName: request.clusterName, ...report };
};
