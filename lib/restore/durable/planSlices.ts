import type { ManifestResource } from '../../recovery-point/manifest';
import { restoreOrder, restoreRank } from '../plan';
import type { SliceSpec } from './types';

/** Objects one step restores at most: small enough to finish well inside one invocation. @default */
export const DEFAULT_SLICE_OBJECTS = 2000;
const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

/**
 * The steps of a durable restore, in restore order (tiers strictly in order): one per resource type, a large
 * type cut into chunks of `sliceObjects` in archive order. CRDs are never cut: their step waits until every
 * CRD of the recovery point is established, before any custom resource.
 */
export function planSlices(resources: readonly Pick<ManifestResource, 'name' | 'count'>[], sliceObjects = DEFAULT_SLICE_OBJECTS): SliceSpec[] {
  const size = Math.max(1, Math.floor(sliceObjects));
  const counts = new Map(resources.filter((r) => r.count > 0).map((r) => [r.name, r.count]));
  const slices: SliceSpec[] = [];
  for (const resource of restoreOrder(counts.keys())) {
    const count = counts.get(resource) ?? 0;
    const tier = restoreRank(resource);
    if (count <= size || resource === CRDS) {
      slices.push({ name: sliceName(tier, resource), tier, resource, count });
      continue;
    }
    for (let from = 0, chunk = 1; from < count; from += size, chunk++) {
      const to = Math.min(count, from + size);
      slices.push({ name: sliceName(tier, resource, chunk), tier, resource, objects: { from, to }, count: to - from });
    }
  }
  return slices;
}

/** A step's name: `tier-<rank>/<type>`, with `#<n>` for the n-th chunk of a large type. */
export function sliceName(tier: number, resource: string, chunk?: number): string {
  return `tier-${tier}/${resource}${chunk === undefined ? '' : `#${chunk}`}`;
}

/** The resource type a step named by sliceName restores; undefined for any other step (`prepare`, `finish`). */
export function sliceResource(name: string): string | undefined {
  return /^tier-\d+\/([^#]+)/.exec(name)?.[1];
}
