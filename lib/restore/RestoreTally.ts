import { emptyRewriteCounts, REWRITE_COUNT_KEYS } from '../translation';
import { decideRestoreStatus } from './decideRestoreStatus';
import { GitopsTally } from './GitopsTally';
import { RestoreReport } from './RestoreReport';
import type { RestoreDependencies, RestoreFailure, RestoreOptions, RestoreOutcome, RestoreReportRow, RestoreRewrite, SkipCategory } from './types';

/** Failures listed in the response; the report in S3 has every one. */
export const MAX_FAILURES_IN_RESPONSE = 20;
/** Objects between two progress reports. */
const PROGRESS_EVERY = 250;

type Json = Record<string, unknown>;

/** What became of one object: its report row but for the object's own names. */
export type ObjectResult = Omit<RestoreReportRow, 'resource' | 'namespace' | 'name'> & { rewrites?: RestoreRewrite[] };

/** Why a restore stopped early: 'deadline' | 'unauthorized' | 'forbidden' | 'error'. */
export interface StopReason {
  reason: string;
  error: string;
}

/**
 * One restore's results, kept in one place: the report's rows (exactly one per object), the counts and
 * failures they add up to, the rewrites made, the warnings, why the run stopped; and the status decided from
 * them once (decideRestoreStatus). Every object's outcome goes through record().
 */
export class RestoreTally {
  readonly #opts: Pick<RestoreOptions, 'dryRun' | 'restoreId' | 'report'>;
  readonly #deps: Pick<RestoreDependencies, 'logger' | 'onProgress' | 'reportS3' | 'connection'>;
  readonly #report: RestoreReport;
  readonly #gitops: GitopsTally;
  readonly #skipped: Record<SkipCategory, number> = { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 };
  readonly #failures: RestoreFailure[] = [];
  readonly #translations = emptyRewriteCounts();
  readonly warnings: string[] = [];
  #created = 0;
  #updated = 0;
  #failed = 0;
  #notAttempted = 0;
  #done = 0;
  #stopped: StopReason | undefined;
  /** 429s the recovery cluster answered writes with (each paced and tried again). */
  throttled = 0;

  constructor(opts: RestoreOptions, deps: Pick<RestoreDependencies, 'logger' | 'onProgress' | 'reportS3' | 'connection'>) {
    this.#opts = opts;
    this.#deps = deps;
    this.#report = new RestoreReport(opts.scratchDirectory);
    this.#gitops = new GitopsTally(opts.gitops ?? 'off');
  }

  /** Objects with their row so far. */
  get done(): number {
    return this.#done;
  }

  get stopped(): StopReason | undefined {
    return this.#stopped;
  }

  /** The first reason the run stopped is the one it reports. */
  stop(reason: StopReason): void {
    this.#stopped ??= reason;
  }

  /** One object's outcome: its row, and the counts it adds to. */
  async record(resourceName: string, obj: Json, result: ObjectResult): Promise<void> {
    const { rewrites, ...rest } = result;
    const ns = namespaceOf(obj);
    const name = nameOf(obj);
    switch (rest.outcome) {
      case 'created': this.#created++; break;
      case 'updated': this.#updated++; break;
      case 'not-attempted': this.#notAttempted++; break;
      case 'failed':
        this.#failed++;
        if (this.#failures.length < MAX_FAILURES_IN_RESPONSE) {
          this.#failures.push({ resource: resourceName, ...(ns !== undefined ? { namespace: ns } : {}), name, ...(rest.status !== undefined ? { status: rest.status } : {}), error: rest.reason ?? '' });
        }
        this.#deps.logger.warn('object not restored', { stage: 'restore', resource: resourceName, namespace: ns, name, status: rest.status, error: rest.reason });
        break;
      default: if (rest.skipped) this.#skipped[rest.skipped]++;
    }
    if (++this.#done % PROGRESS_EVERY === 0) this.#deps.onProgress?.({ resource: resourceName, objects: this.#done });
    // Rewrites are made only by a write: an object left as it exists, or refused, changed nothing.
    const written = rest.outcome === 'created' || rest.outcome === 'updated';
    if (written) for (const r of rewrites ?? []) this.#translations[REWRITE_COUNT_KEYS[r.kind]]++;
    if (rest.gitopsHeld) this.#gitops.note({ resource: resourceName, name, ...rest }, rest.targetNamespace ?? ns);
    await this.#report.add({
      resource: resourceName, ...(ns !== undefined ? { namespace: ns } : {}), name, ...rest,
      ...(written && rewrites?.length ? { rewrites } : {}),
    });
  }

  /** The outcome, its status decided once, and the report uploaded (a report that cannot be written is a warning). */
  async finish(
    run: Pick<RestoreOutcome, 'recoveryPointId' | 'sourceCluster' | 'untranslatedReferences' | 'webhooksWithoutEndpoints'>, started: Date, completed: Date,
  ): Promise<RestoreOutcome> {
    const status = decideRestoreStatus({ created: this.#created, updated: this.#updated, skipped: this.#skipped, failed: this.#failed, notAttempted: this.#notAttempted }, this.#stopped !== undefined);
    const gitops = this.#gitops.summary();
    const gitopsWarning = this.#gitops.warning();
    const outcome: RestoreOutcome = {
      status,
      dryRun: this.#opts.dryRun,
      restoreId: this.#opts.restoreId,
      recoveryPointId: run.recoveryPointId,
      sourceCluster: run.sourceCluster,
      created: this.#created,
      updated: this.#updated,
      skipped: { ...this.#skipped },
      failed: this.#failed,
      notAttempted: this.#notAttempted,
      throttled: this.throttled,
      failures: this.#failures.slice(0, MAX_FAILURES_IN_RESPONSE),
      translations: { ...this.#translations },
      untranslatedReferences: run.untranslatedReferences,
      webhooksWithoutEndpoints: run.webhooksWithoutEndpoints,
      ...(gitops ? { gitops } : {}),
      warnings: [...this.warnings, ...(gitopsWarning ? [gitopsWarning] : [])],
      ...(this.#stopped ? { stoppedReason: this.#stopped.reason, error: this.#stopped.error } : {}),
      startedAt: started.toISOString(),
      durationMs: completed.getTime() - started.getTime(),
    };
    const { bucket, key } = this.#opts.report;
    try {
      const { failures: _first, throttled, ...summary } = outcome;
      // The cluster restored into, so a report read on its own (restore list, describe) says where it went.
      await this.#report.upload(this.#deps.reportS3, bucket, key, {
        ...summary, ...(throttled ? { throttled } : {}), targetCluster: this.#deps.connection.name, report: `s3://${bucket}/${key}`,
      });
      outcome.report = `s3://${bucket}/${key}`;
    } catch (err) {
      outcome.warnings.push(`the restore report could not be written to s3://${bucket}/${key}: ${errorText(err)}`);
    } finally {
      this.#report.dispose();
    }
    return outcome;
  }

  /** Removes the report's local file (finish does it too). */
  dispose(): void {
    this.#report.dispose();
  }
}

/** An object left as it is, or not restored by rule: `exists` when it is in the recovery cluster, else `skipped`. */
export function skipped(category: SkipCategory, reason: string, extra: Partial<ObjectResult> = {}): ObjectResult {
  return { outcome: category === 'exists' ? 'exists' : 'skipped', skipped: category, reason, ...extra };
}

export function failed(error: string, status?: number, extra: Partial<ObjectResult> = {}): ObjectResult {
  return { outcome: 'failed', reason: error, ...(status !== undefined ? { status } : {}), ...extra };
}

export function namespaceOf(obj: Json): string | undefined {
  const ns = (obj.metadata as Json | undefined)?.namespace;
  return typeof ns === 'string' ? ns : undefined;
}

export function nameOf(obj: Json): string {
  return String((obj.metadata as Json | undefined)?.name ?? '');
}

/** An object of the recovery point within its type, as the report names it. */
export function rowKey(obj: Json): string {
  return `${namespaceOf(obj) ?? ''}/${nameOf(obj)}`;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
