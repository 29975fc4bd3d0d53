// What each action answers: one named type per action, built from the lib/ outcome it reports, and
// DelegateResponse, their union. The handler returns these and the CLI renders them, both from here.
//
// A new action adds one entry to ActionResponses (its own response, and the failures only it gives);
// the table of runners (index.ts) and the CLI's renderers are then checked against it.
import type { BackupAccessRemediation, AccessReport } from '../../lib/access';
import type { BackupOutcome } from '../../lib/backup';
import type {
  ListRecoveryPointsResult, RecoveryPointDescription, RestoreReportSummary, RetentionResult, VerifyResult, DiffResult,
} from '../../lib/catalog';
import type { ClusterPreflightReport } from '../../lib/delegate';
import type { DelegateAction } from '../../lib/events';
import type { DriftResult } from '../../lib/drift';
import type { ReadinessResult, RpoResult } from '../../lib/readiness';
import type { RestoreOutcome, RestoreReportRow, ResumeGitopsOutcome } from '../../lib/restore';
import type { RestoreStatusDocument } from '../../lib/restore/durable';
import type {
  FailureResponse, InvalidInputResponse, InvalidRecoveryPointResponse, NotFoundResponse, OperationalFailureResponse, SecretsKeyFailureResponse,
} from './failures';

export type * from './failures';

/** What retention did after the backup. */
export type BackupRetention = Pick<RetentionResult, 'deleted' | 'incompleteDeleted' | 'kept'>;

/** A backup that ran (its status may still be FAILED, with `reason` and `error`). */
export interface BackupResponse extends Pick<
  BackupOutcome, 'status' | 'clusterName' | 'recoveryPointId' | 'location' | 'objects' | 'resources' | 'bytes' | 'unreadable' | 'warnings' | 'scope' | 'durationMs'
> {
  action: 'backup';
  awsDependencies: BackupOutcome['awsDependencyCounts'];
  /** BackupOutcome's failureReason. */
  reason?: string;
  error?: string;
  /** Present when a retention policy is set and the backup did not fail. */
  retention?: BackupRetention;
  /** After a 401 or a 403 on everything: who the delegate is and the grant that fixes it (as check-access). */
  principalArn?: string;
  remediation?: BackupAccessRemediation['remediation'];
}

export interface CheckAccessResponse extends AccessReport {
  action: 'check-access';
  clusterName: string;
  durationMs: number;
}

export interface PreflightResponse extends ClusterPreflightReport {
  action: 'preflight';
  status: 'OK' | 'UNREACHABLE';
  clusterName: string;
}

/** A restore (or its dry run) that ran: counts, then what needs a look. */
export interface RestoreResponse extends Pick<
  RestoreOutcome, 'status' | 'dryRun' | 'restoreId' | 'report' | 'created' | 'updated' | 'skipped' | 'failed' | 'failures' | 'translations'
  | 'untranslatedReferences' | 'webhooksWithoutEndpoints' | 'gitops' | 'warnings' | 'error' | 'durationMs'
> {
  action: 'restore';
  clusterName: string;
  source: { location: string; recoveryPointId: string; clusterName: string };
  /** Only when some objects were not reached. */
  notAttempted?: number;
  /** Only when the recovery cluster answered writes 429: how many times (each paced and tried again, never failed). */
  throttled?: number;
  /** RestoreOutcome's stoppedReason. */
  reason?: string;
  /** Which way it ran: in this invocation, or (its result) as a durable execution with `steps`. */
  mode: 'sync' | 'durable';
  steps?: number;
}

/** A durable restore started: it answers at once, and `describe-restore` follows it (docs/durable-restore.md). */
export interface DurableRestoreStartedResponse {
  action: 'restore';
  status: 'RUNNING';
  mode: 'durable';
  dryRun: false;
  clusterName: string;
  source: { location: string; recoveryPointId: string; clusterName: string };
  restoreId: string;
  report: string;
  statusObject: string;
  durationMs: number;
}

/** A durable restore's progress (while RUNNING) or outcome, from the status object its steps write. */
export type DurableRestoreProgressResponse = { action: 'describe-restore'; status: 'OK' }
  & Omit<RestoreStatusDocument, 'updatedAt'> & { updatedAt: string; warnings: string[]; durationMs: number };

/** readiness (docs/readiness.md): the verdict with every reason; the whole result is in the report in S3. */
export interface ReadinessResponse extends Pick<ReadinessResult, 'status' | 'readinessId' | 'clusterName' | 'estimatedRto' | 'problems' | 'dryRun' | 'versions' | 'warnings' | 'report' | 'html' | 'durationMs'> {
  action: 'readiness';
  source: { clusterName: string; recoveryPointId?: string; location?: string };
  /** Without `recent`: the report's chart has it. */
  rpo: Omit<RpoResult, 'recent'>;
  problemsTruncated?: number;
  dependencies: { present: number; missing: number; notCheckable: number };
}

/** drift: the live cluster against its recovery point, with diff's rules (at most MAX_DIFF_ROWS rows per list). */
export interface DriftResponse extends Pick<DriftResult, 'recoveryPointId' | 'recoveryPointCompletedAt' | 'counts' | 'byResource' | 'notCompared'> {
  action: 'drift';
  status: 'OK';
  clusterName: string;
  added: DriftResult['added'];
  removed: DriftResult['removed'];
  changed: DriftResult['changed'];
  objects: { recoveryPoint: number; live: number };
  truncated?: true;
  ignoredFields: readonly string[];
  durationMs: number;
}

/** The time ran out before anything was written. */
export interface RestoreDeadlineResponse extends Omit<OperationalFailureResponse<'restore'>, 'reason'> {
  reason: 'deadline';
}

/** The recovery cluster refused the delegate (401 or 403): who it is and the grant to run, as check-access says. */
export interface RestoreAccessFailureResponse {
  action: 'restore';
  status: 'FAILED';
  reason: 'unauthorized' | 'forbidden';
  dryRun: boolean;
  clusterName: string;
  error: string;
  principalArn: string | undefined;
  remediation: BackupAccessRemediation['remediation'];
  warnings: string[];
  durationMs: number;
}

export interface ResumeGitopsResponse extends ResumeGitopsOutcome {
  action: 'resume-gitops';
  clusterName: string;
  durationMs: number;
}

/** A catalog action's answer: the action and cluster, its body, and its own run time. */
export type CatalogResponse<A extends DelegateAction, Body> = { action: A; clusterName: string } & Body & { durationMs: number };

/** How a catalog action can fail: the recovery point or restore is missing, unreadable, or its key unusable. */
export type CatalogFailureResponse<A extends DelegateAction> =
  | InvalidInputResponse<A> | NotFoundResponse<A> | OperationalFailureResponse<A> | InvalidRecoveryPointResponse<A> | SecretsKeyFailureResponse<A>;

export type ListRecoveryPointsResponse = CatalogResponse<'list-recovery-points', { status: 'OK'; location: string } & ListRecoveryPointsResult>;

/** The status is the recovery point's own (COMPLETED or PARTIAL), as the backup answered it. */
export type DescribeRecoveryPointResponse = CatalogResponse<'describe-recovery-point', RecoveryPointDescription>;

export type VerifyRecoveryPointResponse = CatalogResponse<'verify-recovery-point', VerifyResult>;

/** At most MAX_DIFF_ROWS rows per list; `counts` has the full numbers and `truncated` says when rows were left out. */
export type DiffRecoveryPointsResponse = CatalogResponse<'diff-recovery-points', { status: 'OK' } & DiffResult & {
  truncated?: true;
  ignoredFields: readonly string[];
}>;

/** One restore in `list-restores`: its report's summary, with the skipped objects counted in one number. */
export interface RestoreListRow extends Pick<
  RestoreReportSummary, 'restoreId' | 'status' | 'dryRun' | 'startedAt' | 'durationMs' | 'sourceCluster' | 'recoveryPointId' | 'targetCluster'
  | 'created' | 'updated' | 'failed' | 'notAttempted'
> {
  skipped: number;
  /** s3://bucket/key of the report. */
  report: string;
}

export type ListRestoresResponse = CatalogResponse<'list-restores', { status: 'OK'; sourceCluster: string; total: number; restores: RestoreListRow[] }>;

/** Objects left as they were, counted by outcome and reason. */
export interface SkippedReason {
  outcome: string;
  reason: string;
  objects: number;
}

/** The response's own status says the report was found; the restore's is restoreStatus (and restoreDurationMs). */
export type DescribeRestoreResponse = CatalogResponse<'describe-restore', { status: 'OK' } & Omit<RestoreReportSummary, 'status' | 'durationMs'> & {
  restoreStatus: string;
  restoreDurationMs: number;
  outcomes: Record<string, number>;
  skippedReasons: SkippedReason[];
  objects: RestoreReportRow[];
  truncated?: true;
}>;

/** Each action's response, and the failures only that action gives. One entry per action. */
export interface ActionResponses {
  backup: BackupResponse | InvalidInputResponse<'backup'>;
  'check-access': CheckAccessResponse | OperationalFailureResponse<'check-access'>;
  preflight: PreflightResponse;
  restore: RestoreResponse | DurableRestoreStartedResponse | InvalidInputResponse<'restore'> | OperationalFailureResponse<'restore'> | RestoreDeadlineResponse
    | RestoreAccessFailureResponse | (SecretsKeyFailureResponse<'restore'> & { dryRun: boolean });
  'resume-gitops': ResumeGitopsResponse | (OperationalFailureResponse<'resume-gitops'> & { dryRun: boolean });
  'list-recovery-points': ListRecoveryPointsResponse | CatalogFailureResponse<'list-recovery-points'>;
  'describe-recovery-point': DescribeRecoveryPointResponse | CatalogFailureResponse<'describe-recovery-point'>;
  'verify-recovery-point': VerifyRecoveryPointResponse | CatalogFailureResponse<'verify-recovery-point'>;
  'diff-recovery-points': DiffRecoveryPointsResponse | CatalogFailureResponse<'diff-recovery-points'>;
  'list-restores': ListRestoresResponse | CatalogFailureResponse<'list-restores'>;
  'describe-restore': DescribeRestoreResponse | DurableRestoreProgressResponse | (DescribeRestoreResponse & Pick<RestoreStatusDocument, 'mode' | 'state' | 'steps'>)
    | CatalogFailureResponse<'describe-restore'>;
  readiness: ReadinessResponse | InvalidInputResponse<'readiness'> | OperationalFailureResponse<'readiness'>;
  drift: DriftResponse | CatalogFailureResponse<'drift'>;
}

/** Every action has an entry, and nothing else does: a new action in lib/events fails to compile here until it has one. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _EveryActionHasAResponse = Assert<Same<keyof ActionResponses, DelegateAction>>;

/** Everything `action` may answer: its own responses, and the entry point's (bad input, wrong cluster, EKS failing). */
export type ResponseOf<A extends DelegateAction> = ActionResponses[A] | FailureResponse<A>;

/**
 * An action's response when it ran to an answer of its own: what its renderer lays out. A response whose
 * status is always FAILED (the failure shapes) is not one; a backup or restore that FAILED still is.
 */
export type OwnResponse<A extends DelegateAction> = Exclude<ActionResponses[A], { status: 'FAILED' }>;

/**
 * What the delegate answers, discriminated on `action` (then `status` and `reason`). A request too malformed
 * to name a known action gets an InvalidInputResponse with the action as sent.
 */
export type DelegateResponse = ResponseOf<DelegateAction> | InvalidInputResponse;
