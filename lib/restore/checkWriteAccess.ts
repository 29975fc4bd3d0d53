import { KubeApiError } from '../kube/errors';
import { parseJsonObjectResponse } from '../kube/responseBody';
import type { KubeTransport } from '../kube/types';
import { RestoreAccessError } from './errors';

const REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/**
 * Restore writes every kind of object, so it needs what system:masters (or an access entry with
 * AmazonEKSClusterAdminPolicy) grants: asked once, before anything is read or written, with a
 * SelfSubjectAccessReview for `create` on every resource of every group. Throws RestoreAccessError.
 */
export async function checkWriteAccess(kube: KubeTransport, signal?: AbortSignal): Promise<void> {
  const res = await kube.request({
    method: 'POST', path: REVIEW_PATH, signal,
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'create', group: '*', resource: '*' } } },
  });
  if (res.status === 401) throw new RestoreAccessError(401, 'the recovery cluster does not authenticate the delegate (401 Unauthorized)');
  if (res.status === 403) throw new RestoreAccessError(403, 'the recovery cluster refused even an access review (403 Forbidden)');
  let review;
  try {
    review = parseJsonObjectResponse(res, REVIEW_PATH);
  } catch (err) {
    if (err instanceof KubeApiError) throw new RestoreAccessError(403, `the access review failed: ${err.message}`, { cause: err });
    throw err;
  }
  const status = typeof review.status === 'object' && review.status !== null ? (review.status as { allowed?: unknown; reason?: unknown }) : {};
  if (status.allowed !== true) {
    throw new RestoreAccessError(403, `the delegate may not create every kind of object in the recovery cluster${typeof status.reason === 'string' && status.reason ? ` (${status.reason})` : ''}`);
  }
}
