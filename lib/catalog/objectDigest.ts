// What diff compares: an object with the fields the API server sets removed (they differ between any two
// backups and say nothing about configuration), reduced to digests. Values are hashed, never kept, so a
// Secret's data can be compared without being held or shown: only its key paths ever leave this file.
import { createHash } from 'node:crypto';

/** metadata fields the API server sets or bumps on its own. */
const SERVER_SET_METADATA = [
  'resourceVersion', 'managedFields', 'generation', 'uid', 'selfLink',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
] as const;
/**
 * Annotations that are copies or controller bookkeeping, not configuration: kubectl's last-applied copy of
 * the object (it changes with the fields it copies, and for a Secret would hold its values) and the
 * Deployment controller's revision counter.
 */
const DERIVED_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];
/** Lease timestamps renewed by their holder every few seconds (the API server's own leases among them). */
const RENEWED_LEASE_FIELDS = ['renewTime', 'acquireTime'];

/** The fields diff ignores, for documentation and responses. */
export const IGNORED_FIELDS: readonly string[] = [
  ...SERVER_SET_METADATA.map((f) => `metadata.${f}`), 'status',
  ...DERIVED_ANNOTATIONS.map((a) => `metadata.annotations["${a}"]`), 'spec.renewTime (Lease)', 'spec.acquireTime (Lease)',
];

/** A copy of the object without server-set fields (the input is not changed). */
export function normalizeObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...object };
  delete out.status;
  if (isRecord(out.metadata)) {
    const metadata: Record<string, unknown> = { ...out.metadata };
    for (const f of SERVER_SET_METADATA) delete metadata[f];
    if (isRecord(metadata.annotations)) {
      const annotations: Record<string, unknown> = { ...metadata.annotations };
      for (const a of DERIVED_ANNOTATIONS) delete annotations[a];
      if (Object.keys(annotations).length === 0) delete metadata.annotations;
      else metadata.annotations = annotations;
    }
    out.metadata = metadata;
  }
  if (out.kind === 'Lease' && isRecord(out.spec)) {
    const spec: Record<string, unknown> = { ...out.spec };
    for (const f of RENEWED_LEASE_FIELDS) delete spec[f];
    out.spec = spec;
  }
  return out;
}

/** SHA-256 over the normalized object's canonical JSON (keys sorted): equal objects, equal digests. */
export function objectDigest(normalized: unknown): Buffer {
  return createHash('sha256').update(canonicalJson(normalized)).digest();
}

/**
 * Every leaf of the normalized object as path -> short digest of its value. Paths read like
 * `spec.replicas`, `data.password`, `spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`.
 * Empty objects and arrays are leaves.
 */
export function leafDigests(normalized: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value) && value.length > 0) {
      value.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (isRecord(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, joinPath(path, k));
    } else {
      out.set(path, createHash('sha256').update(canonicalJson(value)).digest('base64').slice(0, 11));
    }
  };
  walk(normalized, '');
  return out;
}

/**
 * The paths that differ between two leaf maps, shortened to the highest path that exists on one side only
 * (a removed container is `spec.containers[1]`, not each of its fields), sorted.
 */
export function differingPaths(a: Map<string, string>, b: Map<string, string>): string[] {
  const ancestorsA = ancestorsOf(a.keys());
  const ancestorsB = ancestorsOf(b.keys());
  const found = new Set<string>();
  const shorten = (path: string, other: Set<string>, otherLeaves: Map<string, string>): string => {
    for (const p of [...prefixesOf(path), path]) if (p !== '' && !other.has(p) && !otherLeaves.has(p)) return p;
    return path;
  };
  for (const [path, digest] of a) {
    if (b.get(path) !== digest) found.add(b.has(path) ? path : shorten(path, ancestorsB, b));
  }
  for (const path of b.keys()) if (!a.has(path)) found.add(shorten(path, ancestorsA, a));
  return [...found].sort();
}

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function joinPath(path: string, key: string): string {
  if (SIMPLE_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Proper prefixes of a path at each `.` or `[` boundary, shortest first. */
function prefixesOf(path: string): string[] {
  const out: string[] = [];
  let inString = false;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '"' && path[i - 1] !== '\\') inString = !inString;
    if (!inString && (c === '.' || c === '[') && i > 0) out.push(path.slice(0, i));
  }
  return out;
}

function ancestorsOf(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) for (const a of prefixesOf(p)) out.add(a);
  return out;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
