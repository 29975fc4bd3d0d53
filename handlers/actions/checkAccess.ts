import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AccessError, checkAccess } from '../../lib/access';
import { connectToCluster } from '../../lib/delegate/connectToCluster';
import type { CheckAccessRequest } from '../../lib/events';
import { KubeError } from '../../lib/kube/errors';
import { operationalFailure, type ActionRunner } from './types';

export const checkAccessAction: ActionRunner<CheckAccessRequest> = async (request, { clients, logger, metrics, started }) => {
  const session = await connectToCluster(clients, request.clusterName, request.region, logger);
  try {
    const report = await checkAccess({ sts: clients.sts, connection: session.connection, kube: session.kube, logger });
    metrics.addMetric('AccessUnreadableResources', MetricUnit.Count, report.unreadable.length);
    metrics.addMetric(report.status === 'ACCESS_OK' ? 'AccessOk' : 'AccessNotOk', MetricUnit.Count, 1);
    return { action: 'check-access', clusterName: request.clusterName, ...report, durationMs: Date.now() - started };
  } catch (err) {
    if (err instanceof AccessError || err instanceof KubeError) {
      logger.error('access check failed', { stage: 'access', error: err.message });
      return operationalFailure('check-access', request.clusterName, err.message, started);
    }
    throw err;
  } finally {
    session.close();
  }
};
