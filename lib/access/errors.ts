/** Base class for errors of the access check. Missing permissions are reported, not thrown. */
export class AccessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** STS GetCallerIdentity failed or answered without an ARN: the delegate cannot say who it is. */
export class CallerIdentityError extends AccessError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The API server could not be asked at all (network failure, 5xx after retries, a discovery document
 * that is not JSON): the check has no answer, which is different from "no access".
 */
export class AccessCheckError extends AccessError {
  readonly clusterName: string;
  constructor(clusterName: string, message: string, options?: { cause?: unknown }) {
    super(`access check of cluster ${clusterName} failed: ${message}`, options);
    this.clusterName = clusterName;
  }
}
