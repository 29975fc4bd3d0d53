// GitOps-aware restore (issue 24, item 4; docs/gitops-and-webhooks.md). Argo CD and Flux restored as they
// were would start applying and pruning the moment their controllers run, from a Git state that may not
// suit the recovery cluster, and with namespaceMapping they would prune the restored copies as strays
// (velero #7848). So: with `gitops: pause`, each applier is restored held, and the annotation
// GITOPS_PAUSED_ANNOTATION records exactly the fields changed and their values in the recovery point, for
// resume-gitops to put back. One small table: per kind, what is held and which namespace fields it names.

import { child, list, record, type Json } from './jsonFields';

/** `pause`: restore Argo CD and Flux appliers held (resume-gitops releases them); `off`: as they are. */
export type GitopsMode = 'pause' | 'off';
export const GITOPS_MODES: readonly GitopsMode[] = ['pause', 'off'];

/** JSON list of the fields the pause changed, with their values in the recovery point (HeldField[]). */
export const GITOPS_PAUSED_ANNOTATION = 'dr.eks-delegate/gitops-paused';

/** One field the pause changed: its dotted path, and its value in the recovery point (absent: it was not set). */
export interface HeldField {
  path: string;
  value?: unknown;
}

/** Marks a field the pause removes. */
const REMOVED = Symbol('removed');

interface GitopsKind {
  /** The fields that hold the applier, and the value each is given (REMOVED: the field is removed); [] for a kind that applies nothing. */
  hold: ReadonlyArray<{ path: string; held: unknown }>;
  /** The spec fields that name namespaces of the recovery point: they follow namespaceMapping. */
  namespaceFields: readonly string[];
}

/** The appliers (and Argo CD's projects, which say where they may apply), by restore name. */
export const GITOPS_KINDS: Readonly<Record<string, GitopsKind>> = {
  'appprojects.argoproj.io': {
    hold: [],
    // An Application whose destination moved to a namespace its project does not allow would not sync.
    namespaceFields: ['spec.destinations[].namespace'],
  },
  'applications.argoproj.io': {
    hold: [
      // No automated sync; a pending `operation` would start a sync by itself.
      { path: 'spec.syncPolicy.automated', held: REMOVED },
      { path: 'operation', held: REMOVED },
    ],
    namespaceFields: ['spec.destination.namespace'],
  },
  'applicationsets.argoproj.io': {
    hold: [
      // Applications it generates get no automated sync ...
      { path: 'spec.template.spec.syncPolicy.automated', held: REMOVED },
      // ... and it creates them but neither updates nor deletes them: a generator that answers otherwise in
      // the recovery cluster cannot delete an Application (whose finalizer deletes the restored workloads).
      { path: 'spec.syncPolicy.applicationsSync', held: 'create-only' },
    ],
    namespaceFields: ['spec.template.spec.destination.namespace'],
  },
  'kustomizations.kustomize.toolkit.fluxcd.io': {
    hold: [{ path: 'spec.suspend', held: true }],
    namespaceFields: ['spec.targetNamespace', 'spec.sourceRef.namespace', 'spec.dependsOn[].namespace'],
  },
  'helmreleases.helm.toolkit.fluxcd.io': {
    hold: [{ path: 'spec.suspend', held: true }],
    namespaceFields: [
      'spec.targetNamespace', 'spec.storageNamespace', 'spec.chart.spec.sourceRef.namespace', 'spec.chartRef.namespace', 'spec.dependsOn[].namespace',
    ],
  },
};

/** Labels whose value is a Flux object's namespace (the Kustomization or HelmRelease that applied it). */
const FLUX_NAMESPACE_LABELS = ['kustomize.toolkit.fluxcd.io/namespace', 'helm.toolkit.fluxcd.io/namespace'] as const;
/** Argo CD's tracking labels (label tracking): `<app>`, or `<app namespace>_<app>` for apps in any namespace. */
const ARGO_INSTANCE_LABELS = ['app.kubernetes.io/instance', 'argocd.argoproj.io/instance'] as const;
/** Argo CD's annotation tracking: `<app>:<group>/<kind>:<namespace>/<name>`. */
const ARGO_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const TRACKING_ID = /^([^:]+):([^/:]*)\/([^:]+):([^/]*)\/(.+)$/;

/**
 * Holds an applier (in place): the fields of GITOPS_KINDS set to their held values. Returns what changed,
 * with the values before; undefined when nothing needed holding (not an applier, or held already: an
 * object that carries the annotation keeps it, whose values are the recovery point's own).
 */
export function pauseGitops(resourceName: string, obj: Json): HeldField[] | undefined {
  const kind = GITOPS_KINDS[resourceName];
  if (!kind) return undefined;
  const meta = child(obj, 'metadata');
  const already = record(meta.annotations)[GITOPS_PAUSED_ANNOTATION];
  if (typeof already === 'string') return parseHeldFields(already) ?? undefined;
  const held: HeldField[] = [];
  for (const { path, held: value } of kind.hold) {
    const before = getPath(obj, path);
    if (value === REMOVED ? before === undefined : before === value) continue;
    // Where the field's parents are missing too, the first missing one is recorded: resume removes it whole.
    held.push(before === undefined ? { path: firstMissing(obj, path) } : { path, value: structuredClone(before) });
    if (value === REMOVED) deletePath(obj, path);
    else setPath(obj, path, value);
  }
  if (held.length === 0) return undefined;
  child(meta, 'annotations')[GITOPS_PAUSED_ANNOTATION] = JSON.stringify(held);
  return held;
}

/**
 * Releases an object held by pauseGitops (in place): each recorded field back to its recovery-point value
 * (or removed where it was not set), the annotation removed. Returns the fields put back; undefined when
 * the object is not held; throws GitopsAnnotationError when the annotation cannot be read.
 */
export function resumeGitops(obj: Json): HeldField[] | undefined {
  const annotations = record(child(obj, 'metadata').annotations);
  const text = annotations[GITOPS_PAUSED_ANNOTATION];
  if (typeof text !== 'string') return undefined;
  const held = parseHeldFields(text);
  if (!held) throw new GitopsAnnotationError(`annotation ${GITOPS_PAUSED_ANNOTATION} is not a JSON list of {path, value}: left as it is`);
  for (const field of held) {
    if ('value' in field) setPath(obj, field.path, structuredClone(field.value));
    else deletePath(obj, field.path);
  }
  delete annotations[GITOPS_PAUSED_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete child(obj, 'metadata').annotations;
  return held;
}

/** The annotation could not be read: the object is not resumed. */
export class GitopsAnnotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitopsAnnotationError';
  }
}

/**
 * With namespaceMapping (in place, any kind): the GitOps ownership marks that name a namespace follow it, so
 * Argo CD and Flux own the restored copies instead of pruning them (velero #7848): Argo CD's tracking-id
 * annotation and `<namespace>_<app>` instance labels, Flux's `.../namespace` labels, and the appliers' own
 * namespace fields (GITOPS_KINDS). Returns how many values changed.
 */
export function mapGitopsNamespaces(resourceName: string, obj: Json, mapNs: (ns: string) => string): number {
  let changed = 0;
  const set = (target: Json, key: string, value: string) => {
    if (target[key] !== value) changed++;
    target[key] = value;
  };
  const meta = child(obj, 'metadata');
  const labels = record(meta.labels);
  for (const label of FLUX_NAMESPACE_LABELS) if (typeof labels[label] === 'string') set(labels, label, mapNs(labels[label]));
  for (const label of ARGO_INSTANCE_LABELS) {
    const value = labels[label];
    if (typeof value === 'string') set(labels, label, mapAppInstance(value, mapNs));
  }
  const annotations = record(meta.annotations);
  const trackingId = annotations[ARGO_TRACKING_ID];
  const m = typeof trackingId === 'string' ? TRACKING_ID.exec(trackingId) : null;
  if (m) set(annotations, ARGO_TRACKING_ID, `${mapAppInstance(m[1]!, mapNs)}:${m[2]}/${m[3]}:${m[4] ? mapNs(m[4]) : ''}/${m[5]}`);
  for (const path of GITOPS_KINDS[resourceName]?.namespaceFields ?? []) {
    for (const { parent, key } of locate(obj, path)) {
      if (typeof parent[key] === 'string') set(parent, key, mapNs(parent[key]));
    }
  }
  return changed;
}

/** `<namespace>_<app>` (apps in any namespace) follows the mapping; a plain `<app>` names no namespace. */
function mapAppInstance(value: string, mapNs: (ns: string) => string): string {
  const at = value.indexOf('_');
  return at <= 0 ? value : `${mapNs(value.slice(0, at))}${value.slice(at)}`;
}

/** The annotation's list, or undefined when it is not one. */
export function parseHeldFields(text: string): HeldField[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((f) => typeof f === 'object' && f !== null && typeof (f as Json).path === 'string' && (f as Json).path !== '')) return undefined;
  return parsed as HeldField[];
}

/** The shortest prefix of `path` that is not set in `obj` (`path` itself when only the field is missing). */
function firstMissing(obj: Json, path: string): string {
  const keys = path.split('.');
  for (let i = 1; i < keys.length; i++) {
    const prefix = keys.slice(0, i).join('.');
    if (getPath(obj, prefix) === undefined) return prefix;
  }
  return path;
}

function getPath(obj: Json, path: string): unknown {
  let at: unknown = obj;
  for (const key of path.split('.')) at = record(at)[key];
  return at;
}

function setPath(obj: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = obj;
  for (const key of keys.slice(0, -1)) at = child(at, key);
  at[keys.at(-1)!] = value;
}

function deletePath(obj: Json, path: string): void {
  const keys = path.split('.');
  let at: unknown = obj;
  for (const key of keys.slice(0, -1)) at = record(at)[key];
  if (typeof at === 'object' && at !== null) delete (at as Json)[keys.at(-1)!];
}

/** The places a path names; `list[]` steps into each element of a list. */
function locate(obj: Json, path: string): Array<{ parent: Json; key: string }> {
  const keys = path.split('.');
  let parents: Json[] = [obj];
  for (const key of keys.slice(0, -1)) {
    parents = parents.flatMap((p) => key.endsWith('[]') ? list(p[key.slice(0, -2)]) : [record(p[key])]);
  }
  return parents.map((parent) => ({ parent, key: keys.at(-1)! }));
}
