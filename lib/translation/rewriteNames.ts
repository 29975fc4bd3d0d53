/**
 * Rewrites of the names that tie an object to the source cluster's place (issue 24): region fields follow
 * the recovery region (or regionMap's entry for the source region), the source cluster's name becomes the
 * recovery cluster's in the fields controllers read it from, zones change only through zoneMap, and
 * regionMap rewrites region names as whole tokens where the translation mode reaches. Never inside an ARN
 * (that is one reference, rewritten or reported as such) nor an ECR image host.
 */
import { locateArns, parseImageReference, type PathNode } from '../dependencies';
import { flagOf, namedFieldAt, type FieldOwner, type NamedField } from './namedFields';
import type { StringRewrite } from './rewriteString';

/** What name rewrites need, built once per Translator. */
export interface NameContext {
  /** The region a source-region field becomes; undefined when it stays (same region, no regionMap entry). */
  regionFieldTarget: string | undefined;
  sourceRegion: string;
  regionMap: ReadonlyMap<string, string>;
  /** Any regionMap key as a whole token; undefined when regionMap is empty. */
  regionPattern: RegExp | undefined;
  zoneMap: ReadonlyMap<string, string>;
  /** Any zoneMap key as a whole token; undefined when zoneMap is empty. */
  zonePattern: RegExp | undefined;
  /** Source and recovery cluster names, when both are known and differ. */
  clusterRename: { from: string; to: string } | undefined;
}

/** A region or zone name is a token of letters, digits and dashes. */
const NAME_CHAR = '[A-Za-z0-9-]';

export function nameContext(options: {
  sourceRegion: string; targetRegion: string; regionMap: Record<string, string>; zoneMap: Record<string, string>;
  sourceClusterName: string | undefined; targetClusterName: string | undefined;
}): NameContext {
  const regionMap = new Map(Object.entries(options.regionMap).filter(([from, to]) => from !== to));
  const zoneMap = new Map(Object.entries(options.zoneMap).filter(([from, to]) => from !== to));
  const fieldTarget = regionMap.get(options.sourceRegion) ?? options.targetRegion;
  const { sourceClusterName: from, targetClusterName: to } = options;
  return {
    regionFieldTarget: fieldTarget !== options.sourceRegion ? fieldTarget : undefined,
    sourceRegion: options.sourceRegion,
    regionMap,
    regionPattern: tokenPattern([...regionMap.keys()]),
    zoneMap,
    zonePattern: tokenPattern([...zoneMap.keys()]),
    clusterRename: from && to && from !== to ? { from, to } : undefined,
  };
}

/** True when some name can be rewritten. */
export function rewritesNames(context: NameContext): boolean {
  return context.regionFieldTarget !== undefined || context.regionMap.size > 0 || context.zoneMap.size > 0 || context.clusterRename !== undefined;
}

/**
 * The name rewrites of one string. `broad`: the string is a known field or the mode is `everywhere`, so
 * regionMap applies to its tokens; `everywhere`: zoneMap applies to zone tokens anywhere too.
 */
export function rewriteNames(
  value: string, node: PathNode, owner: FieldOwner, context: NameContext, reach: { broad: boolean; everywhere: boolean },
): { value: string; rewrites: StringRewrite[] } {
  const field = namedFieldAt(node, owner);
  const whole = field ? rewriteWhole(value, field, context) : undefined;
  if (whole) return whole;
  const flag = flagOf(node, value);
  if (flag) {
    const rest = rewriteWhole(value.slice(flag.prefix.length), flag.field, context);
    if (rest) return { value: flag.prefix + rest.value, rewrites: rest.rewrites };
  }
  const rewrites: StringRewrite[] = [];
  if (value.includes('.dkr') && parseImageReference(value)?.kind === 'ecr') return { value, rewrites };
  let result = value;
  if (context.zonePattern && (field === 'zone' || reach.everywhere || isInTreeVolumeId(node))) {
    result = replaceOutsideArns(result, context.zonePattern, context.zoneMap, 'zone', rewrites);
  }
  if (context.regionPattern && (reach.broad || field === 'region')) {
    result = replaceOutsideArns(result, context.regionPattern, context.regionMap, 'region', rewrites);
  }
  return { value: result, rewrites };
}

/** A named field whose whole value is the source's region or cluster name, or a zoneMap key. */
function rewriteWhole(value: string, field: NamedField, context: NameContext): { value: string; rewrites: StringRewrite[] } | undefined {
  const trimmed = value.trim();
  let to: string | undefined;
  if (field === 'region') to = trimmed === context.sourceRegion ? context.regionFieldTarget : context.regionMap.get(trimmed);
  else if (field === 'zone') to = context.zoneMap.get(trimmed);
  else if (context.clusterRename && trimmed === context.clusterRename.from) to = context.clusterRename.to;
  if (to === undefined) return undefined;
  return { value: value.replace(trimmed, to), rewrites: [{ from: trimmed, to, kind: field }] };
}

/** An in-tree `awsElasticBlockStore.volumeID` (`aws://us-east-1a/vol-...`) names its zone. */
function isInTreeVolumeId(node: PathNode): boolean {
  return node.key === 'volumeID' && node.parent?.key === 'awsElasticBlockStore';
}

function replaceOutsideArns(text: string, pattern: RegExp, map: ReadonlyMap<string, string>, kind: 'zone' | 'region', rewrites: StringRewrite[]): string {
  const replace = (piece: string): string => piece.replace(pattern, (from) => {
    const to = map.get(from) ?? from;
    rewrites.push({ from, to, kind });
    return to;
  });
  let result = '';
  let position = 0;
  for (const { index, arn } of locateArns(text)) {
    result += replace(text.slice(position, index)) + arn.arn;
    position = index + arn.arn.length;
  }
  return result + replace(text.slice(position));
}

function tokenPattern(names: string[]): RegExp | undefined {
  if (names.length === 0) return undefined;
  const alternatives = names.sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<!${NAME_CHAR})(?:${alternatives.join('|')})(?!${NAME_CHAR})`, 'g');
}
