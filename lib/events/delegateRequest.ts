import type { ResourceFilterSpec } from '../backup/filters';
import type { ExistingResourcePolicy } from '../restore/types';
import type { TranslationMode } from '../translation/types';

export type DelegateAction = DelegateRequest['action'];
export const DELEGATE_ACTIONS: readonly DelegateAction[] = [
  'backup', 'check-access', 'preflight', 'restore',
  'list-recovery-points', 'describe-recovery-point', 'verify-recovery-point', 'diff-recovery-points',
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
  /** An id, or `latest`. @default 'latest' */
  recoveryPointId: string;
  /** List the AWS dependencies themselves, not only their counts. @default false */
  details: boolean;
}

export interface VerifyRecoveryPointRequest extends CatalogTarget {
  action: 'verify-recovery-point';
  /** An id, or `latest`. @default 'latest' */
  recoveryPointId: string;
}

export interface DiffRecoveryPointsRequest extends CatalogTarget {
  action: 'diff-recovery-points';
  /** The older recovery point. @default the usable one before `to` */
  from: string | undefined;
  /** The newer recovery point (or `latest`). @default the newest usable one */
  to: string | undefined;
}

export type CatalogRequest = ListRecoveryPointsRequest | DescribeRecoveryPointRequest | VerifyRecoveryPointRequest | DiffRecoveryPointsRequest;

export type { ExistingResourcePolicy, TranslationMode };

/** The recovery point a restore reads. */
export interface RestoreSource {
  bucket: string;
  /** Region of the source bucket. @default the event's region */
  region: string;
  prefix: string;
  /** The cluster the recovery point was taken from. @default the event's clusterName */
  clusterName: string;
  /** An id, or `latest`: the newest recovery point whose manifest says COMPLETED or PARTIAL. @default 'latest' */
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
  /** @default 'known-fields' */
  translate: TranslationMode;
}

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
export type DelegateRequest = BackupRequest | CheckAccessRequest | PreflightRequest | RestoreRequest | CatalogRequest | ReadinessRequest | DriftRequest;
