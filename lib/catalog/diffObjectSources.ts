// The comparison under diff-recovery-points and drift (DESIGN.md sections 9 and 11). Memory is bounded by
// 16 bytes per object of `from` (DigestTable: a hash of its key and of its normalized content), never by
// the objects or their names:
//   1. read `from`: key hash -> digest;
//   2. read `to`: compare digests; added and changed objects are found, and for changed ones only the
//      leaf map (path -> digest of the value) is kept;
//   3. only when something changed or was removed, read `from` again: name the removed objects (the
//      table holds no names) and the changed objects' paths.
// Values are hashed, never kept or returned: a Secret's changed paths name its keys, never its data.
import { DigestTable } from './DigestTable';
import { differingPaths, leafDigests, normalizeObject, objectDigest } from './objectDigest';

/** One object, named as in the archive. `namespace` is absent for cluster-scoped objects. */
export interface DiffObjectRef {
  resource: string;
  namespace?: string;
  name: string;
}

export interface ChangedObject extends DiffObjectRef {
  /** JSON paths that differ, e.g. `spec.replicas`, `data.password`. */
  paths: string[];
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

/** An object as a source hands it over. */
export interface SourcedObject {
  resourceName: string;
  namespace: string | undefined;
  name: string;
  object: Record<string, unknown>;
}

/**
 * Something that can be read from its start more than once (a recovery point's archive, a cluster's lists),
 * handing each object to `visit`; resolves when every object was handed over.
 */
export type ObjectSource = (visit: (o: SourcedObject) => void) => Promise<void>;

export interface ObjectSourceDiff {
  added: DiffObjectRef[];
  removed: DiffObjectRef[];
  changed: ChangedObject[];
  counts: DiffCounts;
  /** Counts per resource type, for the types where something differs. */
  byResource: Record<string, DiffCounts>;
  /** Objects compared on each side. */
  objects: { from: number; to: number };
}

/** Compares two sources; `expectedFrom` sizes the digest table (it grows past it if needed). */
export async function diffObjectSources(from: ObjectSource, to: ObjectSource, expectedFrom: number): Promise<ObjectSourceDiff> {
  // 1. from: key -> digest.
  const fromDigests = new DigestTable(expectedFrom);
  let fromCount = 0;
  await from((o) => {
    fromCount++;
    fromDigests.set(keyOf(o.resourceName, o.namespace, o.name), objectDigest(normalizeObject(o.object)));
  });

  // 2. to: compare; keep leaf maps of changed objects only.
  const added: DiffObjectRef[] = [];
  const changedLeaves = new Map<string, Map<string, string>>();
  let toCount = 0;
  await to((o) => {
    toCount++;
    const key = keyOf(o.resourceName, o.namespace, o.name);
    const normalized = normalizeObject(o.object);
    const match = fromDigests.match(key, objectDigest(normalized));
    if (match === 'absent') added.push(refOf(o.resourceName, o.namespace, o.name));
    else if (match === 'changed') changedLeaves.set(key, leafDigests(normalized));
  });

  // 3. from again: what `to` never matched was removed; the changed objects' paths.
  const removed: DiffObjectRef[] = [];
  const changed: ChangedObject[] = [];
  if (changedLeaves.size > 0 || fromDigests.unseen() > 0) {
    await from((o) => {
      const key = keyOf(o.resourceName, o.namespace, o.name);
      if (!fromDigests.wasSeen(key)) {
        removed.push(refOf(o.resourceName, o.namespace, o.name));
        return;
      }
      const after = changedLeaves.get(key);
      if (!after) return;
      changed.push({ ...refOf(o.resourceName, o.namespace, o.name), paths: differingPaths(leafDigests(normalizeObject(o.object)), after) });
      changedLeaves.delete(key);
    });
  }

  const order = (a: DiffObjectRef, b: DiffObjectRef): number =>
    a.resource.localeCompare(b.resource) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
  added.sort(order);
  removed.sort(order);
  changed.sort(order);
  const byResource: Record<string, DiffCounts> = {};
  const bump = (list: DiffObjectRef[], field: keyof DiffCounts): void => {
    for (const r of list) (byResource[r.resource] ??= { added: 0, removed: 0, changed: 0 })[field]++;
  };
  bump(added, 'added');
  bump(removed, 'removed');
  bump(changed, 'changed');
  return {
    added, removed, changed,
    counts: { added: added.length, removed: removed.length, changed: changed.length },
    byResource,
    objects: { from: fromCount, to: toCount },
  };
}

// Resource names, namespaces and names never hold '/' (the layout refuses them), so '/' separates safely.
function keyOf(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}

function refOf(resource: string, namespace: string | undefined, name: string): DiffObjectRef {
  return namespace === undefined ? { resource, name } : { resource, namespace, name };
}
