export { Translator, DEFAULT_TRANSLATION_MODE } from './Translator';
export { UntranslatedReferenceFinder, MAX_OBJECTS_PER_REFERENCE, type UntranslatedReferenceFinderOptions } from './UntranslatedReferenceFinder';
export { mergeAwsAuth, type AwsAuthMergeResult } from './mergeAwsAuth';
export { countRewrites } from './countRewrites';
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
