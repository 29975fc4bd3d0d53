import type { GitopsMode } from './gitops';
import type { GitopsPausedObject, GitopsSummary, RestoreReportRow } from './types';

/** Appliers named in a warning, at most. */
const MAX_NAMED = 10;

/**
 * What `gitops: pause` did in one restore, from the report's rows: the appliers written held (in a dry run,
 * that would be, including those whose CRD a dry run cannot create), and those left as they existed, which
 * this restore did not hold.
 */
export class GitopsTally {
  readonly #mode: GitopsMode;
  readonly #paused: GitopsPausedObject[] = [];
  readonly #notWritten: string[] = [];

  constructor(mode: GitopsMode) {
    this.#mode = mode;
  }

  /** One row of the report; `namespace` is where the object is in the recovery cluster. */
  note(row: Pick<RestoreReportRow, 'resource' | 'name' | 'outcome' | 'skipped' | 'gitopsHeld'>, namespace: string | undefined): void {
    if (!row.gitopsHeld) return;
    if (row.outcome === 'created' || row.outcome === 'updated' || row.skipped === 'needsCrd') {
      this.#paused.push({ resource: row.resource, ...(namespace !== undefined ? { namespace } : {}), name: row.name, held: row.gitopsHeld });
    } else if (row.outcome === 'exists') {
      this.#notWritten.push(`${row.resource} ${namespace ?? ''}/${row.name}`);
    }
  }

  /** The response's `gitops`, when the restore was asked to pause. */
  summary(): GitopsSummary | undefined {
    return this.#mode === 'pause' ? { mode: 'pause', paused: this.#paused.length, objects: this.#paused } : undefined;
  }

  /** A warning naming the appliers that existed already (policy skip) and so were not held. */
  warning(): string | undefined {
    const names = this.#notWritten;
    if (names.length === 0) return undefined;
    return `gitops pause: ${names.length} GitOps applier(s) existed in the recovery cluster and were not written, so this restore did not pause them: `
      + `${names.slice(0, MAX_NAMED).join(', ')}${names.length > MAX_NAMED ? ', ...' : ''}`;
  }
}
