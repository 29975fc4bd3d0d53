import { discoverResources } from '../kube/discovery';
import { DiscoveryError } from '../kube/discoveryErrors';
import { KubeApiError, KubeError } from '../kube/errors';
import type { DiscoveredResource } from '../kube/types';
import { silentLogger } from '../observability/DelegateLogger';
import { buildRemediation } from './buildRemediation';
import { getCallerIdentity } from './callerIdentity';
import { AccessCheckError } from './errors';
import { findExistingMapping } from './existingMapping';
import { reviewListAccess } from './reviewListAccess';
import type { AccessReport, AccessStatus, CheckAccessDependencies, CheckAccessOptions, ExistingMapping, UnreadableResource } from './types';

/** Unreadable types named in the one-line summary. */
const SUMMARY_NAMES = 5;

/**
 * Finds out what the delegate can read and, when that is not everything, the exact commands that grant it:
 * 1. who it is (STS GetCallerIdentity, assumed-role ARN -> role ARN);
 * 2. discovery with its own token: 401 means the role is not mapped (NOT_AUTHENTICATED), 403 that it may
 *    not even discover (NO_ACCESS);
 * 3. a SelfSubjectAccessReview per discovered type for a cluster-wide `list`, concurrently;
 * 4. remediation fitted to the authentication mode and to how the role is mapped today.
 * Throws CallerIdentityError when STS fails and AccessCheckError when the API server cannot be asked.
 */
export async function checkAccess(deps: CheckAccessDependencies, options: CheckAccessOptions = {}): Promise<AccessReport> {
  const { connection, kube } = deps;
  const logger = deps.logger ?? silentLogger;
  const { signal } = options;
  const identity = await getCallerIdentity(deps.sts, signal);
  logger.info('caller identity', { stage: 'access', callerArn: identity.callerArn, roleArn: identity.roleArn });

  // Identity notes stay in identity.warnings; these are about the cluster.
  const warnings: string[] = [];
  let resources: DiscoveredResource[] = [];
  let discoveryStatus: number | undefined;
  try {
    const discovery = await discoverResources(kube, signal ? { signal } : {});
    resources = discovery.resources;
    warnings.push(...discovery.warnings);
  } catch (err) {
    discoveryStatus = err instanceof DiscoveryError && err.cause instanceof KubeApiError ? err.cause.status : undefined;
    if (discoveryStatus !== 401 && discoveryStatus !== 403) {
      if (err instanceof KubeError) throw new AccessCheckError(connection.name, err.message, { cause: err });
      throw err;
    }
    // A 401 is the status itself; a 403 on discovery is unusual enough (EKS lets every authenticated user discover) to show.
    if (discoveryStatus === 403) warnings.push(`API discovery answered 403: ${err instanceof Error ? err.message : String(err)}`);
  }

  const reviews = resources.length ? await reviewListAccess(kube, resources, {
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(signal ? { signal } : {}),
  }) : [];
  const readable: string[] = [];
  const unreadable: UnreadableResource[] = [];
  for (const r of reviews) {
    if (r.allowed) readable.push(r.resource.name);
    else unreadable.push({ resource: r.resource.name, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}) });
  }

  let status: AccessStatus;
  if (discoveryStatus === 401 || unreadable.some((u) => u.reason === 'unauthorized')) status = 'NOT_AUTHENTICATED';
  else if (discoveryStatus === 403 || (readable.length === 0 && unreadable.length > 0)) status = 'NO_ACCESS';
  else if (unreadable.length > 0) status = 'PARTIAL_ACCESS';
  else status = 'ACCESS_OK';

  let existingMapping: ExistingMapping = 'none';
  if (status === 'PARTIAL_ACCESS' || status === 'NO_ACCESS') {
    existingMapping = await findExistingMapping(kube, connection.authenticationMode, identity.roleArn, signal);
  }
  const remediation = status === 'ACCESS_OK' ? [] : buildRemediation(connection.authenticationMode, {
    clusterName: connection.name,
    region: connection.region,
    roleArn: identity.roleArn,
    existing: existingMapping,
    ...(options.username ? { username: options.username } : {}),
    ...(options.readerGroup ? { readerGroup: options.readerGroup } : {}),
  });

  const report: AccessReport = {
    status,
    summary: summarize(status, identity.roleArn, connection.name, connection.authenticationMode, readable.length, unreadable),
    identity,
    cluster: {
      name: connection.name, arn: connection.arn, region: connection.region,
      authenticationMode: connection.authenticationMode, kubernetesVersion: connection.kubernetesVersion,
    },
    readable,
    unreadable,
    existingMapping,
    remediation,
    warnings,
  };
  logger.info('access checked', { stage: 'access', status, readable: readable.length, unreadable: unreadable.length, existingMapping });
  return report;
}

function summarize(status: AccessStatus, roleArn: string, cluster: string, mode: string, readable: number, unreadable: UnreadableResource[]): string {
  const total = readable + unreadable.length;
  switch (status) {
    case 'ACCESS_OK':
      return `${roleArn} can list all ${total} resource types of cluster ${cluster}`;
    case 'PARTIAL_ACCESS':
      return `${roleArn} can list ${readable} of ${total} resource types of cluster ${cluster}; backups will be PARTIAL without: ${namesOf(unreadable)}`;
    case 'NOT_AUTHENTICATED':
      return `cluster ${cluster} answers 401 Unauthorized: ${roleArn} is not mapped to a Kubernetes identity (authentication mode ${mode})`;
    case 'NO_ACCESS':
      return total === 0
        ? `${roleArn} is authenticated in cluster ${cluster} but may not even discover its resource types`
        : `${roleArn} is authenticated in cluster ${cluster} but can list none of its ${total} resource types`;
  }
}

/** The first few unreadable names (Secrets first: they are what operators most often miss); the list has them all. */
function namesOf(unreadable: UnreadableResource[]): string {
  const names = unreadable.map((u) => u.resource).sort((a, b) => Number(b === 'secrets') - Number(a === 'secrets'));
  const shown = names.slice(0, SUMMARY_NAMES);
  return names.length > SUMMARY_NAMES ? `${shown.join(', ')} and ${names.length - SUMMARY_NAMES} more (see unreadable)` : shown.join(', ');
}
