/** Base class for errors of the recovery-point catalog (list, describe, verify, diff, retention). */
export class CatalogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A recovery point the caller named (or `latest`) cannot be used: there is none, it is incomplete, or its
 * manifest is unreadable. `cause` keeps the RecoveryPointNotFoundError or ManifestError.
 */
export class RecoveryPointUnavailableError extends CatalogError {
  readonly recoveryPointId: string;
  constructor(recoveryPointId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.recoveryPointId = recoveryPointId;
  }
}

/** A diff needs two recovery points and the cluster has fewer usable ones. */
export class NotEnoughRecoveryPointsError extends CatalogError {}

/** Retention could not delete what it decided to delete; `keys` names what S3 refused. */
export class RetentionDeleteError extends CatalogError {
  readonly keys: readonly string[];
  constructor(keys: readonly string[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.keys = keys;
  }
}

/** No restore report by that id under the folders looked in; `lookedIn` names them. */
export class RestoreReportNotFoundError extends CatalogError {
  readonly restoreId: string;
  readonly lookedIn: readonly string[];
  constructor(restoreId: string, lookedIn: readonly string[], options?: { cause?: unknown }) {
    super(`no restore report ${restoreId} under ${lookedIn.join(' or ')}`, options);
    this.restoreId = restoreId;
    this.lookedIn = lookedIn;
  }
}

/** A restore report that is not what a restore writes (not JSON, no restoreId). */
export class RestoreReportUnreadableError extends CatalogError {
  readonly key: string;
  constructor(key: string, why: string, options?: { cause?: unknown }) {
    super(`restore report ${key} is unreadable: ${why}`, options);
    this.key = key;
  }
}
