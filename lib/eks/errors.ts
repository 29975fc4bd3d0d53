/** Base class for errors about the EKS cluster itself or the credentials used to reach it. */
export class EksError extends Error {
  readonly clusterName: string | undefined;
  constructor(message: string, options?: { cause?: unknown; clusterName?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.clusterName = options?.clusterName;
  }
}

/** DescribeCluster said the cluster does not exist. */
export class ClusterNotFoundError extends EksError {}

/** The cluster exists but is not ACTIVE (CREATING, UPDATING, DELETING, FAILED, PENDING). */
export class ClusterNotActiveError extends EksError {
  readonly status: string;
  constructor(clusterName: string, status: string) {
    super(`cluster ${clusterName} is ${status}, not ACTIVE`, { clusterName });
    this.status = status;
  }
}

/** The cluster's description is unusable: no endpoint, a non-https endpoint, a missing or invalid CA. */
export class InvalidClusterConnectionError extends EksError {}

/** No AWS credentials could be found to sign the token with. */
export class CredentialsError extends EksError {}
