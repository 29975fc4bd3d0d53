// What is changed on an object before it is written to the recovery cluster (DESIGN.md section 8,
// "Changed on the way"): one small function per kind, applied to a copy. Pure and table-tested.
import { mapGitopsNamespaces, pauseGitops, type GitopsMode, type HeldField } from './gitops';
import { moveHelmRelease } from './helmRelease';

import { child, cloneJson, list, record, type Json } from './jsonFields';

/** Set by the server, or meaningful only in the cluster the object came from. */
const SERVER_METADATA = [
  'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
  'selfLink', 'managedFields', 'ownerReferences',
] as const;
const SERVER_METADATA_SET: ReadonlySet<string> = new Set(SERVER_METADATA);
/** Job labels that carry the old Job's uid: a restored template that keeps them fails validation. */
const JOB_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'] as const;
/** Binding state of the old cluster's PV controller. */
const PV_BIND_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller'] as const;
const PVC_BIND_ANNOTATIONS = [...PV_BIND_ANNOTATIONS, 'volume.kubernetes.io/selected-node'] as const;

export interface PrepareOptions {
  /** Source namespace -> recovery namespace. @default {} */
  namespaceMapping?: Readonly<Record<string, string>>;
  /** `pause`: Argo CD and Flux appliers are held (lib/restore/gitops.ts). @default 'off' */
  gitops?: GitopsMode;
}

/** An object as it is to be written, and what was changed on it beyond "Changed on the way". */
export interface PreparedObject {
  object: Json;
  /** The fields `gitops: pause` held, with their recovery-point values; absent when it held none. */
  gitopsHeld?: HeldField[];
  /** GitOps ownership marks and namespace fields that followed namespaceMapping. */
  gitopsMapped?: number;
}

/** A copy of `obj` as it is to be created in the recovery cluster. `obj` is left unchanged. */
export function prepareForRestore(resourceName: string, obj: Readonly<Json>, options: PrepareOptions = {}): Json {
  return prepareObject(resourceName, obj, options).object;
}

/** prepareForRestore, saying what the GitOps changes did. */
export function prepareObject(resourceName: string, obj: Readonly<Json>, options: PrepareOptions = {}): PreparedObject {
  const out = copyWithoutServerFields(obj);
  const mapping = options.namespaceMapping ?? NO_MAPPING;
  const mapNs = (ns: string): string => mapping[ns] ?? ns;
  const meta = record(out.metadata);
  for (const field of SERVER_METADATA) delete meta[field];
  if (typeof meta.name === 'string' && meta.name !== '') delete meta.generateName;
  const moved = typeof meta.namespace === 'string' && mapNs(meta.namespace) !== meta.namespace;
  if (typeof meta.namespace === 'string') meta.namespace = mapNs(meta.namespace);
  delete out.status;
  KIND_CHANGES[resourceName]?.(out, mapNs);
  // A Helm release moved to another namespace says so inside, or Helm would manage it in the old one.
  if (resourceName === 'secrets' && moved) moveHelmRelease(out, String(meta.namespace));
  const gitopsMapped = mapsAny(mapping) ? mapGitopsNamespaces(resourceName, out, mapNs) : 0;
  const gitopsHeld = options.gitops === 'pause' ? pauseGitops(resourceName, out) : undefined;
  dropEmpty(meta, 'annotations');
  dropEmpty(meta, 'labels');
  return { object: out, ...(gitopsHeld ? { gitopsHeld } : {}), ...(gitopsMapped ? { gitopsMapped } : {}) };
}

const NO_MAPPING: Readonly<Record<string, string>> = Object.freeze({});

// Whether a namespaceMapping maps anything, once per mapping: Object.keys of a restore's mapping costs ms
// when it names 20 000 namespaces, and this is asked for every object.
const MAPS_ANY = new WeakMap<object, boolean>();
function mapsAny(mapping: Readonly<Record<string, string>>): boolean {
  let known = MAPS_ANY.get(mapping);
  if (known === undefined) {
    known = Object.keys(mapping).length > 0;
    MAPS_ANY.set(mapping, known);
  }
  return known;
}

/**
 * A copy of `obj` without what prepareObject drops whole (status, the server's metadata): managedFields
 * are often the larger half of an object, and copying them only to delete them was a restore's costliest
 * step of preparation.
 */
function copyWithoutServerFields(obj: Readonly<Json>): Json {
  const out: Json = {};
  for (const key in obj) {
    if (!Object.hasOwn(obj, key) || key === 'status') continue;
    const value = obj[key];
    if (key !== 'metadata' || typeof value !== 'object' || value === null || Array.isArray(value)) {
      out[key] = cloneJson(value);
      continue;
    }
    const meta: Json = {};
    for (const field in value) {
      if (Object.hasOwn(value, field) && !SERVER_METADATA_SET.has(field)) meta[field] = cloneJson((value as Json)[field]);
    }
    out[key] = meta;
  }
  return out;
}

type KindChange = (obj: Json, mapNs: (ns: string) => string) => void;

const KIND_CHANGES: Record<string, KindChange> = {
  namespaces(obj, mapNs) {
    const meta = child(obj, 'metadata');
    if (typeof meta.name === 'string') meta.name = mapNs(meta.name);
    // spec.finalizers is managed by the namespace controller.
    delete obj.spec;
  },
  services(obj) {
    const spec = child(obj, 'spec');
    if (spec.clusterIP !== 'None') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    delete spec.healthCheckNodePort;
    for (const port of list(spec.ports)) delete port.nodePort;
  },
  pods(obj) {
    const spec = child(obj, 'spec');
    delete spec.nodeName;
    // The Priority admission plugin computes it from priorityClassName and refuses a mismatch.
    if (typeof spec.priorityClassName === 'string') delete spec.priority;
    dropServiceAccountTokenVolumes(spec);
  },
  serviceaccounts(obj) {
    const name = child(obj, 'metadata').name;
    if (!Array.isArray(obj.secrets)) return;
    obj.secrets = obj.secrets.filter((s: unknown) => !(typeof name === 'string' && isTokenSecretName(record(s).name, name)));
    if ((obj.secrets as unknown[]).length === 0) delete obj.secrets;
  },
  'jobs.batch'(obj) {
    const labels = record(child(obj, 'metadata').labels);
    const spec = child(obj, 'spec');
    const templateLabels = record(record(record(spec.template).metadata).labels);
    for (const label of JOB_UID_LABELS) {
      delete labels[label];
      delete templateLabels[label];
    }
    delete spec.selector;
    delete spec.manualSelector;
  },
  persistentvolumes(obj, mapNs) {
    const spec = child(obj, 'spec');
    const claimRef = record(spec.claimRef);
    if (spec.claimRef !== undefined) {
      delete claimRef.uid;
      delete claimRef.resourceVersion;
      if (typeof claimRef.namespace === 'string') claimRef.namespace = mapNs(claimRef.namespace);
    }
    const annotations = record(child(obj, 'metadata').annotations);
    for (const a of PV_BIND_ANNOTATIONS) delete annotations[a];
  },
  persistentvolumeclaims(obj) {
    const annotations = record(child(obj, 'metadata').annotations);
    for (const a of PVC_BIND_ANNOTATIONS) delete annotations[a];
  },
  'rolebindings.rbac.authorization.k8s.io': mapServiceAccountSubjects,
  'clusterrolebindings.rbac.authorization.k8s.io': mapServiceAccountSubjects,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': mapWebhookServices,
  'validatingwebhookconfigurations.admissionregistration.k8s.io': mapWebhookServices,
};

/**
 * A webhook whose Service is in a mapped namespace calls it there: the Service moved with its namespace,
 * and the old one may not exist in the recovery cluster (its endpoints are checked where it now is).
 */
function mapWebhookServices(obj: Json, mapNs: (ns: string) => string): void {
  for (const webhook of list(obj.webhooks)) {
    const service = record(record(webhook.clientConfig).service);
    if (typeof service.namespace === 'string') service.namespace = mapNs(service.namespace);
  }
}

/** A binding to a service account of a mapped namespace follows it there (as Velero does). */
function mapServiceAccountSubjects(obj: Json, mapNs: (ns: string) => string): void {
  for (const subject of list(obj.subjects)) {
    if (subject.kind === 'ServiceAccount' && typeof subject.namespace === 'string') subject.namespace = mapNs(subject.namespace);
  }
}

/** `<sa>-token-<5 chars>`: the token Secret the old cluster generated (before 1.24). */
function isTokenSecretName(secretName: unknown, serviceAccount: string): boolean {
  return typeof secretName === 'string' && new RegExp(`^${escapeRegExp(serviceAccount)}-token-[a-z0-9]{5}$`).test(secretName);
}

/** Volumes mounting the old cluster's service account token Secret, and their mounts. */
function dropServiceAccountTokenVolumes(spec: Json): void {
  const sa = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : 'default';
  const dropped = new Set<string>();
  if (Array.isArray(spec.volumes)) {
    spec.volumes = spec.volumes.filter((v: unknown) => {
      const volume = record(v);
      const secretName = record(volume.secret).secretName;
      const drop = isTokenSecretName(secretName, sa) && typeof volume.name === 'string';
      if (drop) dropped.add(volume.name as string);
      return !drop;
    });
  }
  if (dropped.size === 0) return;
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of list(spec[field])) {
      if (Array.isArray(c.volumeMounts)) c.volumeMounts = c.volumeMounts.filter((m: unknown) => !dropped.has(String(record(m).name)));
    }
  }
}

/**
 * For an update of an existing object: the fields the API server will not let an update change, taken
 * from the object as it is in the recovery cluster (a Service's cluster IPs and node ports, a Job's
 * selector and generated labels), plus its resourceVersion.
 */
export function carryOverForUpdate(resourceName: string, desired: Json, existing: Readonly<Json>): Json {
  const out = cloneJson(desired);
  const existingMeta = record(existing.metadata);
  child(out, 'metadata').resourceVersion = existingMeta.resourceVersion;
  const from = record(existing.spec);
  const to = record(out.spec);
  if (resourceName === 'services') {
    for (const f of ['clusterIP', 'clusterIPs', 'healthCheckNodePort'] as const) if (from[f] !== undefined && to[f] === undefined) to[f] = from[f];
    const oldPorts = list(from.ports);
    for (const port of list(to.ports)) {
      const match = oldPorts.find((p) => p.port === port.port && p.protocol === port.protocol);
      if (match?.nodePort !== undefined && port.nodePort === undefined) port.nodePort = match.nodePort;
    }
  }
  if (resourceName === 'jobs.batch') {
    to.selector = from.selector;
    to.template = from.template;
  }
  if (resourceName === 'persistentvolumeclaims' && to.volumeName === undefined && from.volumeName !== undefined) to.volumeName = from.volumeName;
  return out;
}

/**
 * Whether every field the recovery point sets has the same value in the object as it stands (fields the
 * recovery cluster added, such as newer defaults, do not count): then an update would change nothing.
 */
export function alreadyMatches(desired: unknown, existing: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(existing) && desired.length === existing.length && desired.every((d, i) => alreadyMatches(d, existing[i]));
  }
  if (typeof desired === 'object' && desired !== null) {
    if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) return false;
    const e = existing as Json;
    return Object.entries(desired as Json).every(([k, v]) => alreadyMatches(v, e[k]));
  }
  return desired === existing;
}

function dropEmpty(obj: Json, key: string): void {
  const v = obj[key];
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) delete obj[key];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
