/** Base class for errors that end a backup. Per-resource failures are recorded, never thrown. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request cannot be carried out as given (bucket missing, cluster not ACTIVE...): nothing was written. */
export class BackupPreconditionError extends BackupError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
    this.problems = problems;
  }
}

/** The Lambda's remaining time fell under the safety margin; the upload was aborted. */
export class BackupDeadlineError extends BackupError {}

/** The delegate could not read anything: not authenticated (401) or not authorized (403) at all. */
export class BackupAccessError extends BackupError {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}
