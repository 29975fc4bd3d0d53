// The translation a restore runs with, built once for every caller (the restore action, the durable restore's
// steps, readiness's dry run), so that what readiness checks is exactly what a restore would write.
import { parseArn } from '../dependencies';
import { Translator } from './Translator';
import { UntranslatedReferenceFinder } from './UntranslatedReferenceFinder';
import type { AwsLocation, TranslationMode } from './types';

/** Where a cluster lives, and its name (the cluster name follows the recovery cluster where controllers read it). */
export interface ClusterPlace extends AwsLocation {
  clusterName: string;
}

/**
 * A cluster's place from what EKS or a manifest says of it: the partition from its ARN, the name from the
 * ARN (`arn:<partition>:eks:<region>:<account>:cluster/<name>`), else `name`.
 */
export function clusterPlace(cluster: { arn: string; account: string; region: string }, name: string): ClusterPlace {
  const arn = parseArn(cluster.arn);
  const resource = arn?.resource;
  return {
    partition: arn?.partition ?? 'aws', account: cluster.account, region: cluster.region,
    clusterName: resource?.startsWith('cluster/') ? resource.slice('cluster/'.length) : name,
  };
}

export interface RestoreTranslationOptions {
  source: ClusterPlace;
  target: ClusterPlace;
  /** @default {} */
  identifierMap?: Readonly<Record<string, string>>;
  /** @default {} */
  zoneMap?: Readonly<Record<string, string>>;
  /** @default {} */
  regionMap?: Readonly<Record<string, string>>;
  /** @default 'known-fields' */
  mode?: TranslationMode;
}

/**
 * The Translator and the finder of what still points at the source after it. Throws TranslationConfigError
 * naming every problem of the maps (before anything is written).
 */
export function restoreTranslation(options: RestoreTranslationOptions): { translator: Translator; untranslated: UntranslatedReferenceFinder } {
  const { source, target } = options;
  const identifierMap = { ...(options.identifierMap ?? {}) };
  const zoneMap = { ...(options.zoneMap ?? {}) };
  const regionMap = { ...(options.regionMap ?? {}) };
  const names = { sourceClusterName: source.clusterName, targetClusterName: target.clusterName };
  const from: AwsLocation = { partition: source.partition, account: source.account, region: source.region };
  const to: AwsLocation = { partition: target.partition, account: target.account, region: target.region };
  return {
    translator: Translator.create({ source: from, target: to, identifierMap, zoneMap, regionMap, mode: options.mode, ...names }),
    // A map's replacements are the operator's own: never listed as pointing at the source.
    untranslated: new UntranslatedReferenceFinder({
      source: from, target: to, ...names,
      identifierMapTargets: [...Object.values(identifierMap), ...Object.values(zoneMap), ...Object.values(regionMap)],
    }),
  };
}
