// The restore plan (DESIGN.md section 8): the order resource types are restored in, what is never restored
// and what is restored only where the recovery cluster lacks it, each with its reason. Velero's order
// (pkg/cmd/server/config), extended with admission policies, webhooks and APIServices last so that a
// webhook whose service is not up yet cannot block the restore itself. docs/never-restored.md is this file
// for people; a unit test keeps the two in step.

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

/**
 * Types restored after everything else, in this order. Admission policies too: a binding whose policy or
 * params are not restored yet denies what it matches (failurePolicy and parameterNotFoundAction Deny).
 */
export const LAST_RESOURCES: readonly string[] = [
  'mutatingadmissionpolicies.admissionregistration.k8s.io',
  'mutatingadmissionpolicybindings.admissionregistration.k8s.io',
  'validatingadmissionpolicies.admissionregistration.k8s.io',
  'validatingadmissionpolicybindings.admissionregistration.k8s.io',
  'mutatingwebhookconfigurations.admissionregistration.k8s.io',
  'validatingwebhookconfigurations.admissionregistration.k8s.io',
  'apiservices.apiregistration.k8s.io',
];

/**
 * Types never restored, each with the reason the report gives: the cluster makes them itself, they describe
 * the old cluster's machines or running components, or they are requests rather than configuration
 * (DESIGN.md section 8, "Never restored"; docs/never-restored.md is this table for people).
 */
export const NEVER_RESTORED_TYPES: Readonly<Record<string, string>> = {
  nodes: "the recovery cluster's own machines register themselves",
  events: 'a record of what happened in the source cluster, not configuration',
  'events.events.k8s.io': 'a record of what happened in the source cluster, not configuration',
  'leases.coordination.k8s.io': "held and renewed by running components (the API server's identity, leader election, node heartbeats); the recovery cluster's take their own",
  'leasecandidates.coordination.k8s.io': "candidacies of the source cluster's running components for leader election",
  componentstatuses: 'computed when read, not stored',
  'csinodes.storage.k8s.io': "written by each node's kubelet for its CSI drivers",
  'csistoragecapacities.storage.k8s.io': "published by CSI drivers for the source cluster's topology",
  'volumeattachments.storage.k8s.io': "attachments of volumes to the source cluster's nodes",
  'certificatesigningrequests.certificates.k8s.io': "requests to the source cluster's signers; the recovery cluster's clients ask its own",
  'podcertificaterequests.certificates.k8s.io': "requests of the source cluster's kubelets for pod certificates (1.34+)",
  // Since 1.33 every ClusterIP the API server allocates is an IPAddress naming its Service (issue 28).
  'ipaddresses.networking.k8s.io': "the source API server's ClusterIP allocations: restored Services get addresses of the recovery cluster, and a copied IPAddress would reserve an address for nothing",
  'resourceslices.resource.k8s.io': "published per node by DRA drivers for the source cluster's devices",
  'podschedulingcontexts.resource.k8s.io': "the scheduler's working state for pods of the source cluster",
  'storageversions.internal.apiserver.k8s.io': "each source API server's record of the versions it stores",
  'storageversionmigrations.storagemigration.k8s.io': "requests to rewrite the source cluster's etcd, done or not",
  bindings: 'a request (bind a pod to a node), not an object',
  'tokenreviews.authentication.k8s.io': 'a request, not an object',
  'selfsubjectreviews.authentication.k8s.io': 'a request, not an object',
  'selfsubjectaccessreviews.authorization.k8s.io': 'a request, not an object',
  'selfsubjectrulesreviews.authorization.k8s.io': 'a request, not an object',
  'subjectaccessreviews.authorization.k8s.io': 'a request, not an object',
  'localsubjectaccessreviews.authorization.k8s.io': 'a request, not an object',
  'nodes.metrics.k8s.io': 'live usage, not objects anyone created',
  'pods.metrics.k8s.io': 'live usage, not objects anyone created',
};

/** The names of NEVER_RESTORED_TYPES. */
export const NEVER_RESTORED_RESOURCES: ReadonlySet<string> = new Set(Object.keys(NEVER_RESTORED_TYPES));

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

/** What a rule does with the objects it matches. */
export type ObjectDecision =
  /** Never written. */
  | 'never'
  /** Created when the recovery cluster lacks it; a copy it has is kept even with `existingResourcePolicy: update`. */
  | 'ifMissing';

/** One object as the rules look at it (as backed up, before any change). */
export interface ObjectView {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, unknown>>;
  annotations: Readonly<Record<string, unknown>>;
  object: Readonly<Record<string, unknown>>;
}

/** Objects of some types that restore treats apart: the API server's or the control plane's own. */
export interface ObjectRule {
  /** Velero resource names the rule applies to. */
  resources: readonly string[];
  decision: ObjectDecision;
  /** Which objects of those types, in words (docs/never-restored.md). */
  objects: string;
  matches(o: ObjectView, facts: RecoveryPointFacts): boolean;
  /** The reason in the report. */
  why: string;
}

const RBAC = [
  'clusterroles.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io',
  'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io',
] as const;
const APF = ['flowschemas.flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations.flowcontrol.apiserver.k8s.io'] as const;
/** APF's mandatory objects: the API server enforces their spec and refuses any other. */
const APF_MANDATORY = new Set(['exempt', 'catch-all']);
const APF_AUTOUPDATE = 'apf.kubernetes.io/autoupdate-spec';
const RBAC_AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';
const ENDPOINTSLICE_MANAGERS = new Set(['endpointslice-controller.k8s.io', 'endpointslicemirroring-controller.k8s.io']);
const isRbacDefault = (o: ObjectView): boolean => o.labels['kubernetes.io/bootstrapping'] === 'rbac-defaults';

/**
 * Objects the API server (or the control plane beside it) creates and maintains by itself, in one table.
 * The recovery cluster's API server makes its own, for its own version and addresses; restoring the
 * source's would at best duplicate them and at worst reserve, lock out or downgrade something.
 * Customized copies of its defaults (marked not to be auto-updated) are restored only where missing.
 */
export const OBJECT_RULES: readonly ObjectRule[] = [
  {
    resources: ['services'], decision: 'never', objects: '`default/kubernetes`',
    matches: (o) => o.namespace === 'default' && o.name === 'kubernetes',
    why: "the API server's own Service (its ClusterIP is the first of the recovery cluster's range)",
  },
  {
    resources: ['endpoints'], decision: 'never', objects: '`default/kubernetes`',
    matches: (o) => o.namespace === 'default' && o.name === 'kubernetes',
    why: "the API server's own Endpoints",
  },
  {
    resources: ['endpointslices.discovery.k8s.io'], decision: 'never', objects: 'those of the `default/kubernetes` Service',
    matches: (o) => o.namespace === 'default' && o.labels['kubernetes.io/service-name'] === 'kubernetes',
    why: "the API server's own EndpointSlice",
  },
  {
    resources: ['endpoints'], decision: 'never', objects: 'those of a Service with a selector',
    matches: (o, facts) => facts.selectorServices.has(`${o.namespace}/${o.name}`),
    why: 'endpoints of a Service with a selector: the control plane rebuilds them',
  },
  {
    resources: ['endpointslices.discovery.k8s.io'], decision: 'never',
    objects: 'those of a Service with a selector, and those the control plane manages or mirrors (`endpointslice.kubernetes.io/managed-by`)',
    matches: (o, facts) => {
      const service = o.labels['kubernetes.io/service-name'];
      const manager = o.labels['endpointslice.kubernetes.io/managed-by'];
      return (typeof service === 'string' && facts.selectorServices.has(`${o.namespace}/${service}`))
        || (typeof manager === 'string' && ENDPOINTSLICE_MANAGERS.has(manager));
    },
    why: 'endpoint slice the control plane builds from its Service or Endpoints: it rebuilds it',
  },
  {
    // 1.33+: made from --service-cluster-ip-range; a user's other ServiceCIDRs are restored.
    resources: ['servicecidrs.networking.k8s.io'], decision: 'never', objects: '`kubernetes` (the default)',
    matches: (o) => o.name === 'kubernetes',
    why: "the API server's default ServiceCIDR, made from the recovery cluster's own service range",
  },
  {
    resources: ['configmaps'], decision: 'never', objects: '`kube-root-ca.crt` in every namespace',
    matches: (o) => o.name === 'kube-root-ca.crt',
    why: 'published by the control plane in every namespace with the recovery cluster\'s CA',
  },
  {
    // Holds the recovery cluster's own client CAs: the source's would lock out its aggregated APIs.
    resources: ['configmaps'], decision: 'never', objects: '`kube-system/extension-apiserver-authentication`',
    matches: (o) => o.namespace === 'kube-system' && o.name === 'extension-apiserver-authentication',
    why: "the API server's own authentication ConfigMap",
  },
  {
    resources: ['configmaps'], decision: 'never', objects: '`kube-system/kube-apiserver-legacy-service-account-token-tracking`',
    matches: (o) => o.namespace === 'kube-system' && o.name === 'kube-apiserver-legacy-service-account-token-tracking',
    why: 'the API server records since when it tracks legacy token use in its own cluster',
  },
  {
    resources: ['configmaps'], decision: 'never', objects: '`kube-public/cluster-info`',
    matches: (o) => o.namespace === 'kube-public' && o.name === 'cluster-info',
    why: "the cluster's discovery ConfigMap: it carries the source cluster's CA and endpoint",
  },
  {
    resources: ['secrets'], decision: 'never', objects: 'of type `kubernetes.io/service-account-token`',
    matches: (o) => o.object.type === 'kubernetes.io/service-account-token',
    why: 'service account tokens are issued by the recovery cluster',
  },
  {
    resources: ['secrets'], decision: 'never', objects: 'of type `bootstrap.kubernetes.io/token`',
    matches: (o) => o.object.type === 'bootstrap.kubernetes.io/token',
    why: "a node-join credential of the source cluster: it must not open the recovery cluster",
  },
  {
    resources: RBAC, decision: 'never', objects: 'labelled `kubernetes.io/bootstrapping: rbac-defaults` (the `system:` roles and bindings, `admin`, `edit`, `view`, `cluster-admin`)',
    matches: (o) => isRbacDefault(o) && o.annotations[RBAC_AUTOUPDATE] !== 'false',
    why: "the API server's bootstrap RBAC: it reconciles its own for its version at every start",
  },
  {
    resources: RBAC, decision: 'ifMissing', objects: 'bootstrap RBAC customized in the source (`rbac.authorization.kubernetes.io/autoupdate: "false"`)',
    matches: (o) => isRbacDefault(o) && o.annotations[RBAC_AUTOUPDATE] === 'false',
    why: "a customized copy of the API server's bootstrap RBAC: the recovery cluster's own is kept, since replacing it could take permissions its components need (re-apply the customization by hand)",
  },
  {
    resources: ['apiservices.apiregistration.k8s.io'], decision: 'never', objects: 'labelled `kube-aggregator.kubernetes.io/automanaged`',
    matches: (o) => o.labels['kube-aggregator.kubernetes.io/automanaged'] !== undefined,
    why: 'registered by the API server for its own groups',
  },
  {
    resources: ['priorityclasses.scheduling.k8s.io'], decision: 'never', objects: '`system-node-critical`, `system-cluster-critical`',
    matches: (o) => o.name === 'system-node-critical' || o.name === 'system-cluster-critical',
    why: "the API server's own PriorityClass",
  },
  {
    resources: APF, decision: 'never', objects: 'the mandatory `exempt` and `catch-all`, and every one annotated `apf.kubernetes.io/autoupdate-spec: "true"`',
    matches: (o) => APF_MANDATORY.has(o.name) || o.annotations[APF_AUTOUPDATE] === 'true',
    why: "the API server's own flow control configuration: it keeps it up to date for its version",
  },
  {
    resources: APF, decision: 'ifMissing', objects: 'annotated `apf.kubernetes.io/autoupdate-spec: "false"` (a suggested one customized in the source)',
    matches: (o) => o.annotations[APF_AUTOUPDATE] === 'false',
    why: "a customized copy of the API server's suggested flow control configuration: the recovery cluster's own is kept (re-apply the customization by hand)",
  },
  {
    // Only Kubernetes' own signers may use the kubernetes.io/ prefix.
    resources: ['clustertrustbundles.certificates.k8s.io'], decision: 'never', objects: 'of a `kubernetes.io/` signer',
    matches: (o) => typeof record(o.object.spec).signerName === 'string' && String(record(o.object.spec).signerName).startsWith('kubernetes.io/'),
    why: "trust anchors of the source cluster's built-in signers: the recovery cluster publishes its own",
  },
];

const RULES_BY_RESOURCE = new Map<string, ObjectRule[]>();
for (const rule of OBJECT_RULES) for (const r of rule.resources) RULES_BY_RESOURCE.set(r, [...(RULES_BY_RESOURCE.get(r) ?? []), rule]);

function ruleFor(resourceName: string, obj: Readonly<Record<string, unknown>>, facts: RecoveryPointFacts): ObjectRule | undefined {
  const rules = RULES_BY_RESOURCE.get(resourceName);
  if (!rules) return undefined;
  const view = viewOf(obj);
  return rules.find((rule) => rule.matches(view, facts));
}

/**
 * Objects the API server or a controller makes itself: never restored. Checked on the object as backed up.
 */
export function skipReason(resourceName: string, obj: Record<string, unknown>, facts: RecoveryPointFacts): SkipReason | undefined {
  const never = NEVER_RESTORED_TYPES[resourceName];
  if (never !== undefined) return { skip: 'notRestorable', why: `${resourceName} are never restored: ${never}` };
  const rule = ruleFor(resourceName, obj, facts);
  if (rule?.decision === 'never') return { skip: 'notRestorable', why: rule.why };

  const owners = Array.isArray(record(obj.metadata).ownerReferences) ? (record(obj.metadata).ownerReferences as unknown[]) : [];
  for (const ref of owners) {
    const r = record(ref);
    if (r.controller === true && typeof r.uid === 'string' && facts.hasUid(r.uid)) {
      return { skip: 'owned', why: `controlled by ${String(r.kind)}/${String(r.name)}, which is restored and recreates it` };
    }
  }
  return undefined;
}

/**
 * Why a copy the recovery cluster already has is kept as it is even under `existingResourcePolicy: update`;
 * undefined when the policy decides.
 */
export function keepExistingReason(resourceName: string, obj: Record<string, unknown>, facts: RecoveryPointFacts): string | undefined {
  const rule = ruleFor(resourceName, obj, facts);
  return rule?.decision === 'ifMissing' ? rule.why : undefined;
}

function viewOf(obj: Readonly<Record<string, unknown>>): ObjectView {
  const meta = record(obj.metadata);
  return {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    labels: record(meta.labels),
    annotations: record(meta.annotations),
    object: obj,
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
