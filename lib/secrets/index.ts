export { SecretCipher, SEALED_FIELDS, SEALED_VALUE_PREFIX, DATA_KEY_BYTES } from './SecretCipher';
export { SecretEnvelope, ENCRYPTION_SCHEME, ENCRYPTION_CONTEXT_KEY, regionOfArn } from './SecretEnvelope';
export type { KmsClientFor, SecretsManifestEntry } from './SecretEnvelope';
export { SecretKeyError, SecretValueError, SecretsError } from './errors';
export type { SecretKeyFailureReason } from './errors';
