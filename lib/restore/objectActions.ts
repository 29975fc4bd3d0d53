import { mergeAwsAuth } from '../translation';
import { actionKey, type ObjectAction } from './ObjectWriter';
import { skipped } from './RestoreTally';

type Json = Record<string, unknown>;

/** aws-auth is merged, never replaced: the recovery cluster's own mappings stay (DESIGN.md section 8). */
const mergeAwsAuthConfigMap: ObjectAction = async (ctx, w) => {
  const existing = await ctx.target.get(w.endpoint, w.namespace, w.name);
  if (!existing) {
    const res = await ctx.target.create(w.endpoint, w.namespace, w.prepared);
    if (res.status === 200 || res.status === 201) return ctx.created(w);
    return ctx.refused(w, res);
  }
  const targetData = stringMap(existing.data);
  const merged = mergeAwsAuth(targetData, stringMap(w.prepared.data));
  if (merged.added === 0 && sameStrings(merged.data, targetData)) {
    return skipped('exists', 'aws-auth already holds every mapping of the recovery point', w.extra);
  }
  const res = await ctx.target.replace(w.endpoint, w.namespace, w.name, { ...existing, data: merged.data });
  if (res.status !== 200 && res.status !== 201) return ctx.refused(w, res);
  return { outcome: 'updated', reason: `merged: ${merged.added} mapping(s) added, ${merged.kept} of the recovery cluster kept`, ...w.extra };
};

/**
 * Objects written their own way, by `<resource> <namespace>/<name>` as written to the recovery cluster (after
 * namespaceMapping): chosen in one place, as Velero's getApplicableActions chooses item actions. Every other
 * object is created, kept or updated by ObjectWriter.
 */
export const OBJECT_ACTIONS: ReadonlyMap<string, ObjectAction> = new Map([
  [actionKey('configmaps', 'kube-system', 'aws-auth'), mergeAwsAuthConfigMap],
]);

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value as Json).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
