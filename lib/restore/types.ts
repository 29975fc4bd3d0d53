import type { S3Client } from '@aws-sdk/client-s3';
import type { ResourceFilterSpec } from '../backup/filters';
import type { ClusterConnection } from '../eks';
import type { KubeTransport } from '../kube/types';
import type { DelegateLogger } from '../observability/DelegateLogger';
import type { KmsClientFor } from '../secrets';
import type { RewriteCounts, RewriteKind } from '../translation';
import type { GitopsMode } from './gitops';
import type { WebhookWithoutEndpoints } from './webhooks';

export type { GitopsMode, HeldField } from './gitops';
export type { WebhookWithoutEndpoints, FailurePolicy } from './webhooks';

/** `skip`: an object that exists is left alone and reported; `update`: it is brought to the recovery point's version. */
export type ExistingResourcePolicy = 'skip' | 'update';
export type RestoreStatus = 'COMPLETED' | 'PARTIAL' | 'FAILED';

/** One AWS identifier rewritten in one object (see lib/translation). */
export interface RestoreRewrite {
  path: string;
  from: string;
  to: string;
  kind: RewriteKind;
}

/**
 * What rewrites AWS identifiers on the way (lib/translation's Translator satisfies it). Restore works without
 * one: nothing is rewritten.
 */
export interface ObjectTranslator {
  readonly isNoop: boolean;
  /** Rewrites the object in place; returns what it changed. */
  translate(resourceName: string, object: Record<string, unknown>): RestoreRewrite[];
}

/** Collects the AWS references still pointing at the source after translation (lib/translation). */
export interface UntranslatedReferences {
  observe(object: Record<string, unknown>): void;
  references(): Array<{ type: string; id: string; objects: string[] }>;
}

/**
 * What became of one object. `created`/`updated` under dryRun mean "would be": the API server accepted the
 * dry-run write, admission and validation included.
 */
export type RowOutcome = 'created' | 'updated' | 'exists' | 'skipped' | 'failed' | 'not-attempted';

/** Why an object was skipped: the response counts these. */
export type SkipCategory = 'exists' | 'notRestorable' | 'owned' | 'excluded' | 'needsCrd';

/** One row of the per-object report in S3. */
export interface RestoreReportRow {
  resource: string;
  /** As in the recovery point; absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
  /** Where it goes in the recovery cluster, when namespaceMapping moved it. */
  targetNamespace?: string;
  /** The name in the recovery cluster, when namespaceMapping renamed it (namespaces). */
  targetName?: string;
  outcome: RowOutcome;
  /** For skipped objects: which count they are in. */
  skipped?: SkipCategory;
  /** Why: skipped, failed, or how it was written (`merged` for aws-auth). */
  reason?: string;
  /** HTTP status of a failed write. */
  status?: number;
  rewrites?: RestoreRewrite[];
  /** With `gitops: pause`: the fields held on this applier (see GITOPS_PAUSED_ANNOTATION). */
  gitopsHeld?: string[];
}

export interface RestoreOptions {
  /** Where the recovery point is. */
  source: { bucket: string; folder: string };
  dryRun: boolean;
  existingResourcePolicy: ExistingResourcePolicy;
  filters: ResourceFilterSpec;
  namespaceMapping: Readonly<Record<string, string>>;
  /** `pause`: Argo CD and Flux appliers restored held (docs/gitops-and-webhooks.md). @default 'off' */
  gitops?: GitopsMode;
  /** Where the report goes. */
  report: { bucket: string; key: string };
  restoreId: string;
  /**
   * Writes in flight for the whole restore, shared by the types of a tier (written at once); a 429 lowers
   * it for a while (lib/concurrency AdaptiveLimit). @default DEFAULT_RESTORE_CONCURRENCY (8)
   */
  concurrency?: number;
  /** Stop when less than this many ms of Lambda time remain. @default 30_000 */
  deadlineMarginMs?: number;
  /** How long a restored CRD may take to be established. @default 60_000 */
  crdWaitMs?: number;
  /** Parent of the spool and report files. @default os.tmpdir() */
  scratchDirectory?: string;
  /**
   * Restore only these types (in restore order), and of a single type only the objects at `from` (inclusive)
   * to `to` (exclusive) in archive order: one step of a durable restore. `resources: []` checks the recovery
   * point and the access and writes nothing. @default undefined: every type
   */
  slice?: RestoreSlice;
  /**
   * A run that may repeat an earlier, cut-off run of the same restore: an object that exists, matches what
   * this restore writes and was last written by the delegate counts as created by it. @default false
   */
  resumable?: boolean;
  /**
   * A part of a durable restore (lib/restore/durable); `store`: where its steps share what they learned (the
   * report's bucket and key: beside its parts). `prepare` takes the recovery point's lock and keeps it (the
   * durable restore's `finish` removes it) and, for a seekable (1.2) recovery point, stores what the whole
   * archive's read learned (layout.restoreFactsKey); a `step` takes no lock and, when those facts are there,
   * reads only its own types' members (by Range, each member's SHA-256 checked) instead of the whole archive.
   * The chunks of one type list the type in the recovery cluster once (layout.restoreExistingNamesKey).
   * @default undefined: a restore of its own (lock taken and removed, the whole archive read and verified)
   */
  durable?: { part: 'prepare' | 'step'; store: { bucket: string; reportKey: string } };
}

/** A bounded part of a restore (see RestoreOptions.slice). */
export interface RestoreSlice {
  resources: readonly string[];
  objects?: { from: number; to: number };
}

export interface RestoreDependencies {
  /** The recovery cluster. */
  connection: ClusterConnection;
  kube: KubeTransport;
  /** Reads the recovery point (source bucket's region). */
  sourceS3: S3Client;
  /**
   * KMS clients by region, to open the recovery point's sealed Secrets (kms:Decrypt on its key). A key that
   * cannot be used throws SecretKeyError before anything is written. @default undefined: such a recovery point fails
   */
  kmsFor?: KmsClientFor;
  /** Writes the report. */
  reportS3: S3Client;
  logger: DelegateLogger;
  /** Built once the recovery point's manifest says where it came from; undefined: no translation. */
  translatorFor?: (source: { account: string; region: string; arn: string }) => { translator: ObjectTranslator; untranslated: UntranslatedReferences } | undefined;
  /** Told as each resource type starts and every few hundred objects (for the CLI's progress line). */
  onProgress?: (progress: { resource: string; objects: number }) => void;
  /** Milliseconds left before the Lambda is stopped. @default unlimited */
  remainingTimeMs?: () => number;
  /** @default () => new Date() */
  now?: () => Date;
  /**
   * Reads a durable restore's steps share within one invocation: the recovery point's reader (its manifest
   * checked once) and the facts its prepare stored, both immutable for the restore, and the write-access review
   * (a grant withdrawn later shows as the writes' 401 or 403, which stops the step as a refusal). @default
   * undefined: each run reads them itself
   */
  sharedReads?: SharedReads;
}

/** Reads done once and handed to every later asker; a failed read is forgotten, so the next asker reads again. */
export interface SharedReads {
  once<T>(key: 'recovery-point' | 'facts' | 'write-access', read: () => Promise<T>): Promise<T>;
}

export interface RestoreFailure {
  resource: string;
  namespace?: string;
  name: string;
  status?: number;
  error: string;
}

export interface RestoreOutcome {
  status: RestoreStatus;
  dryRun: boolean;
  restoreId: string;
  recoveryPointId: string;
  sourceCluster: string;
  created: number;
  updated: number;
  skipped: Record<SkipCategory, number>;
  failed: number;
  /** Objects not reached because the restore stopped (deadline). */
  notAttempted: number;
  /** Writes the recovery cluster answered 429 (Too Many Requests): each paced and tried again, none failed. */
  throttled: number;
  /** The first failures (the report has them all). */
  failures: RestoreFailure[];
  translations: RewriteCounts;
  untranslatedReferences: Array<{ type: string; id: string; objects: string[] }>;
  /** Restored (dry run: would-be-restored) admission webhooks that will not answer in the recovery cluster. */
  webhooksWithoutEndpoints: WebhookWithoutEndpoints[];
  /** With `gitops: pause`: the appliers written held (dry run: that would be). */
  gitops?: GitopsSummary;
  warnings: string[];
  /** Why a PARTIAL or FAILED restore stopped early: 'deadline' | 'unauthorized' | 'forbidden' | 'error'. */
  stoppedReason?: string;
  error?: string;
  /** Where the report was written, or undefined when it could not be. */
  report?: string;
  startedAt: string;
  durationMs: number;
}

/** One applier restored held by `gitops: pause`. */
export interface GitopsPausedObject {
  resource: string;
  /** In the recovery cluster (after namespaceMapping). */
  namespace?: string;
  name: string;
  /** The fields held: their recovery-point values are in the object's annotation. */
  held: string[];
}

export interface GitopsSummary {
  mode: GitopsMode;
  paused: number;
  objects: GitopsPausedObject[];
}
