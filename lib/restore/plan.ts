// The restore plan (DESIGN.md section 8): the order resource types are restored in, and what is never
// restored. Velero's order (pkg/cmd/server/config), extended with webhooks and APIServices last so that a
// webhook whose service is not up yet cannot block the restore itself.

/** Types restored first, in this order; each is a tier of its own. */
export const PRIORITY_RESOURCES: readonly string[] = [
  'customresourcedefinitions.apiextensions.k8s.io',
  'namespaces',
  'storageclasses.storage.k8s.io',
  'persistentvolumes',
  'persistentvolumeclaims',
  'clusterroles.rbac.authorization.k8s.io',
  'roles.rbac.authorization.k8s.io',
  'serviceaccounts',
  'clusterrolebindings.rbac.authorization.k8s.io',
  'rolebindings.rbac.authorization.k8s.io',
  'secrets',
  'configmaps',
  'limitranges',
  'priorityclasses.scheduling.k8s.io',
];

/** Types restored after everything else, in this order. */
export const LAST_RESOURCES: readonly string[] = [
  'mutatingwebhookconfigurations.admissionregistration.k8s.io',
  'validatingwebhookconfigurations.admissionregistration.k8s.io',
  'apiservices.apiregistration.k8s.io',
];

/**
 * Never restored: the cluster makes them itself, they describe the old cluster's machines, or they are
 * not configuration (DESIGN.md section 8, "Never restored").
 */
export const NEVER_RESTORED_RESOURCES: ReadonlySet<string> = new Set([
  'nodes',
  'events',
  'events.events.k8s.io',
  'leases.coordination.k8s.io',
  'componentstatuses',
  'csinodes.storage.k8s.io',
  'csistoragecapacities.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
  'certificatesigningrequests.certificates.k8s.io',
  'bindings',
  'tokenreviews.authentication.k8s.io',
  'selfsubjectaccessreviews.authorization.k8s.io',
  'selfsubjectrulesreviews.authorization.k8s.io',
  'subjectaccessreviews.authorization.k8s.io',
  'localsubjectaccessreviews.authorization.k8s.io',
  // metrics.k8s.io serves live usage, not objects anyone created.
  'nodes.metrics.k8s.io',
  'pods.metrics.k8s.io',
]);

/** Where a resource type stands in the restore order: lower first. */
export function restoreRank(resourceName: string): number {
  const first = PRIORITY_RESOURCES.indexOf(resourceName);
  if (first >= 0) return first;
  const last = LAST_RESOURCES.indexOf(resourceName);
  if (last >= 0) return PRIORITY_RESOURCES.length + 1 + last;
  return PRIORITY_RESOURCES.length;
}

/** The types in restore order: the priority tiers, then everything else by name, then webhooks and APIServices. */
export function restoreOrder(resourceNames: Iterable<string>): string[] {
  return [...new Set(resourceNames)].sort((a, b) => restoreRank(a) - restoreRank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** What the spool learned about the whole recovery point that single objects need (see RestoreSpool). */
export interface RecoveryPointFacts {
  /** `<namespace>/<name>` of every Service with a selector: the control plane rebuilds their endpoints. */
  selectorServices: ReadonlySet<string>;
  /** Whether an object uid is in the recovery point (owners of owned objects). */
  hasUid(uid: string): boolean;
}

/** Why an object is skipped before anything is sent; undefined when it is to be restored. */
export type SkipReason =
  | { skip: 'notRestorable'; why: string }
  | { skip: 'owned'; why: string };

/**
 * Objects the API server or a controller makes itself: never restored. Checked on the object as backed up.
 */
export function skipReason(resourceName: string, obj: Record<string, unknown>, facts: RecoveryPointFacts): SkipReason | undefined {
  if (NEVER_RESTORED_RESOURCES.has(resourceName)) return { skip: 'notRestorable', why: `${resourceName} are never restored` };
  const meta = record(obj.metadata);
  const name = typeof meta.name === 'string' ? meta.name : '';
  const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
  const labels = record(meta.labels);
  const annotations = record(meta.annotations);

  const own = apiServerOwn(resourceName, obj, name, ns, labels, annotations, facts);
  if (own) return { skip: 'notRestorable', why: own };

  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [];
  for (const ref of owners) {
    const r = record(ref);
    if (r.controller === true && typeof r.uid === 'string' && facts.hasUid(r.uid)) {
      return { skip: 'owned', why: `controlled by ${String(r.kind)}/${String(r.name)}, which is restored and recreates it` };
    }
  }
  return undefined;
}

function apiServerOwn(
  resourceName: string, obj: Record<string, unknown>, name: string, ns: string,
  labels: Record<string, unknown>, annotations: Record<string, unknown>, facts: RecoveryPointFacts,
): string | undefined {
  switch (resourceName) {
    case 'services':
      if (ns === 'default' && name === 'kubernetes') return "the API server's own Service";
      break;
    case 'endpoints':
      if (ns === 'default' && name === 'kubernetes') return "the API server's own Endpoints";
      if (facts.selectorServices.has(`${ns}/${name}`)) return 'endpoints of a Service with a selector: the control plane rebuilds them';
      break;
    case 'endpointslices.discovery.k8s.io': {
      const service = labels['kubernetes.io/service-name'];
      if (ns === 'default' && service === 'kubernetes') return "the API server's own EndpointSlice";
      if (typeof service === 'string' && facts.selectorServices.has(`${ns}/${service}`)) {
        return 'endpoint slice of a Service with a selector: the control plane rebuilds it';
      }
      break;
    }
    case 'configmaps':
      if (name === 'kube-root-ca.crt') return 'published by the API server in every namespace';
      // Holds the recovery cluster's own client CAs: the source's would lock out its aggregated APIs.
      if (ns === 'kube-system' && name === 'extension-apiserver-authentication') return "the API server's own authentication ConfigMap";
      break;
    case 'secrets':
      if (obj.type === 'kubernetes.io/service-account-token') return 'service account tokens are issued by the recovery cluster';
      break;
    case 'clusterroles.rbac.authorization.k8s.io':
    case 'clusterrolebindings.rbac.authorization.k8s.io':
    case 'roles.rbac.authorization.k8s.io':
    case 'rolebindings.rbac.authorization.k8s.io':
      if (labels['kubernetes.io/bootstrapping'] === 'rbac-defaults') return "the API server's bootstrap RBAC";
      break;
    case 'apiservices.apiregistration.k8s.io':
      if (labels['kube-aggregator.kubernetes.io/automanaged'] !== undefined) return 'registered by the API server for its own groups';
      break;
    case 'priorityclasses.scheduling.k8s.io':
      if (name === 'system-node-critical' || name === 'system-cluster-critical') return "the API server's own PriorityClass";
      break;
    case 'flowschemas.flowcontrol.apiserver.k8s.io':
    case 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io':
      if (annotations['apf.kubernetes.io/autoupdate-spec'] === 'true') return "the API server's own flow control configuration";
      break;
  }
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
