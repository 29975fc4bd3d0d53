// drift (DESIGN.md section 11): the live source cluster against its latest recovery point, with diff's rules
// (server-set fields ignored; a Secret's changed keys named, never its values): what a disaster now would lose.
import { diffObjectSources, openRecoveryPoint, recoveryPointSource, type ClusterLocation, type ObjectSourceDiff } from '../catalog';
import { createResourceFilter } from '../backup';
import { discoverResources, type DiscoveredResource, type KubeTransport } from '../kube';
import type { DelegateLogger } from '../observability/DelegateLogger';
import { liveClusterSource } from './liveClusterSource';

export interface DriftOptions {
  /** An id, or `latest`. */
  recoveryPointId: string;
  pageSize: number;
  signal?: AbortSignal;
}

export interface DriftResult extends ObjectSourceDiff {
  recoveryPointId: string;
  /** When the recovery point was taken: what changed since is what a disaster now would lose. */
  recoveryPointCompletedAt: string;
  /** Types not compared: the recovery point could not read them, or the live list failed now. */
  notCompared: Array<{ resource: string; reason: string }>;
}

/**
 * Compares the recovery point (read twice at most, as diff does) with the live cluster (listed once), over
 * the types both can speak for: a type the backup could not read, or that the live list cannot, is named in
 * notCompared and left out of added/removed/changed rather than reported as wholesale drift.
 */
export async function runDrift(where: ClusterLocation, kube: KubeTransport, options: DriftOptions, logger: DelegateLogger): Promise<DriftResult> {
  const reader = await openRecoveryPoint(where, options.recoveryPointId);
  const m = reader.manifest;
  const notCompared = new Map<string, string>();
  for (const r of m.resources) if (r.status === 'forbidden' || r.status === 'failed') notCompared.set(r.name, `not in the recovery point (${r.status}${r.error ? `: ${r.error}` : ''})`);
  const excludedInBackup = new Set(m.resources.filter((r) => r.status === 'excluded').map((r) => r.name));
  for (const name of excludedInBackup) notCompared.set(name, 'excluded from the backup');

  const filter = createResourceFilter({});
  const discovered = await discoverResources(kube, options.signal ? { signal: options.signal } : {});
  const live: DiscoveredResource[] = discovered.resources.filter((r) => filter.includesResource(r) && !excludedInBackup.has(r.name) && !notCompared.has(r.name));
  // A group the live cluster could not describe now says nothing about its objects: not compared.
  for (const failed of discovered.failedGroups) {
    for (const r of m.resources) {
      if ((r.group === '' ? r.version : `${r.group}/${r.version}`) === failed.groupVersion) notCompared.set(r.name, `live discovery of ${failed.groupVersion} failed: ${failed.error}`);
    }
  }
  logger.info('drift: comparing', { stage: 'drift', recoveryPointId: m.recoveryPointId, types: live.length });

  const diff = await diffObjectSources(
    recoveryPointSource(reader, options.signal ? { signal: options.signal } : {}),
    liveClusterSource(kube, live, { pageSize: options.pageSize, ...(options.signal ? { signal: options.signal } : {}), onUnreadable: (resource, reason) => notCompared.set(resource, `the live list failed: ${reason}`) }),
    m.archive.objects,
  );
  const compared = (ref: { resource: string }): boolean => !notCompared.has(ref.resource) && !excludedInBackup.has(ref.resource);
  const added = diff.added.filter(compared);
  const removed = diff.removed.filter(compared);
  const changed = diff.changed.filter(compared);
  const byResource = Object.fromEntries(Object.entries(diff.byResource).filter(([resource]) => compared({ resource })));
  return {
    recoveryPointId: m.recoveryPointId, recoveryPointCompletedAt: m.completedAt,
    added, removed, changed, counts: { added: added.length, removed: removed.length, changed: changed.length }, byResource,
    objects: diff.objects,
    notCompared: [...notCompared].map(([resource, reason]) => ({ resource, reason })).sort((a, b) => a.resource.localeCompare(b.resource)),
  };
}
