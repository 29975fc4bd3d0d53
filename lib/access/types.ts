import type { STSClient } from '@aws-sdk/client-sts';
import type { AuthenticationMode, ClusterConnection } from '../eks';
import type { KubeTransport } from '../kube/types';
import type { DelegateLogger } from '../observability/DelegateLogger';

/**
 * - ACCESS_OK: every discovered resource type can be listed cluster-wide.
 * - PARTIAL_ACCESS: some can, some cannot (e.g. the Kubernetes `view` role: no Secrets).
 * - NOT_AUTHENTICATED: the API server answers 401: the IAM principal is not mapped to any Kubernetes identity.
 * - NO_ACCESS: authenticated, but nothing (or not even discovery) can be read.
 */
export type AccessStatus = 'ACCESS_OK' | 'PARTIAL_ACCESS' | 'NOT_AUTHENTICATED' | 'NO_ACCESS';

/** What kind of IAM principal GetCallerIdentity named. */
export type PrincipalType = 'assumed-role' | 'user' | 'root' | 'federated-user' | 'unknown';

/** Who the delegate is, as EKS authentication sees it. */
export interface CallerIdentity {
  /** The ARN GetCallerIdentity returned, e.g. `arn:aws:sts::111122223333:assumed-role/R/session`. */
  callerArn: string;
  /**
   * The ARN to grant access to: the role ARN (without a path) for an assumed role, the ARN as is for an
   * IAM user. This is what aws-auth `rolearn` must be.
   */
  roleArn: string;
  account: string;
  principalType: PrincipalType;
  /** Role session name, for assumed roles (aws-auth `{{SessionName}}`). */
  sessionName?: string;
  /** Things the operator must know when granting access to this principal (role paths, root, federated users). */
  warnings: string[];
}

/** How the role is mapped today, which decides whether a grant creates a mapping or replaces one. */
export type ExistingMapping = 'none' | 'aws-auth' | 'access-entry' | 'unknown';

export type RemediationKind = 'aws-auth' | 'access-entry' | 'least-privilege';

/** One way to grant the delegate what it is missing: commands to run in order, and why this way. */
export interface Remediation {
  kind: RemediationKind;
  /** One sentence: when and why to choose this. */
  why: string;
  /** Exact shell commands, run in order; values are shell-quoted where needed. */
  commands: string[];
  /** For least-privilege: the Kubernetes manifest the commands apply, and its file name. */
  manifest?: { fileName: string; content: string };
}

/** What buildRemediation needs to know. */
export interface RemediationInput {
  clusterName: string;
  region: string;
  /** The IAM role (or user) ARN to grant; for aws-auth it must not carry a path. */
  roleArn: string;
  /**
   * Kubernetes username of the aws-auth mapping.
   * @default 'eks-delegate'
   */
  username?: string;
  /**
   * Group of the least-privilege alternative (bound to a read-everything ClusterRole).
   * @default 'eks-delegate-readers'
   */
  readerGroup?: string;
  /**
   * How the role is mapped today: 'none' for a 401; for an authenticated role with too little access,
   * 'aws-auth' or 'access-entry' when known (then the fix replaces or extends that mapping).
   * @default 'none'
   */
  existing?: ExistingMapping;
}

/** A resource type that cannot be listed cluster-wide. */
export interface UnreadableResource {
  /** Velero-style name: `secrets`, `deployments.apps`. */
  resource: string;
  /** forbidden: the review said no; unauthorized: 401 mid-check; review-failed: the review itself failed. */
  reason: 'forbidden' | 'unauthorized' | 'review-failed';
  /** The authorizer's or the server's explanation, when it gave one. */
  detail?: string;
}

export interface AccessReport {
  status: AccessStatus;
  /** One line for the operator: what is wrong, or that all is well. */
  summary: string;
  identity: CallerIdentity;
  cluster: {
    name: string;
    arn: string;
    region: string;
    authenticationMode: AuthenticationMode;
    kubernetesVersion: string;
  };
  /** Resource types that can be listed cluster-wide (Velero-style names), in discovery order. */
  readable: string[];
  unreadable: UnreadableResource[];
  /** How the role is mapped today, as far as the check could tell. */
  existingMapping: ExistingMapping;
  /** Empty when status is ACCESS_OK. */
  remediation: Remediation[];
  /** Discovery warnings (aggregated APIs that failed) and notes on the identity. */
  warnings: string[];
}

export interface CheckAccessDependencies {
  sts: STSClient;
  /** The cluster as DescribeCluster reported it. */
  connection: ClusterConnection;
  /** Authenticated with the delegate's own token. */
  kube: KubeTransport;
  /** @default silent */
  logger?: DelegateLogger;
}

export interface CheckAccessOptions {
  /**
   * SelfSubjectAccessReviews in flight at once.
   * @default 8
   */
  concurrency?: number;
  /**
   * Kubernetes username in the offered aws-auth mapping.
   * @default 'eks-delegate'
   */
  username?: string;
  /**
   * Group of the offered least-privilege alternative.
   * @default 'eks-delegate-readers'
   */
  readerGroup?: string;
  /**
   * Aborts the check; passed to every request.
   * @default undefined (never aborted)
   */
  signal?: AbortSignal;
}
