import type { MapRoleEntry, RoleCredentials, StandInClient } from '../standin/StandInClient';

/** How EKS maps a node group's role in aws-auth. */
export const nodeMapping = (rolearn: string): MapRoleEntry => ({
  rolearn, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'],
});

/**
 * The two delegates a restore test needs: one in the primary cluster's account (it backs up) and the
 * recovery cluster's own (it restores), each mapped to system:masters in its cluster's aws-auth, beside
 * the node roles given. setAwsAuth replaces aws-auth, so the recovery delegate's mapping is written again.
 */
export async function mapRestoreDelegates(
  primary: StandInClient, recovery: StandInClient, sourceRoleName: string, nodeRoles: { source?: string; recovery?: string } = {},
): Promise<{ sourceCreds: RoleCredentials; recoveryCreds: RoleCredentials }> {
  const masters = (creds: RoleCredentials): MapRoleEntry => ({ rolearn: creds.roleArn, username: 'eks-delegate', groups: ['system:masters'] });
  const sourceCreds = await primary.issueRoleCredentials(sourceRoleName);
  await primary.setAwsAuth([masters(sourceCreds), ...(nodeRoles.source ? [nodeMapping(nodeRoles.source)] : [])]);
  const recoveryCreds = await recovery.issueRoleCredentials(recovery.conn.delegateRoleName ?? 'ArpioPrimaryK8sDel-444455556666-us-west-2');
  await recovery.setAwsAuth([masters(recoveryCreds), ...(nodeRoles.recovery ? [nodeMapping(nodeRoles.recovery)] : [])]);
  return { sourceCreds, recoveryCreds };
}
