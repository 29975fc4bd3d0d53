/** Checks translation options before anything is translated or written; every problem is named. */
import { partitionOfRegion, REGION_PATTERN, regionOfZone } from '../dependencies';
import { identifierKind } from './identifierKinds';
import type { AwsLocation, TranslationMode, TranslatorOptions } from './types';

/** The partitions a restore can translate between. */
export const SUPPORTED_PARTITIONS: ReadonlySet<string> = new Set(['aws', 'aws-cn', 'aws-us-gov']);
export const TRANSLATION_MODES: ReadonlySet<string> = new Set<TranslationMode>(['known-fields', 'everywhere', 'off']);
const ACCOUNT = /^\d{12}$/;

/** Every problem of the options, one sentence each; empty when they are valid. */
export function problemsOf(options: TranslatorOptions): string[] {
  return [
    ...locationProblems('source', options.source),
    ...locationProblems('target', options.target),
    ...(options.mode === undefined || TRANSLATION_MODES.has(options.mode)
      ? []
      : [`mode ${JSON.stringify(options.mode)} is not one of ${[...TRANSLATION_MODES].join(', ')}`]),
    ...Object.entries(options.identifierMap ?? {}).flatMap(([from, to]) => identifierMapProblems(from, to, options.target)),
    ...Object.entries(options.zoneMap ?? {}).flatMap(([from, to]) => zoneMapProblems(from, to, options)),
    ...Object.entries(options.regionMap ?? {}).flatMap(([from, to]) => regionMapProblems(from, to)),
  ];
}

/**
 * A zoneMap entry maps a zone of the source region to a zone of the recovery region. Any other key could
 * never match a restored value (a typo, or a map meant for another recovery point) and any other value
 * would pin volumes where the recovery cluster has no nodes: both are errors, not warnings, so that a
 * restore never runs with a map that silently does nothing or does harm.
 */
export function zoneMapProblems(from: string, to: unknown, options: Pick<TranslatorOptions, 'source' | 'target'>): string[] {
  const entry = `zoneMap[${JSON.stringify(from)}]`;
  const fromRegion = regionOfZone(from);
  if (!fromRegion) return [`${entry}: ${JSON.stringify(from)} is not an availability zone name (like us-east-1a)`];
  const toRegion = typeof to === 'string' ? regionOfZone(to) : undefined;
  if (!toRegion) return [`${entry}: the replacement ${JSON.stringify(to)} is not an availability zone name (like us-west-2a)`];
  const problems: string[] = [];
  if (options.source && fromRegion !== options.source.region) problems.push(`${entry}: ${from} is not a zone of the source region ${options.source.region}`);
  if (options.target && toRegion !== options.target.region) problems.push(`${entry}: ${String(to)} is not a zone of the recovery region ${options.target.region}`);
  return problems;
}

/** A regionMap entry maps a region name to a region name. */
export function regionMapProblems(from: string, to: unknown): string[] {
  const entry = `regionMap[${JSON.stringify(from)}]`;
  if (!REGION_PATTERN.test(from)) return [`${entry}: ${JSON.stringify(from)} is not a region name (like us-east-1)`];
  if (typeof to !== 'string' || !REGION_PATTERN.test(to)) return [`${entry}: the replacement ${JSON.stringify(to)} is not a region name (like us-west-2)`];
  return [];
}

function locationProblems(name: 'source' | 'target', location: AwsLocation | undefined): string[] {
  if (!location) return [`${name} is missing`];
  const problems: string[] = [];
  const { partition, account, region } = location;
  if (!SUPPORTED_PARTITIONS.has(partition)) problems.push(`${name}.partition ${JSON.stringify(partition)} is not one of aws, aws-cn, aws-us-gov`);
  if (typeof account !== 'string' || !ACCOUNT.test(account)) problems.push(`${name}.account ${JSON.stringify(account)} is not a 12-digit account ID`);
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) {
    problems.push(`${name}.region ${JSON.stringify(region)} is not a region name`);
  } else if (SUPPORTED_PARTITIONS.has(partition) && partitionOfRegion(region) !== partition) {
    problems.push(`${name}.region ${region} is not in partition ${partition}`);
  }
  return problems;
}

/**
 * An entry is valid when its source is an identifier this translation knows (see identifierKinds.ts),
 * its replacement is the same kind of identifier, and a replacement ARN is in the target's partition.
 */
function identifierMapProblems(from: string, to: unknown, target: AwsLocation | undefined): string[] {
  const entry = `identifierMap[${JSON.stringify(from)}]`;
  if (from === '') return [`identifierMap has an empty source identifier`];
  if (typeof to !== 'string' || to === '') return [`${entry} has an empty or non-string replacement`];
  const fromKind = identifierKind(from);
  if (!fromKind) return [`${entry}: the source is not an AWS-generated identifier or customer ARN this translation knows`];
  const toKind = identifierKind(to);
  if (!toKind || toKind.kind !== fromKind.kind) {
    return [`${entry}: the replacement ${JSON.stringify(to)} is not the same kind of identifier as its source (${fromKind.kind})`];
  }
  if (toKind.partition && target && SUPPORTED_PARTITIONS.has(target.partition) && toKind.partition !== target.partition) {
    return [`${entry}: the replacement is in partition ${toKind.partition}, the target is in ${target.partition}`];
  }
  return [];
}
