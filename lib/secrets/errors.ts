/** Base class for every error about encrypting or decrypting Secret values. Never carries a value. */
export class SecretsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Why a data key could not be had from KMS: `access-denied` (IAM or the key policy), `disabled` (key
 * disabled or pending deletion), `not-found` (no such key, or another region or account), `invalid-ciphertext`
 * (the encrypted data key does not belong to this key or was altered), `unavailable` (KMS throttled or
 * unreachable), `no-kms` (the reader was given no KMS client), `error` (anything else).
 */
export type SecretKeyFailureReason = 'access-denied' | 'disabled' | 'not-found' | 'invalid-ciphertext' | 'unavailable' | 'no-kms' | 'error';

/** The KMS key of a recovery point's Secrets cannot be used: named by reason, key id and KMS error code. */
export class SecretKeyError extends SecretsError {
  readonly reason: SecretKeyFailureReason;
  readonly keyId: string;
  /** The KMS error's name (e.g. `AccessDeniedException`), when KMS answered. */
  readonly kmsCode: string | undefined;
  constructor(reason: SecretKeyFailureReason, keyId: string, kmsCode: string | undefined, doing: string, options?: { cause?: unknown }) {
    super(`the Secrets key ${keyId} cannot be used to ${doing}: ${reason}${kmsCode ? ` (KMS ${kmsCode})` : ''}`, options);
    this.reason = reason;
    this.keyId = keyId;
    this.kmsCode = kmsCode;
  }
}

/**
 * One sealed value did not open: altered, moved from another object or key, or sealed with another data
 * key. Names the archive path and the field (`data.password`), never the value.
 */
export class SecretValueError extends SecretsError {
  readonly path: string;
  readonly field: string;
  /** What is wrong, e.g. `does not open: ...`. */
  readonly why: string;
  constructor(path: string, field: string, why: string, options?: { cause?: unknown }) {
    super(`${path}: ${field} ${why}`, options);
    this.path = path;
    this.field = field;
    this.why = why;
  }
}
