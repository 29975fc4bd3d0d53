/**
 * The fields AWS controllers read a region, a zone or the cluster's name from (issue 24): what follows the
 * recovery cluster without any map (regions, cluster name) or through the operator's zoneMap (zones).
 * Sources: External Secrets (SecretStore/ClusterSecretStore `spec.provider.aws.region`, generators'
 * `spec.region`), Karpenter (`karpenter.sh/discovery` selector tags, `CLUSTER_NAME`), the AWS Load Balancer
 * Controller (`--cluster-name=`, `--aws-region=`, Helm `clusterName`), the AWS SDKs (`AWS_REGION`,
 * `AWS_DEFAULT_REGION`), Kubernetes' well-known topology labels (node affinity, allowedTopologies, selectors).
 */
import { CONTAINER_LISTS, type PathNode } from '../dependencies';
import { isRecord } from './stringLeaves';

/** What a named field holds. */
export type NamedField = 'region' | 'zone' | 'cluster-name';

/** Well-known topology label keys (kubernetes.io, the EBS CSI driver's own, the deprecated beta). */
export const ZONE_KEYS: ReadonlySet<string> = new Set([
  'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone', 'topology.ebs.csi.aws.com/zone',
]);
export const REGION_KEYS: ReadonlySet<string> = new Set(['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region']);

/** Karpenter's discovery tag, in EC2NodeClass subnet, security group and AMI selector terms. */
const DISCOVERY_TAG = 'karpenter.sh/discovery';
const REGION_ENV: ReadonlySet<string> = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION']);
const CLUSTER_ENV: ReadonlySet<string> = new Set(['CLUSTER_NAME']);
/** Container args whose value is a region or the cluster's name: `--aws-region=us-east-1`, `--cluster-name=prod`. */
export const REGION_FLAGS: readonly string[] = ['--aws-region=', '--region='];
export const CLUSTER_FLAGS: readonly string[] = ['--cluster-name='];

/** The object a field sits in, as far as the field rules need it. */
export interface FieldOwner {
  root: Record<string, unknown>;
  apiGroup: string;
  kind: string;
}

export function fieldOwner(root: Record<string, unknown>): FieldOwner {
  const apiVersion = typeof root['apiVersion'] === 'string' ? root['apiVersion'] : '';
  return { root, apiGroup: apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '', kind: typeof root['kind'] === 'string' ? root['kind'] : '' };
}

/** What the string at `node` holds, when it is a field a controller reads a region, zone or cluster name from. */
export function namedFieldAt(node: PathNode, owner: FieldOwner): NamedField | undefined {
  const { key, parent } = node;
  if (typeof key === 'string') {
    if (ZONE_KEYS.has(key)) return 'zone';
    if (REGION_KEYS.has(key)) return 'region';
    if (key === DISCOVERY_TAG || key === 'clusterName') return 'cluster-name';
    if (key === 'region' && isExternalSecretsRegion(node, owner)) return 'region';
    if (key === 'value' && typeof parent?.key === 'number' && parent.parent?.key === 'env' && isContainer(parent.parent.parent)) {
      const name = valueAt(owner.root, parent);
      const envName = isRecord(name) ? name['name'] : undefined;
      if (typeof envName === 'string' && REGION_ENV.has(envName)) return 'region';
      if (typeof envName === 'string' && CLUSTER_ENV.has(envName)) return 'cluster-name';
    }
  }
  // `args: ['--region', 'us-east-1']`: the value after a flag that takes one.
  if (typeof key === 'number' && key > 0 && parent?.key === 'args' && isContainer(parent.parent)) {
    const args = valueAt(owner.root, parent);
    const flag = Array.isArray(args) ? args[key - 1] : undefined;
    if (typeof flag === 'string' && REGION_FLAGS.includes(`${flag}=`)) return 'region';
    if (typeof flag === 'string' && CLUSTER_FLAGS.includes(`${flag}=`)) return 'cluster-name';
  }
  // `{key: topology.kubernetes.io/zone, operator: In, values: [...]}`: node affinity, allowedTopologies
  // (matchLabelExpressions), pod affinity and Karpenter NodePool requirements.
  if (typeof key === 'number' && parent?.key === 'values' && parent.parent) {
    const expression = valueAt(owner.root, parent.parent);
    const labelKey = isRecord(expression) ? expression['key'] : undefined;
    if (typeof labelKey === 'string' && ZONE_KEYS.has(labelKey)) return 'zone';
    if (typeof labelKey === 'string' && REGION_KEYS.has(labelKey)) return 'region';
  }
  return undefined;
}

/** The flag prefix of a container arg that carries a region or cluster name (`--cluster-name=`), if any. */
export function flagOf(node: PathNode, value: string): { field: NamedField; prefix: string } | undefined {
  if (typeof node.key !== 'number' || node.parent?.key !== 'args' || !isContainer(node.parent.parent)) return undefined;
  const region = REGION_FLAGS.find((flag) => value.startsWith(flag));
  if (region) return { field: 'region', prefix: region };
  const cluster = CLUSTER_FLAGS.find((flag) => value.startsWith(flag));
  return cluster ? { field: 'cluster-name', prefix: cluster } : undefined;
}

/** ESO: SecretStore/ClusterSecretStore `spec.provider.aws.region`, a generator's `spec.region` (ECR, STS...). */
function isExternalSecretsRegion(node: PathNode, owner: FieldOwner): boolean {
  if (owner.apiGroup === 'external-secrets.io' && (owner.kind === 'SecretStore' || owner.kind === 'ClusterSecretStore')) {
    return node.parent?.key === 'aws' && node.parent.parent?.key === 'provider' && node.parent.parent.parent?.key === 'spec' && node.parent.parent.parent.parent === undefined;
  }
  return owner.apiGroup === 'generators.external-secrets.io' && node.parent?.key === 'spec' && node.parent.parent === undefined;
}

/** `<container list>[i]`. */
function isContainer(node: PathNode | undefined): boolean {
  return typeof node?.key === 'number' && CONTAINER_LISTS.has(node.parent?.key ?? '');
}

/** The value at `node` in `root`. */
export function valueAt(root: unknown, node: PathNode): unknown {
  const keys: Array<string | number> = [];
  for (let current: PathNode | undefined = node; current; current = current.parent) keys.push(current.key);
  let value = root;
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    if (Array.isArray(value) && typeof key === 'number') value = value[key];
    else if (isRecord(value) && typeof key === 'string') value = value[key];
    else return undefined;
  }
  return value;
}
