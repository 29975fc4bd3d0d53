import type { AuthenticationMode } from '../eks';
import { shellCommand } from './shellQuote';
import type { Remediation, RemediationInput } from './types';

export const DEFAULT_DELEGATE_USERNAME = 'eks-delegate';
export const DEFAULT_READER_GROUP = 'eks-delegate-readers';
/** Name of the least-privilege ClusterRole and its binding, and the file the manifest is saved as. */
export const READER_CLUSTER_ROLE = 'eks-delegate-reader';
export const READER_MANIFEST_FILE = `${READER_CLUSTER_ROLE}.yaml`;
/** Reads every resource, Secrets included, and changes nothing (DESIGN.md section 5). */
export const ADMIN_VIEW_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy';

/**
 * The ways to grant the delegate read access to everything, fitted to the cluster's authentication mode:
 * aws-auth (eksctl) works in CONFIG_MAP and API_AND_CONFIG_MAP, access entries in API and
 * API_AND_CONFIG_MAP. The least-privilege alternative (a read-everything ClusterRole bound to a group of
 * your own) is mapped with eksctl where aws-auth works, and with an access entry in API mode.
 *
 * When the role is already mapped (`existing`), the commands replace or extend that mapping instead of
 * creating a second one, which `--no-duplicate-arns` and create-access-entry would refuse.
 */
export function buildRemediation(mode: AuthenticationMode, input: RemediationInput): Remediation[] {
  const username = input.username ?? DEFAULT_DELEGATE_USERNAME;
  const group = input.readerGroup ?? DEFAULT_READER_GROUP;
  const existing = input.existing ?? 'none';
  const { clusterName, region, roleArn } = input;
  const awsAuthWorks = mode !== 'API';
  const accessEntriesWork = mode !== 'CONFIG_MAP';
  // With both modes on, an access entry takes precedence: an aws-auth mapping would change nothing.
  const useAwsAuth = awsAuthWorks && !(accessEntriesWork && existing === 'access-entry');

  const eksctl = (verb: 'create' | 'delete', mappedGroup?: string): string => shellCommand([
    'eksctl', verb, 'iamidentitymapping', '--cluster', clusterName, '--region', region, '--arn', roleArn,
    ...(mappedGroup ? ['--group', mappedGroup, '--username', username, '--no-duplicate-arns'] : []),
  ]);
  const eksctlMapping = (mappedGroup: string): string[] =>
    existing === 'aws-auth' ? [eksctl('delete'), eksctl('create', mappedGroup)] : [eksctl('create', mappedGroup)];
  const awsEks = (op: string, ...rest: string[]): string =>
    shellCommand(['aws', 'eks', op, '--cluster-name', clusterName, '--region', region, '--principal-arn', roleArn, ...rest]);
  const replacing = existing === 'aws-auth'
    ? ' The role is already in aws-auth with groups that cannot read everything, so its mapping is replaced (eksctl refuses a second entry for the same ARN).'
    : '';
  const mayBeMapped = existing === 'unknown'
    ? ` If eksctl answers that the ARN is already mapped, run ${eksctl('delete')} first.`
    : '';
  const entryMayExist = existing === 'unknown'
    ? ' If create-access-entry answers ResourceInUseException the entry exists already: run only the next command.'
    : '';

  const out: Remediation[] = [];
  if (useAwsAuth) {
    out.push({
      kind: 'aws-auth',
      why: `Maps the role to system:masters in kube-system/aws-auth, the quickest grant that reads everything including Secrets, but it also grants write access.${replacing}${mayBeMapped}`,
      commands: eksctlMapping('system:masters'),
    });
  }
  if (accessEntriesWork) {
    out.push({
      kind: 'access-entry',
      why: `An EKS access entry with AmazonEKSAdminViewPolicy at cluster scope reads every resource including Secrets and changes nothing, managed through the EKS API without editing aws-auth.${entryMayExist}`,
      commands: [
        ...(existing === 'access-entry' ? [] : [awsEks('create-access-entry', '--type', 'STANDARD')]),
        awsEks('associate-access-policy', '--policy-arn', ADMIN_VIEW_POLICY_ARN, '--access-scope', 'type=cluster'),
      ],
    });
  }
  out.push({
    kind: 'least-privilege',
    why: `Grants only get, list and watch on every resource through a ClusterRole bound to the group ${group} that you own and can audit, instead of an administrator group.` +
      (useAwsAuth ? `${replacing}${mayBeMapped}` : entryMayExist),
    commands: [
      shellCommand(['kubectl', 'apply', '-f', READER_MANIFEST_FILE]),
      ...(useAwsAuth
        ? eksctlMapping(group)
        : existing === 'access-entry'
          ? [awsEks('update-access-entry', '--kubernetes-groups', group)]
          : [awsEks('create-access-entry', '--type', 'STANDARD', '--kubernetes-groups', group)]),
    ],
    manifest: { fileName: READER_MANIFEST_FILE, content: readerManifest(group) },
  });
  return out;
}

/** A ClusterRole that reads every resource (custom ones included) and its binding to `group`. */
export function readerManifest(group: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${READER_CLUSTER_ROLE}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${READER_CLUSTER_ROLE}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${READER_CLUSTER_ROLE}
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: ${JSON.stringify(group)}
`;
}
