/**
 * The places an EKS workload keeps AWS identifiers (DESIGN.md section 8, issue 13): what `known-fields`
 * translation rewrites. aws-auth's mapRoles/mapUsers are handled apart (awsAuthMappings.ts), since
 * their ARNs sit inside YAML text.
 */
import { CONTAINER_LISTS, isLoadBalancerAnnotation, type PathNode } from '../dependencies';

/** IRSA: the role a service account's pods assume. */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** Velero-style resource names of the kinds with known fields outside pod templates. */
export const STORAGE_CLASSES = 'storageclasses.storage.k8s.io';
export const PERSISTENT_VOLUMES = 'persistentvolumes';

/**
 * True when the string at `node` is a known field of an object of `resourceName`:
 * - `metadata.annotations` (of the object or of a pod template) for IRSA and the load balancer
 *   annotations lib/dependencies knows (`alb.ingress.kubernetes.io/*`, `service.beta.kubernetes.io/aws-load-balancer-*`);
 * - a container's (also init and ephemeral) `image`, `env[].value` and `args[]`, wherever the pod
 *   template sits: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, Pods, and custom resources by
 *   the same shape the dependency scanner uses;
 * - StorageClass `parameters.*`;
 * - PersistentVolume `spec.csi.volumeHandle` and `spec.awsElasticBlockStore.volumeID`.
 */
export function isKnownField(node: PathNode, resourceName: string): boolean {
  return isAwsAnnotation(node) || isContainerField(node) || isStorageClassParameter(node, resourceName) || isVolumeHandle(node, resourceName);
}

function isAwsAnnotation(node: PathNode): boolean {
  const { key, parent } = node;
  return (
    typeof key === 'string' &&
    parent?.key === 'annotations' &&
    parent.parent?.key === 'metadata' &&
    (key === IRSA_ANNOTATION || isLoadBalancerAnnotation(key))
  );
}

/** `<list>[i].image`, `<list>[i].env[j].value`, `<list>[i].args[j]`, where `<list>` is a container list. */
function isContainerField(node: PathNode): boolean {
  let container: PathNode | undefined;
  if (node.key === 'image') container = node.parent;
  else if (node.key === 'value' && typeof node.parent?.key === 'number' && node.parent.parent?.key === 'env') container = node.parent.parent.parent;
  else if (typeof node.key === 'number' && node.parent?.key === 'args') container = node.parent.parent;
  return typeof container?.key === 'number' && CONTAINER_LISTS.has(container.parent?.key ?? '');
}

function isStorageClassParameter(node: PathNode, resourceName: string): boolean {
  return resourceName === STORAGE_CLASSES && node.parent?.key === 'parameters' && node.parent.parent === undefined;
}

function isVolumeHandle(node: PathNode, resourceName: string): boolean {
  if (resourceName !== PERSISTENT_VOLUMES) return false;
  const volume = node.parent;
  const isHandle = (node.key === 'volumeHandle' && volume?.key === 'csi') || (node.key === 'volumeID' && volume?.key === 'awsElasticBlockStore');
  return isHandle && volume?.parent?.key === 'spec' && volume.parent.parent === undefined;
}
