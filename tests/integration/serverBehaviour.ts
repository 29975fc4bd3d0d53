import { servesAggregatedDiscovery, type KubeVersion } from '../standin/kubeVersion';

// What the delegate meets that depends on the version of the API server the suite runs against (issue 29):
// each integration test asserts the exact behaviour of that version, never "either".

/** A group version whose aggregated API server is gone (an APIService whose service does not exist). */
export interface BrokenAggregatedApi {
  /** The warning a backup or check-access gives for it. */
  warning: string;
  /** How often one backup or one check-access asks for its group version document. */
  asks: { min: number; max: number };
}

/**
 * Legacy discovery (1.20) asks for the group version document, gets 503, asks once more, and warns with
 * the status. Aggregated discovery (1.27+) finds the group marked Stale in the `/apis` document and never
 * asks for it.
 */
export function brokenAggregatedApi(v: KubeVersion, groupVersion = 'metrics.k8s.io/v1beta1'): BrokenAggregatedApi {
  return servesAggregatedDiscovery(v)
    ? { warning: `${groupVersion}: discovery failed: the aggregated discovery document marks it Stale (its API server did not answer)`, asks: { min: 0, max: 0 } }
    : { warning: `${groupVersion}: discovery failed: 503`, asks: { min: 1, max: 2 } };
}
