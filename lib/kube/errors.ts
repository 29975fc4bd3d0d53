/** Base class for every error that comes from talking to the Kubernetes API server. */
export class KubeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The API server answered with a non-2xx status. `reason` is the Status object's reason when it sent one. */
export class KubeApiError extends KubeError {
  readonly status: number;
  readonly reason: string | undefined;
  readonly path: string;
  constructor(status: number, path: string, reason?: string, message?: string, options?: { cause?: unknown }) {
    super(`${path}: HTTP ${status}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`, options);
    this.status = status;
    this.reason = reason;
    this.path = path;
  }
}

/** The request never got an HTTP answer (connection refused/reset, timeout, TLS failure, truncated body). */
export class KubeNetworkError extends KubeError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.path = path;
  }
}
