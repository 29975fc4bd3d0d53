/**
 * Rewrites the AWS identifiers of restored objects for the recovery cluster's account and region
 * (DESIGN.md section 8, "Translation"; issue 13). References are found by lib/dependencies' scanObject,
 * the walk the backup's dependency scan uses; its JSON paths say which strings to rewrite.
 */
import { isAwsAuthConfigMap, renderPath, scanObject, type PathNode } from '../dependencies';
import { MAPPING_KEYS, rewriteMappings, type MappingKey } from './awsAuthMappings';
import { TranslationConfigError } from './errors';
import { isKnownField } from './knownFields';
import { fieldOwner } from './namedFields';
import { nameContext, rewriteNames, rewritesNames, type NameContext } from './rewriteNames';
import { rewriteContext, rewriteString, type RewriteContext } from './rewriteString';
import { isRecord, stringLeaves } from './stringLeaves';
import type { Rewrite, TranslationMode, TranslatorOptions } from './types';
import { problemsOf } from './validateOptions';

/** Default of TranslatorOptions.mode. */
export const DEFAULT_TRANSLATION_MODE: TranslationMode = 'known-fields';

export class Translator {
  private readonly mode: TranslationMode;
  private readonly context: RewriteContext;
  private readonly names: NameContext;
  private readonly hasIdentifiers: boolean;
  /** isNoop, computed once: translate() asks it for every object. */
  private readonly noop: boolean;

  private constructor(options: TranslatorOptions) {
    this.mode = options.mode ?? DEFAULT_TRANSLATION_MODE;
    const identifierMap = options.identifierMap ?? {};
    this.context = rewriteContext(options.source, options.target, identifierMap);
    this.names = nameContext({
      sourceRegion: options.source.region, targetRegion: options.target.region,
      regionMap: options.regionMap ?? {}, zoneMap: options.zoneMap ?? {},
      sourceClusterName: options.sourceClusterName, targetClusterName: options.targetClusterName,
    });
    this.hasIdentifiers = this.context.arnIdentifiers.size + this.context.bareIdentifiers.size > 0;
    this.noop = this.mode === 'off' || (!this.context.crossing && !this.hasIdentifiers && !rewritesNames(this.names));
  }

  /**
   * Validates the options (locations, mode, identifierMap: each source an identifier this translation
   * knows, each replacement the same kind, ARNs in the target's partition) and builds a translator.
   * Throws TranslationConfigError naming every problem.
   */
  static create(options: TranslatorOptions): Translator {
    const problems = problemsOf(options);
    if (problems.length > 0) throw new TranslationConfigError(problems);
    return new Translator(options);
  }

  /** True when nothing can be rewritten (mode off, or same location and cluster name, and no map). */
  get isNoop(): boolean {
    return this.noop;
  }

  /**
   * Rewrites one object in place and returns the rewrites, in document order of their paths (and, in one
   * string, in text order). `resourceName` is Velero style (`deployments.apps`, `persistentvolumes`).
   * A Secret's `data` and `stringData` are never read.
   */
  translate(resourceName: string, object: Record<string, unknown>): Rewrite[] {
    if (this.isNoop) return [];
    const sighted = this.context.crossing || this.hasIdentifiers ? sightedPaths(object) : new Set<string>();
    const awsAuth = isAwsAuthObject(object);
    const secret = resourceName === 'secrets' || object['kind'] === 'Secret';
    // A CRD's spec is its schema and documentation: examples in it are not references (issue 24).
    const schema = object['kind'] === 'CustomResourceDefinition';
    const skip = (node: PathNode): boolean =>
      node.parent === undefined && ((secret && (node.key === 'data' || node.key === 'stringData')) || (schema && node.key === 'spec'));
    const owner = fieldOwner(object);
    const everywhere = this.mode === 'everywhere';
    const rewrites: Rewrite[] = [];
    for (const leaf of stringLeaves(object, skip)) {
      const mappingKey = awsAuth ? mappingKeyOf(leaf.node) : undefined;
      if (mappingKey) {
        const rewritten = rewriteMappings(mappingKey, leaf.value, this.context);
        if (rewritten.rewrites.length > 0) setLeaf(leaf.container, leaf.key, rewritten.text);
        rewrites.push(...rewritten.rewrites);
        continue;
      }
      const broad = everywhere || isKnownField(leaf.node, resourceName);
      // The path is rendered only when it is looked up or reported: most strings are neither.
      const isSighted = sighted.size > 0 && sighted.has(renderPath(leaf.node));
      // identifierMap's exact ids are replaced wherever the scanner sees a generated id (an EC2NodeClass's
      // subnet, an IngressClassParams' subnets): the operator named them, nothing is guessed (issue 24).
      const rewritten = broad || isSighted ? rewriteString(leaf.value, this.context, broad && isSighted) : undefined;
      // Region, zone and cluster-name fields are read wherever they are, whatever the mode (but off).
      const renamed = rewriteNames(rewritten?.value ?? leaf.value, leaf.node, owner, this.names, { broad, everywhere });
      if (!rewritten?.rewrites.length && renamed.rewrites.length === 0) continue;
      const path = renderPath(leaf.node);
      setLeaf(leaf.container, leaf.key, renamed.value);
      for (const r of rewritten?.rewrites ?? []) rewrites.push({ path, ...r });
      for (const r of renamed.rewrites) rewrites.push({ path, ...r });
    }
    return rewrites;
  }
}

/** The paths where the dependency scanner sees an AWS reference in this object. */
function sightedPaths(object: Record<string, unknown>): Set<string> {
  const paths = new Set<string>();
  scanObject(object, undefined, (_sighting, node) => paths.add(renderPath(node)));
  return paths;
}

function isAwsAuthObject(object: Record<string, unknown>): boolean {
  const metadata = object['metadata'];
  if (!isRecord(metadata)) return false;
  const { namespace, name } = metadata;
  return isAwsAuthConfigMap(object['kind'], typeof namespace === 'string' ? namespace : undefined, typeof name === 'string' ? name : '');
}

/** `data.mapRoles` / `data.mapUsers` at the top of the object. */
function mappingKeyOf(node: PathNode): MappingKey | undefined {
  if (node.parent?.key !== 'data' || node.parent.parent !== undefined) return undefined;
  return MAPPING_KEYS.find((key) => key === node.key);
}

function setLeaf(container: Record<string, unknown> | unknown[], key: string | number, value: string): void {
  if (Array.isArray(container)) container[Number(key)] = value;
  else container[String(key)] = value;
}
