import type { ResourceFilterSpec } from '../backup/filters';
import type { ExistingResourcePolicy, GitopsMode } from '../restore/types';
import type { TranslationMode } from '../translation/types';

export type DelegateAction = DelegateRequest['action'];
export const DELEGATE_ACTIONS: readonly DelegateAction[] = [
  'backup', 'check-access', 'preflight', 'restore', 'resume-gitops',
  'list-recovery-points', 'describe-recovery-point', 'verify-recovery-point', 'diff-recovery-points',
  'list-restores', 'describe-restore',
  'readiness', 'drift',
];

interface ClusterTarget {
  clusterName: string;
  region: string;
}

export interface BackupRequest extends ClusterTarget {
  action: 'backup';
  bucket: string;
  prefix: string;
  /** Generated from the start time when the event gives none. */
  recoveryPointId: string | undefined;
  filters: ResourceFilterSpec;
  /** Where the request came from, for logs: 'direct' | 'schedule'. */
  trigger: 'direct' | 'schedule';
}

export interface CheckAccessRequest extends ClusterTarget {
  action: 'check-access';
}

export interface PreflightRequest extends ClusterTarget {
  action: 'preflight';
}

/** Where a catalog action finds the cluster's recovery points (no cluster connection is made). */
interface CatalogTarget extends ClusterTarget {
  bucket: string;
  prefix: string;
}

/** DESIGN.md section 9. */
export interface ListRecoveryPointsRequest extends CatalogTarget {
  action: 'list-recovery-points';
  /** Rows per page. @default 100 */
  limit: number | undefined;
  /** The previous response's nextToken. */
  nextToken: string | undefined;
}

export interface DescribeRecoveryPointRequest extends CatalogTarget {
  action: 'describe-recovery-point';
  /** An id, `latest` (newest whole-cluster) or `latest-any` (any scope). @default 'latest' */
  recoveryPointId: string;
  /** List the AWS dependencies themselves, not only their counts. @default false */
  details: boolean;
}

export interface VerifyRecoveryPointRequest extends CatalogTarget {
  action: 'verify-recovery-point';
  /** An id, `latest` (newest whole-cluster) or `latest-any` (any scope). @default 'latest' */
  recoveryPointId: string;
}

export interface DiffRecoveryPointsRequest extends CatalogTarget {
  action: 'diff-recovery-points';
  /** The older recovery point. @default the usable one before `to` */
  from: string | undefined;
  /** The newer recovery point (or `latest`, `latest-any`). @default the newest usable whole-cluster one */
  to: string | undefined;
}

/**
 * Where restore reports are looked for: beside the recovery points of `sourceCluster`, and under the folder
 * of `clusterName` (the cluster restored into) where a recovery account's delegate wrote its own.
 */
interface RestoreReportTarget extends CatalogTarget {
  /** The cluster the recovery points were taken from. @default clusterName */
  sourceCluster: string;
}

export interface ListRestoresRequest extends RestoreReportTarget {
  action: 'list-restores';
  /** Only the restores of this recovery point. */
  recoveryPointId: string | undefined;
  /** Reports read, newest first. @default 20 */
  limit: number;
}

export interface DescribeRestoreRequest extends RestoreReportTarget {
  action: 'describe-restore';
  restoreId: string;
  /** Every object by outcome, not only the failed ones. @default false */
  details: boolean;
}

export type CatalogRequest =
  | ListRecoveryPointsRequest | DescribeRecoveryPointRequest | VerifyRecoveryPointRequest | DiffRecoveryPointsRequest
  | ListRestoresRequest | DescribeRestoreRequest;

export type { ExistingResourcePolicy, GitopsMode, TranslationMode };

/** The recovery point a restore reads. */
export interface RestoreSource {
  bucket: string;
  /** Region of the source bucket. @default the event's region */
  region: string;
  prefix: string;
  /** The cluster the recovery point was taken from. @default the event's clusterName */
  clusterName: string;
  /**
   * An id; `latest`: the newest whole-cluster recovery point whose manifest says COMPLETED or PARTIAL; or
   * `latest-any`: the same whatever its scope, filtered ones included (docs/scope.md). @default 'latest'
   */
  recoveryPointId: string;
}

/** DESIGN.md section 8. clusterName/region name the recovery cluster. */
export interface RestoreRequest extends ClusterTarget {
  action: 'restore';
  source: RestoreSource;
  /** Every write is sent with `?dryRun=All`. @default false */
  dryRun: boolean;
  /** @default 'skip' */
  existingResourcePolicy: ExistingResourcePolicy;
  filters: ResourceFilterSpec;
  /** Source namespace -> namespace in the recovery cluster. @default {} */
  namespaceMapping: Record<string, string>;
  /** Exact AWS-generated identifiers -> their recovery-side replacements. @default {} */
  identifierMap: Record<string, string>;
  /** Source availability zone -> recovery zone, for zone fields (lib/translation). @default {} */
  zoneMap: Record<string, string>;
  /** Region -> region, for region names in known fields (everywhere with translate: everywhere). @default {} */
  regionMap: Record<string, string>;
  /** @default 'known-fields' */
  translate: TranslationMode;
  /** `pause`: Argo CD and Flux appliers restored held, for resume-gitops to release. @default 'off' */
  gitops: GitopsMode;
  /**
   * `durable`: a durable execution that continues across invocations by itself (docs/durable-restore.md).
   * @default undefined: durable when DURABLE_RESTORE_FUNCTION is set and the recovery point holds more than
   * RESTORE_SYNC_MAX_OBJECTS objects (and it is no dry run), else sync
   */
  mode: RestoreMode | undefined;
  /** Given by the restore action to the durable restore it starts; absent: a new one. */
  restoreId: string | undefined;
}

/** Releases what a `gitops: pause` restore held in the recovery cluster (clusterName/region name it). */
export interface ResumeGitopsRequest extends ClusterTarget {
  action: 'resume-gitops';
  /** Every write is sent with `?dryRun=All`. @default false */
  dryRun: boolean;
  /** Only appliers in these namespaces (of the recovery cluster). @default every namespace */
  namespaces: string[];
}

/** How a restore runs: in this invocation, or as a durable execution of the durable restore function. */
export type RestoreMode = 'sync' | 'durable';

/**
 * DESIGN.md section 11: run in the recovery account and region; clusterName/region name the recovery
 * cluster, `source` the recovery point (as for restore, `recoveryPointId` defaulting to `latest`).
 */
export interface ReadinessRequest extends ClusterTarget {
  action: 'readiness';
  source: RestoreSource;
  /** As for restore: readiness checks the restore that would run. @default {} */
  namespaceMapping: Record<string, string>;
  /** @default {} */
  identifierMap: Record<string, string>;
  /** As for restore. @default {} */
  zoneMap: Record<string, string>;
  /** As for restore. @default {} */
  regionMap: Record<string, string>;
  /** @default 'known-fields' */
  translate: TranslationMode;
}

/** DESIGN.md section 11: the live (source) cluster against its latest recovery point. */
export interface DriftRequest extends CatalogTarget {
  action: 'drift';
  /** An id, or `latest`. @default 'latest' */
  recoveryPointId: string;
}

/** A validated event: everything the delegate needs, defaults applied. */
export type DelegateRequest =
  | BackupRequest | CheckAccessRequest | PreflightRequest | RestoreRequest | ResumeGitopsRequest | CatalogRequest | ReadinessRequest | DriftRequest;
