/**
 * Translation of restored objects into the recovery cluster's account and region (DESIGN.md section 8,
 * issue 13). Rules, in one place:
 * - Rewritten by account and region: the source account's ARNs (source partition) of customer-named
 *   resources (IAM roles, policies, users; SNS topics; SQS queues; KMS aliases), and its ECR images
 *   (regular, FIPS, dual-stack, China hosts; tag and digest kept). The account becomes the target's;
 *   the region becomes the target's when it was the source's or the partition changes (a third region
 *   is kept); region-less ARNs stay region-less.
 * - Never by account and region: what AWS generates (ACM, KMS keys, WAF ACLs, Secrets Manager ARNs,
 *   vol-/snap-/fs-/fsap-/sg-/subnet-/ami-/vpc-/... ids). Those change only through identifierMap: an ARN
 *   entry replaces a whole well-formed ARN; any other entry a whole token (not inside a longer id or an
 *   ARN), in known fields and wherever the dependency scanner sights a reference (custom resources too).
 * - Names of the source's place (issue 24, namedFields.ts, rewriteNames.ts): region fields controllers read
 *   follow the recovery region; the source cluster's name becomes the recovery cluster's in the fields
 *   controllers read it from; zones only through zoneMap; regionMap rewrites region tokens in known
 *   fields (everywhere: in every value). Never inside an ARN or an ECR host; a CRD's spec is never touched.
 * - known-fields (default): IRSA and load balancer annotations, aws-auth mapRoles/mapUsers, containers'
 *   image/env[].value/args, StorageClass parameters, PV csi.volumeHandle/awsElasticBlockStore.volumeID.
 *   everywhere: every string value the dependency scanner reads (not keys, not managedFields, not the
 *   last-applied annotation); in prose only a well-formed ARN (lib/dependencies' findArns) is replaced,
 *   never `arn:aws:` alone, a bare region (but through regionMap), a bucket name or an account ID. off: nothing.
 * - After translation, UntranslatedReferenceFinder lists every generated id, and every value naming the
 *   source's region, zone, account or cluster, that still points at the source.
 * - A Secret's data and stringData are never read, rewritten or reported.
 */
export { Translator, DEFAULT_TRANSLATION_MODE } from './Translator';
export { UntranslatedReferenceFinder, MAX_OBJECTS_PER_REFERENCE, type UntranslatedReferenceFinderOptions } from './UntranslatedReferenceFinder';
export { clusterPlace, restoreTranslation, type ClusterPlace, type RestoreTranslationOptions } from './restoreTranslation';
export { mergeAwsAuth, type AwsAuthMergeResult } from './mergeAwsAuth';
export { countRewrites, emptyRewriteCounts, REWRITE_COUNT_KEYS } from './countRewrites';
export { TranslationError, TranslationConfigError, AwsAuthMergeError } from './errors';
export type {
  AwsLocation,
  Rewrite,
  RewriteCounts,
  RewriteKind,
  TranslationMode,
  TranslatorOptions,
  UntranslatedReference,
} from './types';
