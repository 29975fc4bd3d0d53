/**
 * The restore's aws-auth merge (DESIGN.md section 8): aws-auth is merged, never replaced. The recovery
 * cluster's own entries (its node role, the delegate's own mapping) stay; the recovery point's
 * (already translated) entries are added; an entry whose identity the target already has is kept once,
 * the target's.
 */
import { parseDocument, stringify, isSeq } from 'yaml';
import { AwsAuthMergeError } from './errors';

/** Identity of a list entry per data key: mapRoles by `rolearn`, mapUsers by `userarn`, mapAccounts by value. */
const IDENTITY_FIELD: Readonly<Record<string, string | undefined>> = { mapRoles: 'rolearn', mapUsers: 'userarn', mapAccounts: undefined };

export interface AwsAuthMergeResult {
  /** The merged ConfigMap data. */
  data: Record<string, string>;
  /** Source entries added. */
  added: number;
  /** Target entries kept (all of them). */
  kept: number;
  /** Source entries not added because the target (or an earlier source entry) has the same identity. */
  skipped: number;
}

/**
 * Merges the source's aws-auth data into the target's. List keys (mapRoles, mapUsers, mapAccounts) are
 * merged entry by entry; any other key keeps the target's value, or takes the source's when the target
 * has none. The target's text is kept as written when nothing is added to it. Throws AwsAuthMergeError
 * when a list key of either side is not a YAML list: a merge must not guess.
 */
export function mergeAwsAuth(
  targetData: Readonly<Record<string, string>> | undefined,
  sourceData: Readonly<Record<string, string>> | undefined,
): AwsAuthMergeResult {
  const target = targetData ?? {};
  const source = sourceData ?? {};
  const result: AwsAuthMergeResult = { data: { ...target }, added: 0, kept: 0, skipped: 0 };
  for (const key of Object.keys(IDENTITY_FIELD)) {
    if (target[key] === undefined && source[key] === undefined) continue;
    const merged = mergeList(key, target[key] ?? '', source[key] ?? '');
    result.data[key] = merged.text;
    result.added += merged.added;
    result.kept += merged.kept;
    result.skipped += merged.skipped;
  }
  for (const [key, value] of Object.entries(source)) if (!(key in result.data)) result.data[key] = value;
  return result;
}

function mergeList(key: string, targetText: string, sourceText: string): { text: string; added: number; kept: number; skipped: number } {
  const targetItems = listOf('target', key, targetText);
  const sourceItems = listOf('source', key, sourceText);
  const seen = new Set(targetItems.map((item) => identityOf(key, item)));
  const additions: unknown[] = [];
  for (const item of sourceItems) {
    const identity = identityOf(key, item);
    if (seen.has(identity)) continue;
    seen.add(identity);
    additions.push(item);
  }
  const counts = { added: additions.length, kept: targetItems.length, skipped: sourceItems.length - additions.length };
  if (additions.length === 0) return { text: targetText, ...counts };
  if (targetItems.length === 0) return { text: stringify(additions), ...counts };
  const document = parseDocument(targetText);
  for (const item of additions) document.add(document.createNode(item));
  return { text: document.toString(), ...counts };
}

/** The entries of one list key; empty for empty text. */
function listOf(side: 'target' | 'source', key: string, text: string): unknown[] {
  if (text.trim() === '') return [];
  let document;
  try {
    document = parseDocument(text);
  } catch (error) {
    throw new AwsAuthMergeError(side, key, { cause: error });
  }
  if (document.errors.length > 0) throw new AwsAuthMergeError(side, key, { cause: document.errors[0] });
  if (document.contents === null) return [];
  if (!isSeq(document.contents)) throw new AwsAuthMergeError(side, key);
  const items: unknown = document.toJS({ maxAliasCount: 10 });
  return Array.isArray(items) ? items : [];
}

function identityOf(key: string, item: unknown): string {
  const field = IDENTITY_FIELD[key];
  if (field && typeof item === 'object' && item !== null && !Array.isArray(item)) {
    const value: unknown = (item as Record<string, unknown>)[field];
    if (typeof value === 'string') return `${field}:${value.trim()}`;
  }
  return `value:${typeof item === 'string' || typeof item === 'number' ? String(item).trim() : JSON.stringify(item)}`;
}
