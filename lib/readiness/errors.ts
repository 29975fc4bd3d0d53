/** Base of the readiness check's own errors; callers branch on instanceof. */
export class ReadinessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The event cannot be checked as given (an identifierMap that does not parse, a bad source): nothing was written. */
export class ReadinessInputError extends ReadinessError {
  readonly problems: string[];
  constructor(problems: string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
    this.problems = problems;
  }
}
