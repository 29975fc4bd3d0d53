import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { AwsClients } from '../../lib/aws/clients';
import type { DelegateEnvironment } from '../../lib/config/environment';
import type { DelegateRequest } from '../../lib/events';
import type { SecretKeyError } from '../../lib/secrets';

/** Every response names its action and a status; the rest is the action's own. */
export type DelegateResponse = Record<string, unknown> & { action: string; status: string };

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

/** One action: runs lib/ for a validated request and shapes the response, mapping its own errors to statuses. */
export type ActionRunner<R extends DelegateRequest> = (request: R, ctx: ActionContext) => Promise<DelegateResponse>;

/** The FAILED response for bad input: every problem named, nothing done. */
export function invalidInput(action: string, problems: readonly string[], started: number): DelegateResponse {
  return { action, status: 'FAILED', reason: 'invalid-input', error: problems.join('; '), problems: [...problems], durationMs: Date.now() - started };
}

/** The FAILED response for an operational error (not the caller's input). */
export function operationalFailure(action: string, clusterName: string, error: string, started: number): DelegateResponse {
  return { action, status: 'FAILED', reason: 'error', clusterName, error, durationMs: Date.now() - started };
}

/**
 * The FAILED response when a recovery point's Secrets key cannot be used (README "Secrets"): the key, why,
 * and KMS's error code; nothing was read past the manifest, nothing written.
 */
export function secretsKeyFailure(action: string, clusterName: string, err: SecretKeyError, started: number): DelegateResponse {
  return {
    action, status: 'FAILED', reason: 'secrets-key', clusterName, error: err.message,
    secretsKey: { kmsKeyId: err.keyId, reason: err.reason, ...(err.kmsCode ? { kmsCode: err.kmsCode } : {}) },
    durationMs: Date.now() - started,
  };
}
