/** Base class for every error about a restore. */
export class RestoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The restore cannot start: bad input found before anything was written. `problems` names each one. */
export class RestorePreconditionError extends RestoreError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
    this.problems = problems;
  }
}

/**
 * S3 would not hand over the recovery point (a request failed after the SDK's retries, or the archive's
 * download broke off twice): an operational failure before anything was written, not a bad recovery point.
 */
export class RestoreSourceError extends RestoreError {}

/** The recovery cluster refused the delegate (401 or 403 on everything): no restore without access. */
export class RestoreAccessError extends RestoreError {
  readonly status: 401 | 403;
  constructor(status: 401 | 403, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** A restored CRD did not become Established and NamesAccepted in time: its custom resources fail. */
export class CrdNotEstablishedError extends RestoreError {
  readonly crdName: string;
  constructor(crdName: string, timeoutMs: number, lastSeen: string) {
    super(`CustomResourceDefinition ${crdName} was not Established and NamesAccepted within ${timeoutMs} ms (last seen: ${lastSeen})`);
    this.crdName = crdName;
  }
}

/** The Lambda's time is nearly up: the restore stops where it is. */
export class RestoreDeadlineError extends RestoreError {}

/**
 * The recovery cluster answered a write 429 (too many requests): the write is paced and tried again, never
 * failed (lib/concurrency AdaptiveLimit). `retryAfterMs`: the server's Retry-After, when it gave one.
 */
export class TargetThrottledError extends RestoreError {
  readonly retryAfterMs: number | undefined;
  constructor(path: string, retryAfterMs: number | undefined) {
    super(`${path}: HTTP 429 Too Many Requests${retryAfterMs !== undefined ? ` (Retry-After ${retryAfterMs} ms)` : ''}`);
    this.retryAfterMs = retryAfterMs;
  }
}
