/** Checks translation options before anything is translated or written; every problem is named. */
import { partitionOfRegion, REGION_PATTERN } from '../dependencies';
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
  ];
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
