import type { Rewrite, RewriteCounts } from './types';

/** The restore response's `translations`: rewrites counted by kind. */
export function countRewrites(rewrites: Iterable<Rewrite>): RewriteCounts {
  const counts: RewriteCounts = { arns: 0, images: 0, identifiers: 0 };
  for (const { kind } of rewrites) {
    if (kind === 'arn') counts.arns++;
    else if (kind === 'image') counts.images++;
    else counts.identifiers++;
  }
  return counts;
}
