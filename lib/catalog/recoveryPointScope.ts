// What a recovery point covers (DESIGN.md section 9, "Scope"; docs/scope.md): whole-cluster or filtered.
// Since manifest 1.2.0 the backup records it; older manifests are judged by their resource rows.
import { DEFAULT_EXCLUDED_RESOURCES } from '../backup';
import type { ManifestScope, RecoveryPointManifest } from '../recovery-point/manifest';

type FilterList = Exclude<keyof ManifestScope, 'wholeCluster'>;
const FILTER_LISTS: readonly FilterList[] = ['includeNamespaces', 'excludeNamespaces', 'includeResources', 'excludeResources'];

/** A recovery point's scope, as list and describe show it. */
export interface RecoveryPointScope {
  /** Every namespace and resource type but the default-excluded events: fit to be `latest`. */
  wholeCluster: boolean;
  /**
   * False for manifests before 1.2.0, which do not record their filters: wholeCluster is then inferred
   * (no resource type but events was filtered out; a namespace filter left no trace and cannot be seen).
   */
  recorded: boolean;
  /** The recorded filter lists that are not empty (an absent include list means all). */
  filters: Partial<Record<FilterList, string[]>>;
}

/** The scope of the recovery point whose manifest this is. */
export function recoveryPointScope(manifest: Pick<RecoveryPointManifest, 'scope' | 'resources'>): RecoveryPointScope {
  const recorded = manifest.scope;
  if (recorded) {
    const filters: RecoveryPointScope['filters'] = {};
    for (const list of FILTER_LISTS) if (recorded[list].length > 0) filters[list] = [...recorded[list]];
    return { wholeCluster: recorded.wholeCluster, recorded: true, filters };
  }
  // Before 1.2.0 a resource filter still shows: the types it left out have rows with status `excluded`.
  const filteredOut = manifest.resources.some((r) => r.status === 'excluded' && !DEFAULT_EXCLUDED_RESOURCES.includes(r.name));
  return { wholeCluster: !filteredOut, recorded: false, filters: {} };
}
