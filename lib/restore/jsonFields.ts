// Reading and building parsed JSON objects without trusting their shape: the restore's per-kind preparation
// (prepareObject, gitops, webhooks) reads objects from a recovery point, which may hold anything.

export type Json = Record<string, unknown>;

/** `value` when it is a JSON object, else an empty one (never an array). */
export function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** The JSON objects of a list; anything else in it, or a value that is no list, is left out. */
export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}

/** `obj[key]` when it is an object; otherwise a new empty object put there (for writing a nested field). */
export function child(obj: Json, key: string): Json {
  const v = obj[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json;
  const created: Json = {};
  obj[key] = created;
  return created;
}

/**
 * A deep copy of parsed JSON (objects, arrays, strings, numbers, booleans, null), several times cheaper
 * than structuredClone, which serializes for another realm; anything else is shared, not copied.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Json = {};
  for (const key in value) if (Object.hasOwn(value, key)) out[key] = cloneJson((value as Json)[key]);
  return out as T;
}
