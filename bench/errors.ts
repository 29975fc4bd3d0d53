/** Base class of every error the benchmark raises itself. */
export class BenchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchError';
  }
}

/** The command line could not be understood. */
export class BenchUsageError extends BenchError {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

/** A request to the API server failed while seeding or fetching the baseline. */
export class BenchApiError extends BenchError {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;

  constructor(method: string, path: string, status: number | undefined, detail: string, options?: { cause?: unknown }) {
    super(`${method} ${path}: ${status ?? 'network error'} ${detail}`.trim(), options);
    this.name = 'BenchApiError';
    this.method = method;
    this.path = path;
    this.status = status;
  }
}

/** A measured process (the delegate, kubectl, a module load) did not end as it should. */
export class BenchProcessError extends BenchError {
  readonly command: string;
  readonly exitCode: number | null;

  constructor(command: string, exitCode: number | null, detail: string, options?: { cause?: unknown }) {
    super(`${command} exited with ${exitCode}: ${detail}`, options);
    this.name = 'BenchProcessError';
    this.command = command;
    this.exitCode = exitCode;
  }
}

/** A figure is not plausible (the bench ran but measured nothing real); the smoke run fails on this. */
export class BenchSanityError extends BenchError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`implausible benchmark figures: ${problems.join('; ')}`);
    this.name = 'BenchSanityError';
    this.problems = problems;
  }
}
