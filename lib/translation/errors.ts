/** Base class for every error of the restore's translation. */
export class TranslationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The translation options are bad input (an unknown partition, an identifierMap entry whose target is not
 * the same kind of identifier as its source): refused before anything is written. `problems` names
 * every bad entry, one sentence each.
 */
export class TranslationConfigError extends TranslationError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid translation options: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/** An aws-auth `mapRoles`/`mapUsers`/`mapAccounts` text is not a YAML list, so it cannot be merged. */
export class AwsAuthMergeError extends TranslationError {
  /** Which ConfigMap: the recovery cluster's (`target`) or the recovery point's (`source`). */
  readonly side: 'target' | 'source';
  /** The data key, e.g. `mapRoles`. */
  readonly key: string;
  constructor(side: 'target' | 'source', key: string, options?: { cause?: unknown }) {
    super(`aws-auth ${key} of the ${side} is not a YAML list`, options);
    this.side = side;
    this.key = key;
  }
}
