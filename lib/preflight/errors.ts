/** Base class for preflight errors. Unreachable targets are reported, not thrown: these are bad inputs. */
export class PreflightError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option cannot be used (a malformed cluster endpoint or override, an invalid port or timeout). */
export class PreflightOptionsError extends PreflightError {
  readonly option: string;
  readonly value: unknown;
  constructor(option: string, value: unknown, reason: string, options?: { cause?: unknown }) {
    super(`preflight option ${option}=${JSON.stringify(value)}: ${reason}`, options);
    this.option = option;
    this.value = value;
  }
}

/** A step was stopped because its own limit or the preflight's overall limit passed. */
export class StepTimeoutError extends PreflightError {
  readonly timeoutMs: number;
  constructor(step: string, timeoutMs: number, overall: boolean) {
    super(overall ? `${step}: stopped at the preflight's overall limit` : `${step}: no answer within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}
