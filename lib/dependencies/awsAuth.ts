/**
 * The `kube-system/aws-auth` ConfigMap: `data.mapRoles` is YAML text, a list of
 * `{rolearn, username, groups}`, `data.mapUsers` a list of `{userarn, username, groups}` (https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html).
 */
import { parse } from 'yaml';

/** True for the one ConfigMap EKS reads role mappings from. */
export function isAwsAuthConfigMap(kind: unknown, namespace: string | undefined, name: string): boolean {
  return kind === 'ConfigMap' && namespace === 'kube-system' && name === 'aws-auth';
}

/** One `rolearn` of mapRoles and its index in the list. */
export interface MappedRole {
  index: number;
  roleArn: string;
}

/** One `userarn` of mapUsers and its index in the list. */
export interface MappedUser {
  index: number;
  userArn: string;
}

/**
 * The role ARNs of a mapRoles document, or undefined when it is not a YAML list (then the caller falls
 * back to finding ARNs in the text, so a hand-edited, slightly broken aws-auth still yields its roles).
 */
export function parseMapRoles(text: string): MappedRole[] | undefined {
  return parseMapped(text, 'rolearn')?.map(({ index, arn }) => ({ index, roleArn: arn }));
}

/** The user ARNs of a mapUsers document; undefined when it is not a YAML list (as parseMapRoles). */
export function parseMapUsers(text: string): MappedUser[] | undefined {
  return parseMapped(text, 'userarn')?.map(({ index, arn }) => ({ index, userArn: arn }));
}

function parseMapped(text: string, field: 'rolearn' | 'userarn'): Array<{ index: number; arn: string }> | undefined {
  let document: unknown;
  try {
    document = parse(text, { maxAliasCount: 10 });
  } catch {
    return undefined;
  }
  if (document === null || document === undefined) return [];
  if (!Array.isArray(document)) return undefined;
  const found: Array<{ index: number; arn: string }> = [];
  document.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) return;
    const arn: unknown = (entry as Record<string, unknown>)[field];
    if (typeof arn === 'string') found.push({ index, arn: arn.trim() });
  });
  return found;
}
