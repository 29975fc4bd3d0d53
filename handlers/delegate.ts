// Lambda entry point: parse and validate the event, run the action in lib/, shape the response.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createAwsClients } from '../lib/aws/clients';
import { EnvironmentError, readEnvironment, type DelegateEnvironment } from '../lib/config/environment';
import { ClusterNotActiveError, ClusterNotFoundError, EksError, InvalidClusterConnectionError } from '../lib/eks';
import { InvalidEventError, parseDelegateEvent, type DelegateRequest } from '../lib/events';
import { invalidInput, operationalFailure, runAction, type DelegateResponse, type ProgressReport } from './actions';

export type { DelegateResponse, ProgressReport } from './actions';

const SERVICE = 'eks-delegate';
let logger: Logger | undefined;
let metrics: Metrics | undefined;

/** Created on first use so the CLI can set POWERTOOLS_* variables before they are read. */
function observability(): { logger: Logger; metrics: Metrics } {
  logger ??= new Logger({ serviceName: SERVICE });
  metrics ??= new Metrics({ serviceName: SERVICE, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EksDelegate' });
  return { logger, metrics };
}

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<DelegateResponse> {
  return invokeDelegate(event, context ? { context } : {});
}

/** What the CLI adds to an invocation: a listener for the progress of long work. */
export interface InvokeOptions {
  context?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>;
  onProgress?: (progress: ProgressReport) => void;
}

/** The handler's body; the CLI calls it directly to pass a progress listener. */
export async function invokeDelegate(event: unknown, { context, onProgress }: InvokeOptions = {}): Promise<DelegateResponse> {
  const { logger: log, metrics: m } = observability();
  if (context?.awsRequestId) log.appendKeys({ requestId: context.awsRequestId });
  const started = Date.now();
  let env: DelegateEnvironment;
  let request: DelegateRequest;
  try {
    env = readEnvironment();
    request = parseDelegateEvent(event, env);
  } catch (err) {
    if (err instanceof InvalidEventError || err instanceof EnvironmentError) {
      log.error('invalid input', { stage: 'parse', problems: err.problems });
      return invalidInput(actionOf(event), err.problems, started);
    }
    throw err;
  }
  log.appendKeys({ action: request.action, cluster: request.clusterName });

  const clients = createAwsClients({ region: request.region, s3ForcePathStyle: env.s3ForcePathStyle });
  try {
    return await runAction(request.action, request, { env, clients, logger: log, metrics: m, ...(context ? { lambda: context } : {}), ...(onProgress ? { onProgress } : {}), started });
  } catch (err) {
    // The cluster named is missing, not ACTIVE, or unusable: bad input. Other EKS failures (no credentials,
    // EKS unreachable) are operational and say so. Every action meets these the same way.
    if (err instanceof ClusterNotFoundError || err instanceof ClusterNotActiveError || err instanceof InvalidClusterConnectionError) {
      // `notFound` lets the CLI give "wrong cluster" its own exit code in every command.
      return { ...invalidInput(request.action, [err.message], started), notFound: 'cluster' };
    }
    if (err instanceof EksError) {
      log.error('EKS call failed', { stage: 'connect', error: err.message });
      return operationalFailure(request.action, request.clusterName, err.message, started);
    }
    throw err;
  } finally {
    // Nothing recorded (a failure before any metric, or the CLI): no "No application metrics" warning.
    if (m.hasStoredMetrics()) m.publishStoredMetrics();
    clients.destroy();
  }
}

function actionOf(event: unknown): string {
  const a = typeof event === 'object' && event !== null ? (event as { action?: unknown }).action : undefined;
  return typeof a === 'string' ? a : 'backup';
}
