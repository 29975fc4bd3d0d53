/**
 * Paths inside a walked object, kept as a linked list of keys so that building one costs nothing
 * until a dependency is actually found there.
 */

export interface PathNode {
  readonly parent: PathNode | undefined;
  readonly key: string | number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders `spec.template.spec.containers[0].image`; keys that are not identifiers are quoted as JSON
 * strings: `metadata.annotations["eks.amazonaws.com/role-arn"]`.
 */
export function renderPath(node: PathNode | undefined): string {
  const keys: Array<string | number> = [];
  for (let current = node; current; current = current.parent) keys.push(current.key);
  let path = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] ?? '';
    if (typeof key === 'number') path += `[${key}]`;
    else if (IDENTIFIER.test(key)) path += path === '' ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}

/** The node for `key` under `parent`. */
export function child(parent: PathNode | undefined, key: string | number): PathNode {
  return { parent, key };
}

/** The node for a dotted path of plain keys, e.g. `pathOf('data', 'mapRoles')`. */
export function pathOf(...keys: Array<string | number>): PathNode | undefined {
  let node: PathNode | undefined;
  for (const key of keys) node = child(node, key);
  return node;
}
