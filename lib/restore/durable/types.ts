import type { RestoreFailure, RestoreStatus, SkipCategory } from '../types';

/** One step of a durable restore: a resource type, or a chunk of a large one, named after what it restores. */
export interface SliceSpec {
  /** `tier-<rank>/<resource>` or, for a chunk, `tier-<rank>/<resource>#<chunk, from 1>`. */
  name: string;
  tier: number;
  resource: string;
  /** Objects of the type this step restores, in archive order; absent: all of them. */
  objects?: { from: number; to: number };
  /** How many objects the step accounts for. */
  count: number;
}

/** What `prepare` (everything before the first write) hands the steps: checkpointed, so small. */
export interface DurableRestorePlan {
  restoreId: string;
  recoveryPointId: string;
  sourceCluster: string;
  /** Objects in the recovery point. */
  objects: number;
  slices: SliceSpec[];
  warnings: string[];
  /** When prepare finished (ISO): the rate and ETA count from here. */
  startedAt: string;
}

/** A restore refused before anything was written: the response, ready to return. */
export interface PrepareRefused {
  refused: true;
  response: DurableRestoreResponse;
}

/** Counts shared by a step's summary and the whole restore. */
export interface RestoreCounts {
  objects: number;
  created: number;
  updated: number;
  skipped: Record<SkipCategory, number>;
  failed: number;
  notAttempted: number;
  /** Writes answered 429 and paced (a summary checkpointed before this count existed has none). */
  throttled: number;
  translations: { arns: number; images: number; identifiers: number };
}

/** One step's checkpointed result (at most a few KB: failures, references and warnings are capped). */
export interface SliceSummary extends RestoreCounts {
  name: string;
  resource: string;
  failures: RestoreFailure[];
  untranslatedReferences: Array<{ type: string; id: string; objects: string[] }>;
  warnings: string[];
  /** A reason the slice stopped early other than the deadline ('unauthorized', 'forbidden', 'error'). */
  stoppedReason?: string;
  error?: string;
  /** Whether this invocation's time budget was spent when the step ended: the next step runs in a new invocation. */
  yieldAfter: boolean;
}

/** The restore's response in durable mode (also the execution's result). */
export type DurableRestoreResponse = Record<string, unknown> & { action: 'restore'; status: RestoreStatus | 'RUNNING'; mode: 'durable' };

/** The status document `describe-restore` reads (lib/recovery-point/layout restoreStatusKey). */
export interface RestoreStatusDocument {
  restoreId: string;
  mode: 'durable';
  state: 'RUNNING' | RestoreStatus;
  clusterName: string;
  recoveryPointId?: string;
  sourceCluster?: string;
  startedAt: string;
  updatedAt: string;
  steps: { done: number; total: number };
  objects: { done: number; total: number };
  /** The last step finished: its tier and type. */
  current?: { step: string; tier: number; resource: string };
  /** The step running now (or next, between invocations): its tier, type and objects. */
  next?: { step: string; tier: number; resource: string; objects: number };
  /** Objects accounted for per second since prepare finished. */
  objectsPerSecond?: number;
  /** Seconds left at that rate. */
  etaSeconds?: number;
  counts?: Omit<RestoreCounts, 'objects'>;
  report?: string;
  error?: string;
}
