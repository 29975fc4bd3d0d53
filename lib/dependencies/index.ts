export { DependencyCollector, type DependencyCollectorOptions } from './DependencyCollector';
export {
  collectPodIdentityAssociations,
  listPodIdentityAssociations,
  type ListPodIdentityAssociationsOptions,
  type PodIdentityAssociations,
  type PodIdentityListItem,
} from './podIdentity';
export { DependencyDiscoveryError, PodIdentityLookupError, type PodIdentityOperation } from './errors';
export { parseArn, type ParsedArn } from './arns';
export type {
  AwsDependency,
  AwsDependencyType,
  DependencyReference,
  KnownDependencyType,
  PodIdentityAssociation,
} from './types';
