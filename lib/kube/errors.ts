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
  /**
   * The Status's `metadata.continue`: with a 410 for an expired continue token, the API server hands out a
   * token that goes on from the same place at the current resource version (an "inconsistent" continue).
   */
  readonly continueToken: string | undefined;
  constructor(status: number, path: string, reason?: string, message?: string, options?: { cause?: unknown; continueToken?: string }) {
    super(`${path}: HTTP ${status}${reason ? ` ${reason}` : ''}${message ? `: ${message}` : ''}`, options);
    this.status = status;
    this.reason = reason;
    this.path = path;
    this.continueToken = options?.continueToken;
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

/**
 * The connection broke after the answer began (a streamed body ended early). Transient: the list pager
 * asks for the page again and skips the items it already handed on.
 */
export class KubeBodyInterruptedError extends KubeNetworkError {}

/**
 * A 2xx answer whose body is not the JSON expected (typically cut short by a proxy or a connection closed
 * mid-body without a length). Transient: the request is repeated (see withBodyRetries).
 */
export class KubeInvalidBodyError extends KubeNetworkError {}

/**
 * The API server's certificate did not verify against the cluster CA (or its name did not match). Never
 * retried: repeating the request cannot fix it, and the token must not go to an unverified server.
 */
export class KubeTlsError extends KubeNetworkError {
  /** Node's error code, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE or ERR_TLS_CERT_ALTNAME_INVALID. */
  readonly code: string;
  constructor(path: string, code: string, message: string, options?: { cause?: unknown }) {
    super(path, message, options);
    this.code = code;
  }
}
