/**
 * Types of the readiness check (DESIGN.md section 11, issue 25): what each check finds, what the verdict is
 * made of, and the report written to S3.
 */
import type { LookupState } from '../aws/lookup';

/** The verdict: READY, AT_RISK (a target missed, something not checkable) or NOT_READY (missing or refused). */
export type ReadinessStatus = 'READY' | 'AT_RISK' | 'NOT_READY';

/** A problem's severity is the verdict it forces. */
export type ProblemSeverity = Exclude<ReadinessStatus, 'READY'>;

/** DESIGN.md section 11's problem kinds. */
export type ProblemKind =
  | 'missing-aws-resource' | 'not-checkable' | 'rpo' | 'rto' | 'recovery-point' | 'secrets-key' | 'admission'
  | 'api-not-served' | 'needs-crd' | 'version-skew' | 'untranslated-reference';

/**
 * What one check found, before severity is given (decideVerdict gives it, in one place). `code` tells
 * findings of one kind apart where their severity differs (an RPO target missed vs no usable recovery point).
 */
export interface Finding {
  kind: ProblemKind;
  code: FindingCode;
  /** The AWS resource type (`iam-role`, `ecr-image`, ...) or the resource type of the objects. */
  type?: string;
  /** The identifier as the recovery side would use it (after translation). */
  id?: string;
  /** The objects affected, `<resource>/<namespace>/<name>` or `<resource>/<name>`. */
  objects?: string[];
  detail: string;
}

export type FindingCode =
  | 'no-usable-recovery-point' | 'target-missed' | 'failed-backups' | 'partial-backups'
  | 'invalid' | 'partial' | 'unusable' | 'refused' | 'not-served' | 'crd-missing'
  | 'older-recovery-cluster' | 'version-not-served' | 'missing' | 'access-denied' | 'lookup-failed' | 'points-at-source'
  | 'not-measured';

/** A finding with the severity decideVerdict gave it: the response's `problems`. */
export interface ReadinessProblem extends Omit<Finding, 'code'> {
  severity: ProblemSeverity;
}

/** One recovery point as the RPO chart and check see it. */
export interface RecoveryPointAge {
  recoveryPointId: string;
  status: string;
  completedAt: string;
  /** Seconds since the usable recovery point before it (the data a disaster just before it would have lost). */
  gapSeconds?: number;
}

export interface RpoResult {
  recoveryPointAgeSeconds?: number;
  targetSeconds: number;
  met: boolean;
  newest?: { recoveryPointId: string; status: string; completedAt: string };
  /** Recent usable recovery points, newest first (the chart). */
  recent: RecoveryPointAge[];
  /** Backups of the last 7 days that failed (folder without manifest) or were PARTIAL. */
  failedLast7Days: Array<{ recoveryPointId: string; at?: string; reason: string }>;
  partialLast7Days: Array<{ recoveryPointId: string; at: string }>;
}

export interface RtoResult {
  seconds?: number;
  targetSeconds: number;
  met: boolean;
  /** The rate the estimate uses: the slower of the dry run's and the last real restore's. */
  writesPerSecond?: number;
  objectsToRestore: number;
  dryRunWritesPerSecond?: number;
  lastRestore?: { restoreId: string; writesPerSecond: number; objects: number; durationMs: number; report: string };
}

/** One AWS dependency of the restore as the recovery account sees it. */
export interface CheckedDependency {
  type: string;
  id: string;
  state: LookupState;
  detail?: string;
  objects: string[];
}

export interface DryRunSummary {
  restoreId: string;
  report?: string;
  created: number;
  updated: number;
  exists: number;
  refused: number;
  notServed: number;
  needsCrd: number;
  /** Custom resources whose CRD the restore creates first: validated only by a real restore. */
  awaitingCrd: number;
  skipped: number;
  durationMs: number;
}

export interface VersionSkew {
  sourceKubernetesVersion: string;
  recoveryKubernetesVersion: string;
  /** `group/version` of the recovery point that the recovery cluster does not serve. */
  groupVersionsNotServed: string[];
}

/** The whole result: the response body and the JSON report are both made of it. */
export interface ReadinessResult {
  status: ReadinessStatus;
  readinessId: string;
  checkedAt: string;
  clusterName: string;
  source: { clusterName: string; recoveryPointId?: string; location?: string; bucket: string; prefix: string };
  rpo: RpoResult;
  estimatedRto: RtoResult;
  verified?: { status: 'VALID' | 'INVALID'; objects: number; problems: string[] };
  dryRun?: DryRunSummary;
  versions?: VersionSkew;
  dependencies: CheckedDependency[];
  problems: ReadinessProblem[];
  /** What was checked, in words, for the report's reader. */
  checks: string[];
  warnings: string[];
  report?: string;
  html?: string;
  durationMs: number;
}
