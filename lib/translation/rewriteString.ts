/**
 * Rewrites the references inside one string value: ECR images of the source account (the whole value
 * is the image), ARNs wherever they sit in the text (a comma-separated list, a sentence), and
 * identifierMap entries. Only well-formed ARNs, as lib/dependencies' findArns reads them, are
 * touched, and only the ARN itself: the prose around it, and an `arn:aws:` that does not start a
 * well-formed ARN, stay as written.
 */
import { locateArns } from '../dependencies';
import { isArnIdentifier } from './identifierKinds';
import { translateArn } from './rewriteArn';
import { translateEcrImage } from './rewriteImage';
import type { AwsLocation, RewriteKind } from './types';

/** One reference replaced inside a string. */
export interface StringRewrite {
  from: string;
  to: string;
  kind: RewriteKind;
}

/** What a rewrite of strings needs, built once per Translator. */
export interface RewriteContext {
  source: AwsLocation;
  target: AwsLocation;
  /** Source and target differ in account, region or partition: ARNs and images are rewritten. */
  crossing: boolean;
  /** identifierMap entries written as ARNs: matched against whole ARNs found in the text. */
  arnIdentifiers: ReadonlyMap<string, string>;
  /** The other identifierMap entries: matched as whole tokens outside ARNs. */
  bareIdentifiers: ReadonlyMap<string, string>;
  /** Matches any bare identifier as a token; undefined when there are none. */
  bareIdentifierPattern: RegExp | undefined;
}

/** Characters that make a longer token: `vol-1` is not inside `vol-12` nor `xvol-1`. */
const TOKEN_CHAR = '[A-Za-z0-9_-]';

export function rewriteContext(source: AwsLocation, target: AwsLocation, identifierMap: Record<string, string>): RewriteContext {
  const entries = Object.entries(identifierMap).filter(([from, to]) => from !== to);
  const arnIdentifiers = new Map(entries.filter(([from]) => isArnIdentifier(from)));
  const bareIdentifiers = new Map(entries.filter(([from]) => !isArnIdentifier(from)));
  // Longest first, so that no identifier matches as the start of a longer one.
  const alternatives = [...bareIdentifiers.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const crossing = source.account !== target.account || source.region !== target.region || source.partition !== target.partition;
  return {
    source,
    target,
    crossing,
    arnIdentifiers,
    bareIdentifiers,
    bareIdentifierPattern: alternatives.length > 0 ? new RegExp(`(?<!${TOKEN_CHAR})(?:${alternatives.join('|')})(?!${TOKEN_CHAR})`, 'g') : undefined,
  };
}

/**
 * The rewritten string and the references replaced, in order; `translate: false` applies identifierMap
 * only (the place holds no reference the dependency scanner sighted, or source and target are the same).
 */
export function rewriteString(value: string, context: RewriteContext, translate: boolean): { value: string; rewrites: StringRewrite[] } {
  if (translate && context.crossing) {
    const image = translateEcrImage(value, context.source, context.target);
    if (image !== undefined) return { value: image, rewrites: [{ from: value.trim(), to: image.trim(), kind: 'image' }] };
  }
  const rewrites: StringRewrite[] = [];
  let result = '';
  let position = 0;
  for (const { index, arn } of locateArns(value)) {
    result += replaceBareIdentifiers(value.slice(position, index), context, rewrites);
    position = index + arn.arn.length;
    const mapped = context.arnIdentifiers.get(arn.arn);
    const translated = mapped === undefined && translate && context.crossing ? translateArn(arn, context.source, context.target) : undefined;
    if (mapped !== undefined) rewrites.push({ from: arn.arn, to: mapped, kind: 'identifier' });
    else if (translated !== undefined) rewrites.push({ from: arn.arn, to: translated, kind: 'arn' });
    result += mapped ?? translated ?? arn.arn;
  }
  result += replaceBareIdentifiers(value.slice(position), context, rewrites);
  return rewrites.length > 0 ? { value: result, rewrites } : { value, rewrites };
}

function replaceBareIdentifiers(text: string, context: RewriteContext, rewrites: StringRewrite[]): string {
  const pattern = context.bareIdentifierPattern;
  if (!pattern || text === '') return text;
  return text.replace(pattern, (from) => {
    const to = context.bareIdentifiers.get(from) ?? from;
    rewrites.push({ from, to, kind: 'identifier' });
    return to;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
