import type { EKSClient } from '@aws-sdk/client-eks';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ClusterConnection } from '../eks';
import type { KubeTransport } from '../kube/types';
import type { DelegateLogger } from '../observability/DelegateLogger';
import type { ManifestResource, ManifestScope } from '../recovery-point/manifest';
import type { ResourceFilterSpec } from './filters';

export type BackupStatus = 'COMPLETED' | 'PARTIAL' | 'FAILED';

export interface BackupOptions {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** @default generated from the start time, e.g. 20261123T200501Z-7f3a */
  recoveryPointId?: string;
  filters: ResourceFilterSpec;
  /** Items per list page. @default 500 */
  pageSize?: number;
  /** Resource types listed at once. @default 4 */
  listConcurrency?: number;
  /** SSE-KMS key for the recovery point; SSE-S3 (AES256) when absent. */
  kmsKeyId?: string;
  /**
   * KMS key that seals every Secret's `data` and `stringData` values in the archive (one data key per
   * recovery point, README "Secrets"); needs `kms` in the dependencies. @default undefined: values stored as served
   */
  secretsKmsKeyId?: string;
  /** Stop and abort when less than this many ms remain. @default 30_000 */
  deadlineMarginMs?: number;
}

export interface BackupDependencies {
  connection: ClusterConnection;
  kube: KubeTransport;
  s3: S3Client;
  eks: EKSClient;
  /** For secretsKmsKeyId (kms:GenerateDataKey). @default undefined */
  kms?: KMSClient;
  logger: DelegateLogger;
  /** Milliseconds left before the Lambda is stopped (context.getRemainingTimeInMillis). @default unlimited */
  remainingTimeMs?: () => number;
  /** @default () => new Date() */
  now?: () => Date;
  /** Told after each resource type is listed (the CLI's progress line). @default undefined */
  onProgress?: (progress: BackupProgress) => void;
}

/** How far a backup has got. */
export interface BackupProgress {
  typesDone: number;
  /** Types to list found so far: it grows while discovery is still handing groups over (issue 16). */
  typesTotal: number;
  /** Objects written to the archive so far. */
  objects: number;
  /** Compressed archive bytes so far. */
  bytes: number;
}

/** What happened to one resource type: exactly the manifest's row for it. */
export type ResourceOutcome = ManifestResource;

export interface UnreadableResource {
  resource: string;
  reason: 'forbidden' | 'failed' | 'unauthorized';
  error?: string;
}

export interface BackupOutcome {
  status: BackupStatus;
  clusterName: string;
  recoveryPointId: string;
  /** s3://bucket/prefix/cluster/id/ */
  location: string;
  /** Objects written to the archive. */
  objects: number;
  /** Resource types read completely. */
  resources: number;
  /** Size of resources.tar.gz. */
  bytes: number;
  unreadable: UnreadableResource[];
  warnings: string[];
  /** Why a FAILED backup failed: 'deadline' | 'unauthorized' | 'forbidden' | 'storage' | 'error'. */
  failureReason?: string;
  error?: string;
  /** HTTP status that ended an unauthorized/forbidden backup (401 or 403). */
  accessStatus?: number;
  /** The filters as applied and whether the recovery point is whole-cluster (the manifest's `scope`). */
  scope: ManifestScope;
  resourceOutcomes: ResourceOutcome[];
  /** Distinct AWS dependencies by type; the dependencies themselves are in the manifest. */
  awsDependencyCounts: Record<string, number>;
  manifestKey?: string;
  startedAt: string;
  completedAt: string;
  durationMs: number;
}
