import type { Rewrite, RewriteCounts, RewriteKind } from './types';

/** Which count of the response's `translations` a rewrite of each kind adds to. */
export const REWRITE_COUNT_KEYS: Readonly<Record<RewriteKind, keyof RewriteCounts>> = {
  arn: 'arns', image: 'images', identifier: 'identifiers', region: 'regions', zone: 'zones', 'cluster-name': 'clusterNames',
};

/** Every count at zero: the response names every kind, so a reader sees what could have been rewritten. */
export function emptyRewriteCounts(): RewriteCounts {
  return { arns: 0, images: 0, identifiers: 0, regions: 0, zones: 0, clusterNames: 0 };
}

/** The restore response's `translations`: rewrites counted by kind. */
export function countRewrites(rewrites: Iterable<Pick<Rewrite, 'kind'>>): RewriteCounts {
  const counts = emptyRewriteCounts();
  for (const { kind } of rewrites) counts[REWRITE_COUNT_KEYS[kind]]++;
  return counts;
}
