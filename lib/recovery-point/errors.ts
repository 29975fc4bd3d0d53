/** Base class for every error about writing, reading or naming a recovery point. */
export class RecoveryPointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A prefix, cluster name, recovery point id or archive path is unsafe or malformed.
 * `problems` names every problem found, so a caller can report them all at once.
 */
export class RecoveryPointPathError extends RecoveryPointError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
    this.problems = problems;
  }
}

/** `<folder>manifest.json` already exists: a recovery point is never overwritten. */
export class RecoveryPointExistsError extends RecoveryPointError {
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, options?: { cause?: unknown }) {
    super(`s3://${bucket}/${key} already exists: refusing to overwrite a committed recovery point`, options);
    this.bucket = bucket;
    this.key = key;
  }
}

/** Something went wrong with one S3 object of a recovery point; the message starts with its s3:// URL. */
export abstract class RecoveryPointObjectError extends RecoveryPointError {
  readonly bucket: string;
  readonly key: string;
  constructor(bucket: string, key: string, message: string, options?: { cause?: unknown }) {
    super(`s3://${bucket}/${key}: ${message}`, options);
    this.bucket = bucket;
    this.key = key;
  }
}

/** Writing the archive or the manifest failed; `cause` holds the S3, stream or zlib error. */
export class RecoveryPointWriteError extends RecoveryPointObjectError {}

/** The writer was aborted (abort() or the abort signal); `cause` is the abort reason. */
export class RecoveryPointAbortedError extends RecoveryPointWriteError {}

/** A method was called in a state that does not allow it (e.g. writeManifest before finish). */
export class RecoveryPointStateError extends RecoveryPointError {
  readonly state: string;
  constructor(state: string, message: string) {
    super(`${message} (writer state: ${state})`);
    this.state = state;
  }
}

/** An archive entry is unsafe (would escape its folder, a link) or cannot be read. */
export class ArchiveEntryError extends RecoveryPointError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`archive entry ${JSON.stringify(path)}: ${message}`, options);
    this.path = path;
  }
}

/** manifest.json is not valid JSON or lacks an essential field; `problems` names each one. */
export class ManifestError extends RecoveryPointError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`invalid recovery point manifest: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}

/** No manifest.json where a recovery point was expected: it does not exist, or it never completed. */
export class RecoveryPointNotFoundError extends RecoveryPointError {
  readonly bucket: string;
  readonly folder: string;
  constructor(bucket: string, folder: string, message: string, options?: { cause?: unknown }) {
    super(`s3://${bucket}/${folder}: ${message}`, options);
    this.bucket = bucket;
    this.folder = folder;
  }
}

/**
 * S3 could not hand over the manifest or the archive (the request failed after the SDK's retries, or the
 * body broke off mid-way): nothing is known about the recovery point itself, and reading it again may work.
 */
export class RecoveryPointReadError extends RecoveryPointObjectError {}

/**
 * The archive does not match its manifest or holds an entry that is not what its path says (a bad
 * recovery point). `problems` names each one found.
 */
export class RecoveryPointIntegrityError extends RecoveryPointError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`recovery point failed verification: ${problems.join('; ')}`, options);
    this.problems = problems;
  }
}
