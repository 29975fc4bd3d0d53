import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { AwsClients } from '../../lib/aws/clients';
import type { DelegateEnvironment } from '../../lib/config/environment';
import type { DelegateRequest } from '../../lib/events';
import type { ActionResponses } from './responses';

export type * from './responses';
export { invalidInput, operationalFailure, secretsKeyFailure } from './failures';

/** Progress of long work, for the CLI's progress line (the Lambda handler passes no listener). */
export interface ProgressReport {
  stage: 'backup' | 'restore' | 'verify' | 'diff';
  /** Archive bytes written or read so far. */
  bytes?: number;
  objects?: number;
  /** backup: resource types done and in all. */
  typesDone?: number;
  typesTotal?: number;
  /** restore: the tier being applied. */
  tier?: string;
}

/** What every action gets from the entry point. */
export interface ActionContext {
  env: DelegateEnvironment;
  clients: AwsClients;
  logger: Logger;
  metrics: Metrics;
  /** Absent when run outside Lambda (the CLI). */
  lambda?: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>;
  /** Date.now() when the invocation began. */
  started: number;
  /** Told the progress of long work; only the CLI listens. */
  onProgress?: (progress: ProgressReport) => void;
}

/**
 * One action: runs lib/ for a validated request and shapes the response, mapping its own errors to statuses.
 * It answers its own entry of ActionResponses.
 */
export type ActionRunner<R extends DelegateRequest> = (request: R, ctx: ActionContext) => Promise<ActionResponses[R['action']]>;
