import type { AuthenticationMode } from '../eks';
import { DEFAULT_DELEGATE_USERNAME } from './buildRemediation';
import { shellCommand } from './shellQuote';
import type { Remediation, RemediationInput } from './types';

/** Creates, updates and deletes every resource: what a restore into a recovery cluster needs. */
export const CLUSTER_ADMIN_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/**
 * The ways to grant the delegate what a restore needs (write access to every kind of object), fitted to
 * the recovery cluster's authentication mode: system:masters through aws-auth, or an access entry with
 * AmazonEKSClusterAdminPolicy. A read-only grant (what backup needs) is not enough.
 */
export function buildRestoreRemediation(mode: AuthenticationMode, input: RemediationInput): Remediation[] {
  const { clusterName, region, roleArn } = input;
  const username = input.username ?? DEFAULT_DELEGATE_USERNAME;
  const existing = input.existing ?? 'none';
  const out: Remediation[] = [];
  if (mode !== 'API') {
    const mapping = ['eksctl', 'create', 'iamidentitymapping', '--cluster', clusterName, '--region', region, '--arn', roleArn,
      '--group', 'system:masters', '--username', username, '--no-duplicate-arns'];
    const remove = ['eksctl', 'delete', 'iamidentitymapping', '--cluster', clusterName, '--region', region, '--arn', roleArn];
    out.push({
      kind: 'aws-auth',
      why: 'Maps the role to system:masters in kube-system/aws-auth of the recovery cluster: restore creates every kind of object.' +
        (existing === 'aws-auth' ? ' The role is mapped already with less: its mapping is replaced.' : ''),
      commands: existing === 'aws-auth' ? [shellCommand(remove), shellCommand(mapping)] : [shellCommand(mapping)],
    });
  }
  if (mode !== 'CONFIG_MAP') {
    const awsEks = (op: string, ...rest: string[]): string =>
      shellCommand(['aws', 'eks', op, '--cluster-name', clusterName, '--region', region, '--principal-arn', roleArn, ...rest]);
    out.push({
      kind: 'access-entry',
      why: 'An EKS access entry with AmazonEKSClusterAdminPolicy at cluster scope, managed through the EKS API without editing aws-auth.',
      commands: [
        ...(existing === 'access-entry' ? [] : [awsEks('create-access-entry', '--type', 'STANDARD')]),
        awsEks('associate-access-policy', '--policy-arn', CLUSTER_ADMIN_POLICY_ARN, '--access-scope', 'type=cluster'),
      ],
    });
  }
  return out;
}
