// The FAILED responses every action shares, and the functions that build them. An action's own FAILED
// outcome (a backup or restore that ran and failed) is its own response type; these are the ones where
// the action did not get that far.
import type { SecretKeyError } from '../../lib/secrets';

/**
 * Where the named cluster, recovery point or restore does not exist, a response says so in `notFound` (the
 * entry point for clusters, the catalog and restore for the others); `reason` stays as the handler's
 * contract has it. The CLI gives each its own exit code.
 */
export type NotFound = 'cluster' | 'recovery-point' | 'restore';

/** What every failure has. `A` is the action: any string for a request too malformed to name a known one. */
interface FailedBase<A extends string> {
  action: A;
  status: 'FAILED';
  error: string;
  durationMs: number;
}

/** Bad input: every problem named, nothing done. */
export interface InvalidInputResponse<A extends string = string> extends FailedBase<A> {
  reason: 'invalid-input';
  problems: string[];
  notFound?: NotFound;
}

/** An operational error (not the caller's input): AWS or the cluster refused or could not be reached. */
export interface OperationalFailureResponse<A extends string = string> extends FailedBase<A> {
  reason: 'error';
  clusterName: string;
}

/** A recovery point's Secrets key cannot be used (README "Secrets"): the key, why, and KMS's error code. */
export interface SecretsKeyFailureResponse<A extends string = string> extends FailedBase<A> {
  reason: 'secrets-key';
  clusterName: string;
  secretsKey: { kmsKeyId: string; reason: SecretKeyError['reason']; kmsCode?: string };
}

/** The recovery point or restore named is not there. */
export interface NotFoundResponse<A extends string = string> extends FailedBase<A> {
  reason: 'not-found';
  notFound: Exclude<NotFound, 'cluster'>;
  clusterName: string;
}

/** The recovery point is there but does not hold together (layout or manifest problems). */
export interface InvalidRecoveryPointResponse<A extends string = string> extends FailedBase<A> {
  reason: 'invalid-recovery-point';
  clusterName: string;
  problems: string[];
}

/** The failures any action may answer (the entry point's own, before the action ran, included). */
export type FailureResponse<A extends string = string> = InvalidInputResponse<A> | OperationalFailureResponse<A>;

/** The FAILED response for bad input: every problem named, nothing done. */
export function invalidInput<A extends string>(action: A, problems: readonly string[], started: number): InvalidInputResponse<A> {
  return { action, status: 'FAILED', reason: 'invalid-input', error: problems.join('; '), problems: [...problems], durationMs: Date.now() - started };
}

/** The FAILED response for an operational error (not the caller's input). */
export function operationalFailure<A extends string>(action: A, clusterName: string, error: string, started: number): OperationalFailureResponse<A> {
  return { action, status: 'FAILED', reason: 'error', clusterName, error, durationMs: Date.now() - started };
}

/**
 * The FAILED response when a recovery point's Secrets key cannot be used (README "Secrets"): the key, why,
 * and KMS's error code; nothing was read past the manifest, nothing written.
 */
export function secretsKeyFailure<A extends string>(action: A, clusterName: string, err: SecretKeyError, started: number): SecretsKeyFailureResponse<A> {
  return {
    action, status: 'FAILED', reason: 'secrets-key', clusterName, error: err.message,
    secretsKey: { kmsKeyId: err.keyId, reason: err.reason, ...(err.kmsCode ? { kmsCode: err.kmsCode } : {}) },
    durationMs: Date.now() - started,
  };
}
