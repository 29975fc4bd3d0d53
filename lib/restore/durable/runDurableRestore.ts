import type { DurableContext, RetryDecision } from '@aws/durable-execution-sdk-js';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ManifestResource } from '../../recovery-point/manifest';
import { restoreReportPartKey } from '../../recovery-point/layout';

import { runRestore, unlockRecoveryPoint } from '../runRestore';
import type { RestoreDependencies, RestoreOptions, RestoreOutcome, SharedReads } from '../types';
import { InvocationReads } from './InvocationReads';
import { InvocationSession } from './InvocationSession';
import { mergeReportParts } from './mergeReport';
import { DEFAULT_SLICE_OBJECTS, planSlices } from './planSlices';
import { progressOf, writeRestoreStatus, type StatusLocation } from './restoreStatus';
import { decideRestoreStatus } from '../decideRestoreStatus';
import { addCounts, emptyCounts, mergeReferences, summarizeSlice } from './summary';
import type { DurableRestorePlan, DurableRestoreResponse, PrepareRefused, SliceSpec, SliceSummary } from './types';

/** Time one invocation spends on steps before it hands over to the next one. @default */
export const DEFAULT_INVOCATION_BUDGET_MS = 10 * 60_000;
/** Attempts of one step (the first included): a step cut off by the deadline or a transient failure runs again. */
const STEP_ATTEMPTS = 8;
const FAILURES_IN_RESPONSE = 20;
const WARNINGS_IN_RESPONSE = 50;

/** What one durable restore is asked to do (the restore action resolved it: recovery point, restoreId, where the report goes). */
export interface DurableRestoreInput {
  /** runRestore's options but for what each step sets (slice, resumable, report, durable). */
  options: Omit<RestoreOptions, 'slice' | 'resumable' | 'report' | 'durable'>;
  /** Where the merged report goes; the steps' parts go beside it. */
  report: { bucket: string; key: string };
  status: StatusLocation;
  /** The recovery cluster. */
  clusterName: string;
  /** Where the recovery point is, as the response names it. */
  sourceLocation: string;
  /** @default DEFAULT_SLICE_OBJECTS */
  sliceObjects?: number;
  /** @default DEFAULT_INVOCATION_BUDGET_MS */
  invocationBudgetMs?: number;
}

/** A cluster session for one step: built in the step, closed after it (nothing carried across invocations). */
export interface StepSession {
  deps: RestoreDependencies;
  close(): void;
}

export interface DurableRestoreDependencies {
  openSession(): Promise<StepSession>;
  /** The manifest's rows (types and counts), read from the recovery point. */
  readManifest(session: StepSession): Promise<{ recoveryPointId: string; sourceCluster: string; objects: number; resources: ManifestResource[] }>;
  /** A refusal before any write (bad input, no access, bad recovery point) as the restore's response; undefined: not one. */
  refusal(err: unknown): Record<string, unknown> | undefined;
  reportS3: S3Client;
  statusS3: S3Client;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Thrown by a step whose slice stopped part-way (the deadline, or the cluster unreachable): it runs again,
 * idempotently, in a later attempt.
 */
export class SliceInterruptedError extends Error {
  constructor(slice: string, reason: string, detail?: string) {
    super(`step ${slice} stopped part-way (${reason})${detail ? `: ${detail}` : ''}`);
    this.name = 'SliceInterruptedError';
  }
}

/**
 * A restore as a durable execution (DESIGN.md section 10): `prepare` does what happens before the first write
 * (manifest, archive checked against it, identifierMap, write access) and plans the steps; each step restores
 * one slice and returns a small summary, checkpointed; `finish` merges the report parts and decides the
 * status once. A step whose invocation's time budget is spent is followed by a one-second wait, which ends the
 * invocation: the engine invokes again and replays the finished steps from their checkpoints. Every step is a
 * function of its input and the clusters' state only, and can run twice (`resumable`).
 */
export async function runDurableRestore(input: DurableRestoreInput, context: DurableContext, deps: DurableRestoreDependencies): Promise<DurableRestoreResponse> {
  const now = deps.now ?? (() => new Date());
  const invocationStarted = Date.now();
  const budget = input.invocationBudgetMs ?? DEFAULT_INVOCATION_BUDGET_MS;
  const spent = () => Date.now() - invocationStarted >= budget;
  const stepConfig = { retryStrategy: retryStep };
  // This invocation's steps share one cluster session, and read the recovery point's manifest and the
  // prepare's facts once, not once each: a round trip or three less per step. Nothing outlives the invocation.
  const shared = new InvocationReads();
  const session = new InvocationSession(deps.openSession);
  const inStep = <T>(fn: (s: StepSession) => Promise<T>) => async (): Promise<T> => {
    try {
      return await fn(await session.get());
    } catch (err) {
      session.close();
      throw err;
    }
  };
  try {
    const prepared = await context.step('prepare', inStep((s) => prepare(input, deps, s, shared, now)), stepConfig);
    if ('refused' in prepared) return prepared.response;
    const plan = prepared;

    const summaries: SliceSummary[] = [];
    for (const [index, slice] of plan.slices.entries()) {
      const before = [...summaries];
      let summary: SliceSummary;
      try {
        summary = await context.step(slice.name, inStep((s) => restoreSlice(input, deps, s, shared, plan, slice, index, before, spent, now)), stepConfig);
      } catch (err) {
        // Its attempts spent (the cluster gone, the grant withdrawn): the restore ends here, and says so. The
        // failure is checkpointed, so a replay takes this branch again.
        const stopped = { step: slice.name, error: err instanceof Error ? err.message : String(err) };
        return await context.step('finish', () => finish(input, deps, session, plan, summaries, now, stopped), stepConfig);
      }
      summaries.push(summary);
      if (summary.yieldAfter && index < plan.slices.length - 1) {
        // The wait ends this invocation (its promise never settles): the session is closed first.
        session.close();
        await context.wait(`continue-after/${slice.name}`, { seconds: 1 });
      }
    }
    return await context.step('finish', () => finish(input, deps, session, plan, summaries, now), stepConfig);
  } finally {
    session.close();
  }
}

/** Transient failures and deadline cuts are retried a few times; a step's own refusal is not an exception. */
function retryStep(_error: Error, attempt: number): RetryDecision {
  return attempt < STEP_ATTEMPTS ? { shouldRetry: true, delay: { seconds: Math.min(60, 2 ** attempt) } } : { shouldRetry: false };
}

async function prepare(input: DurableRestoreInput, deps: DurableRestoreDependencies, session: StepSession, shared: SharedReads, now: () => Date): Promise<DurableRestorePlan | PrepareRefused> {
  let outcome: RestoreOutcome;
  let manifest: Awaited<ReturnType<DurableRestoreDependencies['readManifest']>>;
  try {
    // Everything before the first write, as a sync restore does it, and nothing written: an empty slice.
    // It takes the lock (removed by finish) and, seekable, stores the facts the steps read instead of the archive.
    outcome = await runRestore({ ...input.options, slice: { resources: [] }, report: part(input, 0), durable: { part: 'prepare', store: storeOf(input) } }, { ...session.deps, sharedReads: shared });
    manifest = await deps.readManifest(session);
  } catch (err) {
    const refused = deps.refusal(err);
    if (!refused) throw err;
    const response: DurableRestoreResponse = { ...refused, action: 'restore', status: 'FAILED', mode: 'durable', restoreId: input.options.restoreId };
    await writeRestoreStatus(deps.statusS3, input.status, {
      restoreId: input.options.restoreId, mode: 'durable', state: 'FAILED', clusterName: input.clusterName, startedAt: now().toISOString(),
      updatedAt: now().toISOString(), steps: { done: 0, total: 0 }, objects: { done: 0, total: 0 }, error: String(refused.error ?? 'refused'),
    });
    return { refused: true, response };
  }
  const slices = planSlices(manifest.resources, input.sliceObjects ?? DEFAULT_SLICE_OBJECTS);
  const plan: DurableRestorePlan = {
    restoreId: input.options.restoreId, recoveryPointId: manifest.recoveryPointId, sourceCluster: manifest.sourceCluster,
    objects: slices.reduce((n, s) => n + s.count, 0), slices, warnings: outcome.warnings, startedAt: now().toISOString(),
  };
  await writeRestoreStatus(deps.statusS3, input.status, {
    restoreId: plan.restoreId, mode: 'durable', state: 'RUNNING', clusterName: input.clusterName, recoveryPointId: plan.recoveryPointId,
    sourceCluster: plan.sourceCluster, startedAt: plan.startedAt, updatedAt: plan.startedAt, ...progressOf(plan, emptyCounts(), 0, now()),
  });
  return plan;
}

async function restoreSlice(
  input: DurableRestoreInput, deps: DurableRestoreDependencies, session: StepSession, shared: SharedReads, plan: DurableRestorePlan, slice: SliceSpec, index: number,
  before: readonly SliceSummary[], spent: () => boolean, now: () => Date,
): Promise<SliceSummary> {
  const outcome = await runRestore({
    ...input.options, report: part(input, index + 1), resumable: true, durable: { part: 'step', store: storeOf(input) },
    slice: { resources: [slice.resource], ...(slice.objects ? { objects: slice.objects } : {}) },
  }, { ...session.deps, sharedReads: shared });
  // Cut short: the objects it did not reach, and those it may have half-written, are the next attempt's. A
  // refusal (401, 403) is not retried: it is reported, as a sync restore reports it.
  if (outcome.stoppedReason === 'deadline' || outcome.stoppedReason === 'error') throw new SliceInterruptedError(slice.name, outcome.stoppedReason, outcome.error);
  if (outcome.report === undefined) throw new Error(`step ${slice.name}: its report part could not be written: ${outcome.warnings.at(-1) ?? ''}`);
  const summary = summarizeSlice(slice, outcome, spent());
  const done = addCounts([...before, summary]);
  await writeRestoreStatus(deps.statusS3, input.status, {
    restoreId: plan.restoreId, mode: 'durable', state: 'RUNNING', clusterName: input.clusterName, recoveryPointId: plan.recoveryPointId,
    sourceCluster: plan.sourceCluster, startedAt: plan.startedAt, updatedAt: now().toISOString(),
    ...progressOf(plan, done, index + 1, now()), counts: countsOnly(done),
  });
  return summary;
}

/**
 * The report merged and the status decided, once. `failedStep`: a step that failed for good; the objects of
 * it and of every step after it are not attempted, and the report lists the rows of the steps that finished.
 */
async function finish(
  input: DurableRestoreInput, deps: DurableRestoreDependencies, session: InvocationSession, plan: DurableRestorePlan, summaries: readonly SliceSummary[], now: () => Date,
  failedStep?: { step: string; error: string },
): Promise<DurableRestoreResponse> {
  const total = addCounts(summaries);
  total.notAttempted += plan.objects - total.objects;
  const stopped = failedStep ? { stoppedReason: 'error', error: `step ${failedStep.step} failed: ${failedStep.error}` } : summaries.find((s) => s.stoppedReason);
  const status = decideRestoreStatus(total, stopped !== undefined);
  const warnings = [...plan.warnings, ...new Set(summaries.flatMap((s) => s.warnings))].slice(0, WARNINGS_IN_RESPONSE);
  if (failedStep) warnings.push(`the report lists the objects of the ${summaries.length} step(s) that finished; ${plan.objects - total.objects} object(s) were not attempted`);
  const failures = summaries.flatMap((s) => s.failures).slice(0, FAILURES_IN_RESPONSE);
  const reportUrl = `s3://${input.report.bucket}/${input.report.key}`;
  const response: DurableRestoreResponse = {
    action: 'restore', status, mode: 'durable', dryRun: false, clusterName: input.clusterName,
    source: { location: input.sourceLocation, recoveryPointId: plan.recoveryPointId, clusterName: plan.sourceCluster },
    restoreId: plan.restoreId, report: reportUrl,
    created: total.created, updated: total.updated, skipped: total.skipped, failed: total.failed,
    ...(total.notAttempted ? { notAttempted: total.notAttempted } : {}),
    ...(total.throttled ? { throttled: total.throttled } : {}),
    failures, translations: total.translations, untranslatedReferences: mergeReferences(summaries), warnings,
    ...(stopped ? { reason: stopped.stoppedReason, error: stopped.error } : {}),
    steps: summaries.length, startedAt: plan.startedAt, durationMs: now().getTime() - Date.parse(plan.startedAt),
  };
  // The report's summary has the sync restore's shape (no `action`: readers such as describe-restore add their own),
  // with where it came from and went at the top, as restore list and describe read them.
  const { failures: _capped, action: _action, ...summary } = response;
  const origin = { recoveryPointId: plan.recoveryPointId, sourceCluster: plan.sourceCluster, targetCluster: input.clusterName };
  await mergeReportParts(deps.reportS3, input.report, summaries.map((_, i) => i + 1), { ...summary, ...origin });
  await releaseLock(input, session);
  await writeRestoreStatus(deps.statusS3, input.status, {
    restoreId: plan.restoreId, mode: 'durable', state: status, clusterName: input.clusterName, recoveryPointId: plan.recoveryPointId,
    sourceCluster: plan.sourceCluster, startedAt: plan.startedAt, updatedAt: now().toISOString(),
    ...progressOf(plan, total, summaries.length, now()), counts: countsOnly(total), report: reportUrl,
    ...(stopped?.error ? { error: stopped.error } : {}),
  });
  return response;
}

/**
 * The lock prepare took, removed once, best effort (a session that cannot be opened leaves the lock to expire
 * after a day, as a lock that cannot be deleted does).
 */
async function releaseLock(input: DurableRestoreInput, session: InvocationSession): Promise<void> {
  try {
    await unlockRecoveryPoint((await session.get()).deps, input.options);
  } catch {
    // Best effort, as above.
  }
}

/** Where the steps share what they learned (the facts, a chunked type's existing names): beside the report's parts. */
function storeOf(input: DurableRestoreInput): { bucket: string; reportKey: string } {
  return { bucket: input.report.bucket, reportKey: input.report.key };
}

function part(input: DurableRestoreInput, index: number): { bucket: string; key: string } {
  return { bucket: input.report.bucket, key: restoreReportPartKey(input.report.key, index) };
}

function countsOnly(c: ReturnType<typeof addCounts>): Omit<ReturnType<typeof addCounts>, 'objects'> {
  const { objects: _n, ...rest } = c;
  return rest;
}

