// The values of a Secret sealed one by one with AES-256-GCM (README "Secrets"). Each value gets a fresh
// 12-byte IV, and its additional authenticated data names where it lives (archive path, field, key), so a
// sealed value moved to another object or key, or altered, fails to open instead of restoring quietly.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretValueError, SecretsError } from './errors';

/** What a sealed value starts with; the rest is base64(iv | ciphertext | tag). */
export const SEALED_VALUE_PREFIX = 'enc:v1:';
/** The Secret fields whose values are sealed; everything else (metadata, type) stays readable. */
export const SEALED_FIELDS = ['data', 'stringData'] as const;
/** AES-256 */
export const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

type Json = Record<string, unknown>;

/**
 * Seals and opens the values of Secret objects with one data key. The key is the caller's buffer, not a
 * copy: dispose() zeroes it, and nothing can be sealed or opened after that.
 */
export class SecretCipher {
  readonly #key: Buffer;
  #disposed = false;

  constructor(key: Buffer) {
    if (key.length !== DATA_KEY_BYTES) throw new SecretsError(`a data key must be ${DATA_KEY_BYTES} bytes, not ${key.length}`);
    this.#key = key;
  }

  /** True for a string in the sealed format (it may still fail to open). */
  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(SEALED_VALUE_PREFIX);
  }

  /**
   * A copy of the Secret with every string value of `data` and `stringData` sealed for `path` (its archive
   * path); the object given is not changed.
   */
  sealObject(path: string, secret: Json): Json {
    return this.#mapValues(secret, (field, key, value) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, this.#usableKey(), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(path, field, key));
      const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return SEALED_VALUE_PREFIX + sealed.toString('base64');
    });
  }

  /**
   * sealObject() for an object in JSON bytes (the backup's list items, in pieces), as JSON bytes. The parse
   * and re-serialization keep the field order; only Secrets take this path.
   */
  sealJson(path: string, json: Buffer | readonly Buffer[]): Buffer {
    const text = (Buffer.isBuffer(json) ? json : Buffer.concat(json)).toString('utf8');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SecretsError(`${path} is not one JSON object`);
    return Buffer.from(JSON.stringify(this.sealObject(path, parsed as Json)), 'utf8');
  }

  /**
   * A copy of the Secret with its values opened. Throws SecretValueError naming the path and field when a
   * value is not sealed, or does not open for this path, field and key (altered, moved, another data key).
   */
  openObject(path: string, secret: Json): Json {
    return this.#mapValues(secret, (field, key, value) => {
      const where = `${field}.${key}`;
      if (!SecretCipher.isSealed(value)) throw new SecretValueError(path, where, 'is not sealed in a recovery point whose Secrets are encrypted');
      const sealed = Buffer.from(value.slice(SEALED_VALUE_PREFIX.length), 'base64');
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new SecretValueError(path, where, 'is too short to be a sealed value');
      const decipher = createDecipheriv(ALGORITHM, this.#usableKey(), sealed.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(path, field, key));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch (err) {
        // OpenSSL's message says only "unable to authenticate data": no value in it, but keep ours plain.
        throw new SecretValueError(path, where, 'does not open: altered, moved from another object or key, or sealed with another data key', { cause: err });
      }
    });
  }

  /** Zeroes the data key. */
  dispose(): void {
    this.#key.fill(0);
    this.#disposed = true;
  }

  #usableKey(): Buffer {
    if (this.#disposed) throw new SecretsError('the data key was disposed');
    return this.#key;
  }

  #mapValues(secret: Json, fn: (field: string, key: string, value: string) => string): Json {
    const out: Json = { ...secret };
    for (const field of SEALED_FIELDS) {
      const values = secret[field];
      if (typeof values !== 'object' || values === null || Array.isArray(values)) continue;
      const mapped: Json = {};
      for (const [key, value] of Object.entries(values as Json)) mapped[key] = typeof value === 'string' ? fn(field, key, value) : value;
      out[field] = mapped;
    }
    return out;
  }
}

/** `["<archive path>","data","password"]`: JSON, so no choice of path or key can make two places collide. */
function additionalData(path: string, field: string, key: string): Buffer {
  return Buffer.from(JSON.stringify([path, field, key]), 'utf8');
}
