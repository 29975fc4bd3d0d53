import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { connectToCluster } from '../../lib/delegate/connectToCluster';
import type { ResumeGitopsRequest } from '../../lib/events';
import { KubeError } from '../../lib/kube/errors';
import { runResumeGitops } from '../../lib/restore';
import { operationalFailure, type ActionRunner } from './types';

/** resume-gitops: releases the Argo CD and Flux appliers a `gitops: pause` restore held (docs/gitops-and-webhooks.md). */
export const resumeGitopsAction: ActionRunner<ResumeGitopsRequest> = async (request, { clients, logger, metrics, started }) => {
  const session = await connectToCluster(clients, request.clusterName, request.region, logger);
  try {
    const outcome = await runResumeGitops({ dryRun: request.dryRun, namespaces: request.namespaces }, { kube: session.kube, logger });
    metrics.addMetric('GitopsResumed', MetricUnit.Count, outcome.resumed);
    return { action: 'resume-gitops', clusterName: request.clusterName, ...outcome, durationMs: Date.now() - started };
  } catch (err) {
    // The cluster would not list or answer (no access, unreachable): nothing more was resumed.
    if (err instanceof KubeError) {
      logger.error('resume-gitops failed', { stage: 'resume-gitops', error: err.message });
      return { ...operationalFailure('resume-gitops', request.clusterName, err.message, started), dryRun: request.dryRun };
    }
    throw err;
  } finally {
    session.close();
  }
};
