import type { STSClient } from '@aws-sdk/client-sts';
import type { ClusterConnection } from '../eks';
import type { KubeTransport } from '../kube/types';
import { buildRemediation } from './buildRemediation';
import { getCallerIdentity } from './callerIdentity';
import { findExistingMapping } from './existingMapping';
import type { CallerIdentity, Remediation } from './types';

/** Stands in for the role ARN in the commands when STS cannot say who the delegate is. */
export const UNKNOWN_ROLE_ARN_PLACEHOLDER = 'DELEGATE_ROLE_ARN';

export interface BackupAccessRemediation {
  /** Absent when GetCallerIdentity failed (then the commands name DELEGATE_ROLE_ARN). */
  identity?: CallerIdentity;
  remediation: Remediation[];
  warnings: string[];
}

export interface RemediateBackupAccessDependencies {
  sts: STSClient;
  connection: ClusterConnection;
  /** Used after a 403 to see how the role is mapped today. */
  kube: KubeTransport;
}

/**
 * The same remediation check-access offers, for a backup that ended FAILED on 401 (not mapped) or 403 on
 * everything (mapped to too little), so the caller can show the fix without a second call. Never throws:
 * the backup's own failure is what the response is about.
 */
export async function remediateBackupAccess(
  deps: RemediateBackupAccessDependencies,
  accessStatus: number,
  options: {
    username?: string; readerGroup?: string; signal?: AbortSignal;
    /** The grant to offer. @default buildRemediation (read access, what backup needs) */
    build?: typeof buildRemediation;
  } = {},
): Promise<BackupAccessRemediation> {
  const warnings: string[] = [];
  let identity: CallerIdentity | undefined;
  try {
    identity = await getCallerIdentity(deps.sts, options.signal);
    warnings.push(...identity.warnings);
  } catch (err) {
    warnings.push(`${err instanceof Error ? err.message : String(err)}; replace ${UNKNOWN_ROLE_ARN_PLACEHOLDER} with the delegate's role ARN`);
  }
  const roleArn = identity?.roleArn ?? UNKNOWN_ROLE_ARN_PLACEHOLDER;
  const mode = deps.connection.authenticationMode;
  const existing = accessStatus === 401 ? 'none' : await findExistingMapping(deps.kube, mode, roleArn, options.signal);
  const remediation = (options.build ?? buildRemediation)(mode, {
    clusterName: deps.connection.name, region: deps.connection.region, roleArn, existing,
    ...(options.username ? { username: options.username } : {}),
    ...(options.readerGroup ? { readerGroup: options.readerGroup } : {}),
  });
  return { ...(identity ? { identity } : {}), remediation, warnings };
}
