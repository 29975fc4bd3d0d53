import type { DiscoveredResource } from './types';

/** Options for discoverResources. */
export interface DiscoveryOptions {
  /**
   * How many `/apis/<group>/<version>` requests run at once.
   * @default 8
   */
  concurrency?: number;
  /**
   * Aborts discovery; passed to every request.
   * @default undefined (never aborted)
   */
  signal?: AbortSignal;
}

/** A group version whose resource list could not be fetched (e.g. an aggregated API answering 503). */
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

export interface DiscoveryResult {
  /** Listable resources at their preferred version: core group first, then groups in the server's order. */
  resources: DiscoveredResource[];
  /** One line per failed group version, e.g. `metrics.k8s.io/v1beta1: discovery failed: 503`. */
  warnings: string[];
  failedGroups: FailedGroupVersion[];
  duplicates: DuplicateResource[];
}
