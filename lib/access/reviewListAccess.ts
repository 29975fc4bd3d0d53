import { mapWithConcurrency } from '../concurrency';
import { KubeApiError, KubeNetworkError } from '../kube/errors';
import { parseJsonObjectResponse, isJsonObject } from '../kube/responseBody';
import type { DiscoveredResource, KubeTransport } from '../kube/types';
import type { UnreadableResource } from './types';

export const SELF_SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
/** Reviews in flight at once unless told otherwise: enough to finish ~100 types in a few round trips. */
export const DEFAULT_REVIEW_CONCURRENCY = 8;

/** The review's verdict for one resource type. */
export type ResourceAccess =
  | { resource: DiscoveredResource; allowed: true }
  | { resource: DiscoveredResource; allowed: false; reason: UnreadableResource['reason']; detail?: string };

export interface ReviewListAccessOptions {
  /** Reviews in flight at once. @default 8 */
  concurrency?: number;
  /** Aborts the reviews. @default undefined (never aborted) */
  signal?: AbortSignal;
}

/**
 * Asks the API server, with one SelfSubjectAccessReview per resource type, whether the caller may `list`
 * it cluster-wide (no namespace), which is what a backup does. SelfSubjectRulesReview is not used: EKS
 * always answers it `incomplete` (DESIGN.md section 5). Sent as raw JSON through the KubeTransport so the
 * Lambda bundle needs no Kubernetes client library. Results keep the order of `resources`.
 */
export async function reviewListAccess(kube: KubeTransport, resources: DiscoveredResource[], options: ReviewListAccessOptions = {}): Promise<ResourceAccess[]> {
  const limit = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_REVIEW_CONCURRENCY));
  return mapWithConcurrency(resources, limit, (resource) => {
    options.signal?.throwIfAborted();
    return reviewOne(kube, resource, options.signal);
  });
}

async function reviewOne(kube: KubeTransport, resource: DiscoveredResource, signal: AbortSignal | undefined): Promise<ResourceAccess> {
  const body = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb: 'list', group: resource.group, version: resource.version, resource: resource.resource } },
  };
  try {
    const res = await kube.request({ method: 'POST', path: SELF_SUBJECT_ACCESS_REVIEW_PATH, body, ...(signal ? { signal } : {}) });
    const review = parseJsonObjectResponse(res, SELF_SUBJECT_ACCESS_REVIEW_PATH);
    const status = isJsonObject(review.status) ? review.status : {};
    if (status.allowed === true) return { resource, allowed: true };
    const detail = [status.reason, status.evaluationError].filter((s): s is string => typeof s === 'string' && s !== '').join('; ');
    return { resource, allowed: false, reason: 'forbidden', ...(detail ? { detail } : {}) };
  } catch (err) {
    if (err instanceof KubeApiError) {
      return { resource, allowed: false, reason: err.status === 401 ? 'unauthorized' : 'review-failed', detail: err.message };
    }
    if (err instanceof KubeNetworkError) return { resource, allowed: false, reason: 'review-failed', detail: err.message };
    throw err;
  }
}
