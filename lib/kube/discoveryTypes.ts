import type { DiscoveredResource } from './types';

/** Options for discoverResources. */
export interface DiscoveryOptions {
  /**
   * How many `/apis/<group>/<version>` requests run at once.
   * @default 8
   */
  concurrency?: number;
  /**
   * Attempts for one `/apis/<group>/<version>` request, including the first. A broken aggregated API
   * (its service gone: 503) is common and client-go does not retry it; the client's usual six attempts
   * cost every backup about 5 s (issue 16). `/api`, `/api/<v>` and `/apis` keep the client's retries.
   * @default 2 (one quick retry)
   */
  groupVersionAttempts?: number;
  /**
   * Aborts discovery; passed to every request.
   * @default undefined (never aborted)
   */
  signal?: AbortSignal;
}

/**
 * A group version whose resource list could not be fetched (e.g. an aggregated API answering 503), or
 * that an aggregated discovery document marks `Stale`.
 */
export interface FailedGroupVersion {
  /** `group/version`, e.g. `metrics.k8s.io/v1beta1`. */
  groupVersion: string;
  /** HTTP status when the server answered; absent for network errors. */
  status?: number;
  /** The error's message. */
  error: string;
}

/** A resource served by two groups ("cohabitating"), backed up once under `keptAs`. */
export interface DuplicateResource {
  /** Velero-style name of the copy that is not backed up, e.g. `events.events.k8s.io`. */
  name: string;
  /** Velero-style name of the copy that is backed up, e.g. `events`. */
  keptAs: string;
}

/** The listable resources of one group, handed over as soon as that group's discovery settles (issue 16). */
export interface DiscoveredGroup {
  /** API group; '' for the core group. */
  group: string;
  /** The group's place in discovery order: 0 for the core group, then the order of `/apis`. */
  order: number;
  /** Listable resources at their preferred version, cohabitating duplicates already dropped. */
  resources: DiscoveredResource[];
}

/** What discovery learned besides the resources, known once every group has settled. */
export interface DiscoverySummary {
  /** One line per failed group version, e.g. `metrics.k8s.io/v1beta1: discovery failed: 503`. */
  warnings: string[];
  failedGroups: FailedGroupVersion[];
  duplicates: DuplicateResource[];
  /**
   * How `/apis` answered: one aggregated APIGroupDiscoveryList (v2 or v2beta1, Kubernetes 1.26+), or the
   * legacy APIGroupList followed by one request per group version.
   */
  mode: 'aggregated' | 'legacy';
}

export interface DiscoveryResult extends DiscoverySummary {
  /** Listable resources at their preferred version: core group first, then groups in the server's order. */
  resources: DiscoveredResource[];
}
