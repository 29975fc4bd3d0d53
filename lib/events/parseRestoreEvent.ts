import { isLatestSelector, LATEST_RECOVERY_POINT } from '../catalog';
import type { DelegateEnvironment } from '../config/environment';
import { regionOfZone } from '../dependencies';
import { isRegionName } from '../eks/stsHost';
import { validateClusterName, validateRecoveryPointId } from '../recovery-point/layout';
import { GITOPS_MODES, type GitopsMode } from '../restore/gitops';
import type { ExistingResourcePolicy, RestoreMode, RestoreRequest, TranslationMode } from './delegateRequest';
import { EventFields } from './EventFields';
import { readFilters, readRecoveryPointLocation } from './parseBackupEvent';

const POLICIES: readonly ExistingResourcePolicy[] = ['skip', 'update'];
const TRANSLATION_MODES: readonly TranslationMode[] = ['known-fields', 'everywhere', 'off'];
const MODES: readonly RestoreMode[] = ['sync', 'durable'];
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name: a DNS-1123 label of at most 63 characters. */
export function isNamespaceName(ns: string): boolean {
  return DNS1123_LABEL.test(ns) && ns.length <= 63;
}
/** `latest` picks the newest usable whole-cluster recovery point; `latest-any` opts in to filtered ones (docs/scope.md). */
export const LATEST = LATEST_RECOVERY_POINT;

/** The restore event of DESIGN.md section 8; `source` defaults come from the event and the environment. */
export function parseRestoreEvent(f: EventFields, target: { clusterName: string; region: string }, env: DelegateEnvironment): RestoreRequest {
  // An absent source means every default: the event's cluster and region, RECOVERY_BUCKET, RECOVERY_PREFIX, latest.
  const source = f.object('source') ?? new EventFields({});
  const { bucket, prefix } = readRecoveryPointLocation(source, env, { bucket: 'source.bucket', prefix: 'source.prefix' });
  const sourceRegion = source.string('region', 'source.region') ?? target.region;
  if (source.has('region') && !isRegionName(sourceRegion)) source.problems.push(`source.region "${sourceRegion}" is not an AWS region name`);
  const sourceCluster = source.string('clusterName', 'source.clusterName') ?? target.clusterName;
  if (source.has('clusterName')) source.problems.push(...validateClusterName(sourceCluster).map((p) => `source.${p}`));
  const recoveryPointId = source.string('recoveryPointId', 'source.recoveryPointId') ?? LATEST;
  if (!isLatestSelector(recoveryPointId)) source.problems.push(...validateRecoveryPointId(recoveryPointId).map((p) => `source.${p}`));
  f.problems.push(...source.problems);
  const unreadInSource = source.unread();
  if (unreadInSource.length) f.problems.push(`unknown field(s) in source: ${unreadInSource.join(', ')}`);

  const dryRun = f.boolean('dryRun') ?? false;
  const policy = f.string('existingResourcePolicy') ?? 'skip';
  if (!POLICIES.includes(policy as ExistingResourcePolicy)) {
    f.problems.push(`existingResourcePolicy "${policy}" must be one of ${POLICIES.join(', ')}`);
  }
  const translate = f.string('translate') ?? 'known-fields';
  if (!TRANSLATION_MODES.includes(translate as TranslationMode)) {
    f.problems.push(`translate "${translate}" must be one of ${TRANSLATION_MODES.join(', ')}`);
  }
  const gitops = f.string('gitops') ?? 'off';
  if (!GITOPS_MODES.includes(gitops as GitopsMode)) {
    f.problems.push(`gitops "${gitops}" must be one of ${GITOPS_MODES.join(', ')} (pause: Argo CD and Flux restored with automated sync held; resume-gitops releases them)`);
  }
  const filters = readFilters(f);
  const mode = f.string('mode');
  if (mode !== undefined && !MODES.includes(mode as RestoreMode)) f.problems.push(`mode "${mode}" must be one of ${MODES.join(', ')}`);
  if (mode === 'durable' && dryRun) f.problems.push('a dry run runs in mode "sync" (it writes nothing, so it needs no steps)');
  // Set by the restore action when it starts a durable restore; the durable function restores under it.
  const restoreId = f.string('restoreId');
  if (restoreId !== undefined) f.problems.push(...validateRecoveryPointId(restoreId).map((p) => `restoreId: ${p.replace(/^recoveryPointId /, '')}`));
  const namespaceMapping = f.stringMap('namespaceMapping') ?? {};
  for (const [from, to] of Object.entries(namespaceMapping)) {
    for (const ns of [from, to]) {
      if (!isNamespaceName(ns)) f.problems.push(`namespaceMapping: "${ns}" is not a valid namespace name`);
    }
  }
  // A Set, not indexOf: a mapping of every namespace of a large cluster names tens of thousands.
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const t of Object.values(namespaceMapping)) (seen.has(t) ? twice : seen).add(t);
  if (twice.size) f.problems.push(`namespaceMapping maps several namespaces to ${[...twice].join(', ')}`);
  const identifierMap = f.stringMap('identifierMap') ?? {};
  for (const [from, to] of Object.entries(identifierMap)) {
    if (from.trim() === '' || to.trim() === '') f.problems.push('identifierMap entries must not be empty');
  }
  // The form here; that keys are the source's zones and values the recovery region's is checked once the
  // recovery point's manifest says where it came from (lib/translation, before anything is written).
  const zoneMap = f.stringMap('zoneMap') ?? {};
  for (const [from, to] of Object.entries(zoneMap)) {
    for (const zone of [from, to]) if (!regionOfZone(zone)) f.problems.push(`zoneMap: "${zone}" is not an availability zone name (like us-east-1a)`);
  }
  const regionMap = f.stringMap('regionMap') ?? {};
  for (const [from, to] of Object.entries(regionMap)) {
    for (const region of [from, to]) if (!isRegionName(region)) f.problems.push(`regionMap: "${region}" is not an AWS region name (like us-east-1)`);
  }

  return {
    action: 'restore', ...target,
    source: { bucket: bucket ?? '', region: sourceRegion, prefix, clusterName: sourceCluster, recoveryPointId },
    dryRun,
    existingResourcePolicy: policy as ExistingResourcePolicy,
    filters, namespaceMapping, identifierMap, zoneMap, regionMap,
    translate: translate as TranslationMode,
    gitops: gitops as GitopsMode,
    mode: mode as RestoreMode | undefined,
    restoreId,
  };
}
