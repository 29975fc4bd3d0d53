import { parse } from 'yaml';
import type { AuthenticationMode } from '../eks';
import { isJsonObject } from '../kube/responseBody';
import type { KubeTransport } from '../kube/types';
import type { ExistingMapping } from './types';

const AWS_AUTH_PATH = '/api/v1/namespaces/kube-system/configmaps/aws-auth';

/**
 * How an authenticated principal is mapped today. The mode decides it when only one mechanism exists;
 * with both (API_AND_CONFIG_MAP) kube-system/aws-auth is read, when the principal may read it: listed
 * there means aws-auth, absent (or no aws-auth at all) means an access entry, unreadable means unknown.
 */
export async function findExistingMapping(kube: KubeTransport, mode: AuthenticationMode, principalArn: string, signal?: AbortSignal): Promise<ExistingMapping> {
  if (mode === 'CONFIG_MAP') return 'aws-auth';
  if (mode === 'API') return 'access-entry';
  let res;
  try {
    res = await kube.request({ method: 'GET', path: AWS_AUTH_PATH, ...(signal ? { signal } : {}) });
  } catch {
    // Best effort: the remediation then covers both cases.
    return 'unknown';
  }
  if (res.status === 404) return 'access-entry';
  if (res.status !== 200) return 'unknown';
  const arns = awsAuthArns(res.body.toString('utf8'));
  if (!arns) return 'unknown';
  return arns.has(principalArn.toLowerCase()) ? 'aws-auth' : 'access-entry';
}

/** Lower-cased `rolearn`s and `userarn`s of an aws-auth ConfigMap, or undefined when it cannot be parsed. */
export function awsAuthArns(configMapJson: string): Set<string> | undefined {
  try {
    const cm: unknown = JSON.parse(configMapJson);
    const data = isJsonObject(cm) && isJsonObject(cm.data) ? cm.data : {};
    const out = new Set<string>();
    for (const [field, key] of [['mapRoles', 'rolearn'], ['mapUsers', 'userarn']] as const) {
      const text = data[field];
      if (typeof text !== 'string') continue;
      const list: unknown = parse(text, { maxAliasCount: 10 });
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        const arn: unknown = isJsonObject(entry) ? entry[key] : undefined;
        // aws-iam-authenticator compares ARNs case-insensitively.
        if (typeof arn === 'string') out.add(arn.trim().toLowerCase());
      }
    }
    return out;
  } catch {
    return undefined;
  }
}
