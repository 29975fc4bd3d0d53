/**
 * Translation of aws-auth's `mapRoles` and `mapUsers` (YAML lists inside ConfigMap data): each entry's
 * `rolearn` / `userarn` is rewritten like any ARN, and the YAML re-serialized. The entries are found
 * by lib/dependencies' parseMapRoles / parseMapUsers, the same reading the backup's scan does.
 */
import { parseDocument } from 'yaml';
import { parseMapRoles, parseMapUsers, pathOf, renderPath } from '../dependencies';
import { rewriteString, type RewriteContext } from './rewriteString';
import type { Rewrite } from './types';

export type MappingKey = 'mapRoles' | 'mapUsers';
export const MAPPING_KEYS: readonly MappingKey[] = ['mapRoles', 'mapUsers'];

const ARN_FIELD: Record<MappingKey, 'rolearn' | 'userarn'> = { mapRoles: 'rolearn', mapUsers: 'userarn' };

/**
 * The rewritten text of one mapping key and the rewrites, with paths like `data.mapRoles[0].rolearn`.
 * A text that is not a YAML list (hand-edited, broken) is rewritten as plain text at `data.mapRoles`,
 * as the scanner then reads it.
 */
export function rewriteMappings(key: MappingKey, text: string, context: RewriteContext): { text: string; rewrites: Rewrite[] } {
  const field = ARN_FIELD[key];
  const entries = key === 'mapRoles' ? parseMapRoles(text)?.map((e) => ({ index: e.index, arn: e.roleArn })) : parseMapUsers(text)?.map((e) => ({ index: e.index, arn: e.userArn }));
  if (!entries) {
    const rewritten = rewriteString(text, context, true);
    const path = renderPath(pathOf('data', key));
    return { text: rewritten.value, rewrites: rewritten.rewrites.map((r) => ({ path, ...r })) };
  }
  const rewrites: Rewrite[] = [];
  const document = parseDocument(text);
  for (const { index, arn } of entries) {
    const rewritten = rewriteString(arn, context, true);
    if (rewritten.rewrites.length === 0) continue;
    document.setIn([index, field], rewritten.value);
    const path = renderPath(pathOf('data', key, index, field));
    for (const r of rewritten.rewrites) rewrites.push({ path, ...r });
  }
  return { text: rewrites.length > 0 ? document.toString() : text, rewrites };
}
