/** Base class for every error raised while discovering the cluster's AWS dependencies. */
export class DependencyDiscoveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The operations of the Pod Identity lookup that can fail. */
export type PodIdentityOperation = 'ListPodIdentityAssociations' | 'DescribePodIdentityAssociation';

/**
 * An EKS Pod Identity call failed (access denied, API not available, association deleted meanwhile,
 * throttled after the SDK's retries). It is not thrown: `listPodIdentityAssociations` hands it back
 * inside a warning so the backup goes on without those roles.
 */
export class PodIdentityLookupError extends DependencyDiscoveryError {
  readonly clusterName: string;
  readonly operation: PodIdentityOperation;
  /** The SDK error's name, e.g. `AccessDeniedException`, when there was one. */
  readonly code: string | undefined;
  readonly associationId: string | undefined;
  constructor(
    clusterName: string,
    operation: PodIdentityOperation,
    code: string | undefined,
    associationId: string | undefined,
    options?: { cause?: unknown },
  ) {
    const target = associationId ? ` for association ${associationId}` : '';
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`eks:${operation}${target} on cluster ${clusterName} failed (${code ?? 'unknown error'})${detail}`, options);
    this.clusterName = clusterName;
    this.operation = operation;
    this.code = code;
    this.associationId = associationId;
  }

  /** True when the caller lacks the IAM permission, so retrying for other associations is pointless. */
  get accessDenied(): boolean {
    return this.code === 'AccessDeniedException' || this.code === 'AccessDenied' || this.code === 'UnauthorizedOperation';
  }
}
