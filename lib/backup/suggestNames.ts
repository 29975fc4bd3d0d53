// "did you mean deployments.apps?" for a filter that names a resource or namespace the cluster does not have
// (DESIGN.md section 9, "Scope"). Small on purpose: a few hundred names at most, compared once per bad name.

/** Suggestions offered for one unknown name. */
export const MAX_SUGGESTIONS = 3;

/** A candidate the caller can offer, and the spellings it answers to (e.g. `deployments` and `deployments.apps`). */
export interface NameCandidate {
  /** What the suggestion says, e.g. `deployments.apps`. */
  name: string;
  /** Every spelling the filter would accept for it. @default [name] */
  spellings?: readonly string[];
}

/**
 * The candidates closest to `input`, best first: an edit distance of at most a third of the name (at least
 * 1, at most 3: `deploymentz`, `confgmaps`), or a spelling that `input` is the start of (`deploy`,
 * `cronjob`). Empty when nothing is close enough to be more help than noise.
 */
export function suggestNames(input: string, candidates: readonly NameCandidate[], max = MAX_SUGGESTIONS): string[] {
  const allowed = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  const scored: Array<{ name: string; score: number }> = [];
  for (const c of candidates) {
    let best = Number.POSITIVE_INFINITY;
    for (const spelling of c.spellings ?? [c.name]) {
      const distance = editDistance(input, spelling);
      if (distance <= allowed) best = Math.min(best, distance);
      // A prefix ranks after every close spelling: it is a guess at what was cut short.
      else if (input.length >= 3 && spelling.startsWith(input)) best = Math.min(best, allowed + 1);
    }
    if (Number.isFinite(best)) scored.push({ name: c.name, score: best });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, max);
}

/** ` did you mean a, b or c?`, or '' when there is nothing to suggest; for the end of a message. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const last = suggestions.at(-1)!;
  const list = suggestions.length === 1 ? last : `${suggestions.slice(0, -1).join(', ')} or ${last}`;
  return `; did you mean ${list}?`;
}

/**
 * Edit distance counting an insert, a delete, a substitution or a swap of two neighbours as one (optimal
 * string alignment): `shpo` is one edit from `shop`, as a typist would count it.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}
