import { MAX_FAILURES_IN_RESPONSE } from '../RestoreTally';
import type { RestoreOutcome, SkipCategory } from '../types';
import type { RestoreCounts, SliceSpec, SliceSummary } from './types';

// The status is decided where a sync restore decides it: one function for both.
export { decideRestoreStatus } from '../decideRestoreStatus';

/** Caps that keep a step's checkpoint small (256 KB is the engine's limit for one). */
const MAX_WARNINGS = 20;
const MAX_REFERENCES = 50;
const MAX_OBJECTS_PER_REFERENCE = 10;

/** A step's outcome reduced to what is checkpointed: counts, and capped lists (the report part has every row). */
export function summarizeSlice(slice: SliceSpec, outcome: RestoreOutcome, yieldAfter: boolean): SliceSummary {
  return {
    name: slice.name,
    resource: slice.resource,
    objects: slice.count,
    created: outcome.created,
    updated: outcome.updated,
    skipped: { ...outcome.skipped },
    failed: outcome.failed,
    notAttempted: outcome.notAttempted,
    throttled: outcome.throttled,
    translations: { ...outcome.translations },
    failures: outcome.failures.slice(0, MAX_FAILURES_IN_RESPONSE),
    untranslatedReferences: outcome.untranslatedReferences.slice(0, MAX_REFERENCES)
      .map((r) => ({ ...r, objects: r.objects.slice(0, MAX_OBJECTS_PER_REFERENCE) })),
    warnings: outcome.warnings.slice(0, MAX_WARNINGS),
    ...(outcome.stoppedReason ? { stoppedReason: outcome.stoppedReason, ...(outcome.error ? { error: outcome.error } : {}) } : {}),
    yieldAfter,
  };
}

export function emptyCounts(): RestoreCounts {
  return { objects: 0, created: 0, updated: 0, skipped: { exists: 0, notRestorable: 0, owned: 0, excluded: 0, needsCrd: 0 }, failed: 0, notAttempted: 0, throttled: 0, translations: { arns: 0, images: 0, identifiers: 0 } };
}

/** The steps' counts added up. */
export function addCounts(summaries: readonly RestoreCounts[]): RestoreCounts {
  const total = emptyCounts();
  for (const s of summaries) {
    total.objects += s.objects;
    total.created += s.created;
    total.updated += s.updated;
    total.failed += s.failed;
    total.notAttempted += s.notAttempted;
    total.throttled += s.throttled ?? 0;
    for (const k of Object.keys(total.skipped) as SkipCategory[]) total.skipped[k] += s.skipped[k];
    total.translations.arns += s.translations.arns;
    total.translations.images += s.translations.images;
    total.translations.identifiers += s.translations.identifiers;
  }
  return total;
}

/** Untranslated references of every step, one row per reference, objects joined (each list capped). */
export function mergeReferences(summaries: readonly SliceSummary[]): SliceSummary['untranslatedReferences'] {
  const byKey = new Map<string, { type: string; id: string; objects: string[] }>();
  for (const s of summaries) {
    for (const r of s.untranslatedReferences) {
      const key = `${r.type}\u0000${r.id}`;
      const row = byKey.get(key) ?? { type: r.type, id: r.id, objects: [] };
      for (const o of r.objects) if (row.objects.length < MAX_OBJECTS_PER_REFERENCE && !row.objects.includes(o)) row.objects.push(o);
      byKey.set(key, row);
    }
  }
  return [...byKey.values()].slice(0, MAX_REFERENCES);
}
