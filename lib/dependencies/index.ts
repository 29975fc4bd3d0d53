export { DependencyCollector, type DependencyCollectorOptions } from './DependencyCollector';
export {
  collectPodIdentityAssociations,
  listPodIdentityAssociations,
  type ListPodIdentityAssociationsOptions,
  type PodIdentityAssociations,
  type PodIdentityListItem,
} from './podIdentity';
export { DependencyDiscoveryError, PodIdentityLookupError, type PodIdentityOperation } from './errors';
export { classifyArn, locateArns, parseArn, regionOfZone, partitionOfRegion, PARTITIONS, REGION_PATTERN, RESOURCE_ID_PATTERNS, type LocatedArn, type ParsedArn } from './arns';
export { isAwsAuthConfigMap, parseMapRoles, parseMapUsers, type MappedRole, type MappedUser } from './awsAuth';
export { parseImageReference, type EcrImage, type ParsedImage } from './imageReference';
export { child, pathOf, renderPath, type PathNode } from './jsonPath';
export { isLoadBalancerAnnotation } from './loadBalancerAnnotations';
export { CONTAINER_LISTS, LAST_APPLIED, MANAGED_FIELDS, scanObject, type ScanOptions, type SightingSink } from './scanObject';
export { GENERATED_DEPENDENCY_TYPES, GENERATED_ID_TYPES, KMS_KEY_FIELD, KMS_KEY_ID, locateGeneratedIds, type LocatedId } from './generatedIds';
export { locateSourceMentions, sourceMentionPatterns, type SourceFacts, type SourceMention, type SourceMentionPatterns } from './sourceMentions';
export type {
  AwsDependency,
  AwsDependencyType,
  DependencyReference,
  KnownDependencyType,
  DependencySighting,
  PodIdentityAssociation,
} from './types';
