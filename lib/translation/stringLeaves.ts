/** The string values of one parsed JSON object, with their paths, in document order. */
import { child, LAST_APPLIED, MANAGED_FIELDS, type PathNode } from '../dependencies';

/** Nesting deeper than this is not walked, as in lib/dependencies' scan. */
const MAX_DEPTH = 128;

/** One string value and where it sits, so that it can be replaced in place. */
export interface StringLeaf {
  container: Record<string, unknown> | unknown[];
  key: string | number;
  node: PathNode;
  value: string;
}

/**
 * Every string value (never a key) in document order, except those the dependency scanner does not read
 * either: `metadata.managedFields` and the last-applied-configuration annotation (a copy of an older
 * version of the object). `skip` leaves out whole subtrees (a Secret's data).
 */
export function stringLeaves(root: Record<string, unknown>, skip: (node: PathNode) => boolean): StringLeaf[] {
  const leaves: StringLeaf[] = [];
  const visit = (container: Record<string, unknown> | unknown[], key: string | number, value: unknown, node: PathNode, depth: number): void => {
    if (skip(node)) return;
    if (typeof value === 'string') {
      if (!(node.key === LAST_APPLIED && node.parent?.key === 'annotations')) leaves.push({ container, key, node, value });
    } else if (depth < MAX_DEPTH && Array.isArray(value)) {
      value.forEach((item, index) => visit(value, index, item, child(node, index), depth + 1));
    } else if (depth < MAX_DEPTH && isRecord(value)) {
      for (const [childKey, item] of Object.entries(value)) {
        if (depth === 1 && node.key === 'metadata' && childKey === MANAGED_FIELDS) continue;
        visit(value, childKey, item, child(node, childKey), depth + 1);
      }
    }
  };
  for (const [key, value] of Object.entries(root)) visit(root, key, value, child(undefined, key), 1);
  return leaves;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
